package io.rsplicefs.cli.bench;

import io.rsplicefs.fs.Engine;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.Shape;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import javax.imageio.ImageIO;

/**
 * The PNG chart: one panel per job, one horizontal bar per target, the bar
 * being the median ratio to native (native = 1). Each panel has its own scale
 * (random 4k ratios are a tenth of sequential ones) and the goal as a
 * dashed line (with a direct target, the direct engine's goal of issue 15,
 * relative to this run's baseline, as a second one). A target on the direct engine has its read path's colour with
 * white stripes, so each pair of engines reads as one colour. Pure Java2D,
 * headless: no package beyond the JDK.
 */
final class Chart {
    private static final int WIDTH = 1400;
    private static final int MARGIN = 24;
    private static final int LABEL_W = 200; // "rsplice+donate+single@direct" fits
    private static final int BAR_H = 22;
    private static final int BAR_GAP = 8;
    private static final int PANEL_HEAD = 54; // the title, then room for two goal labels
    private static final int PANEL_FOOT = 34;
    private static final Color GOAL = new Color(0xC62828);
    private static final Color ENGINE_GOAL = new Color(0x6A1B9A);

    private Chart() {
    }

    static void write(Summary s, List<String> targets, String title, String subtitle, Path png) throws IOException {
        System.setProperty("java.awt.headless", "true");
        List<String> bars = targets.stream().filter(t -> !t.equals("native")).toList();
        int cols = s.jobs().size() == 1 ? 1 : 2;
        int rows = (s.jobs().size() + cols - 1) / cols;
        int panelW = (WIDTH - MARGIN * (cols + 1)) / cols;
        int panelH = PANEL_HEAD + bars.size() * (BAR_H + BAR_GAP) + PANEL_FOOT;
        int top = 86;
        int height = top + rows * (panelH + MARGIN) + 20;
        BufferedImage img = new BufferedImage(WIDTH, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, WIDTH, height);
            g.setColor(Color.BLACK);
            g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 22));
            g.drawString(title, MARGIN, 36);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 14));
            g.setColor(Color.DARK_GRAY);
            g.drawString(subtitle, MARGIN, 62);
            for (int i = 0; i < s.jobs().size(); i++) {
                int x = MARGIN + (i % cols) * (panelW + MARGIN);
                int y = top + (i / cols) * (panelH + MARGIN);
                panel(g, s, s.jobs().get(i), bars, x, y, panelW, panelH);
            }
        } finally {
            g.dispose();
        }
        if (!ImageIO.write(img, "png", png.toFile())) {
            throw new IOException("no PNG writer in this JDK");
        }
    }

    private static void panel(Graphics2D g, Summary s, Job job, List<String> bars, int x, int y, int w, int h) {
        g.setColor(new Color(0xF5F5F5));
        g.fillRect(x, y, w, h);
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 15));
        g.drawString(job.id() + ": " + job.title(), x + 10, y + 24);

        Optional<Double> goal = Goals.ratioGoal(job);
        Optional<Double> engineGoal = EngineGoals.ratioGoal(s, job);
        double max = Math.max(goal.orElse(0.0), engineGoal.orElse(0.0));
        for (String t : bars) {
            Double r = s.row(job, t).map(Summary.Row::ratio).orElse(null);
            if (r != null) {
                max = Math.max(max, r);
            }
        }
        max = niceCeil(max <= 0 ? 1 : max * 1.12);
        int plotX = x + LABEL_W;
        int plotW = w - LABEL_W - 150; // room for the value labels
        int plotTop = y + PANEL_HEAD;
        int plotBottom = plotTop + bars.size() * (BAR_H + BAR_GAP);

        // grid and axis ticks
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        double step = niceStep(max);
        for (double v = 0; v <= max + 1e-9; v += step) {
            int gx = plotX + (int) Math.round(v / max * plotW);
            g.setColor(new Color(0xDDDDDD));
            g.drawLine(gx, plotTop - 4, gx, plotBottom);
            g.setColor(Color.DARK_GRAY);
            String label = MarkdownReport.fmt(v, step < 0.01 ? 3 : step < 0.1 ? 2 : 1);
            g.drawString(label, gx - g.getFontMetrics().stringWidth(label) / 2, plotBottom + 14);
        }
        g.drawString("ratio to native (native = 1)", plotX, plotBottom + 28);

        // the goals first, so bars and their labels stay readable on top of them
        double scale = max;
        goal.ifPresent(v -> goalLine(g, GOAL, "goal " + MarkdownReport.fmt(v, 2), v, scale, plotX, plotW, plotTop,
                plotBottom, 0));
        engineGoal.ifPresent(v -> goalLine(g, ENGINE_GOAL, "direct goal " + MarkdownReport.fmt(v, v < 0.1 ? 3 : 2), v, scale,
                plotX, plotW, plotTop, plotBottom, 12));
        for (int i = 0; i < bars.size(); i++) {
            String t = bars.get(i);
            int by = plotTop + i * (BAR_H + BAR_GAP);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
            g.setColor(Color.BLACK);
            FontMetrics fm = g.getFontMetrics();
            g.drawString(t, plotX - 8 - fm.stringWidth(t), by + BAR_H - 6);
            Optional<Summary.Row> row = s.row(job, t);
            if (row.isEmpty() || row.get().ratio() == null) {
                g.setColor(Color.GRAY);
                g.drawString("not measured", plotX + 4, by + BAR_H - 6);
                continue;
            }
            double r = row.get().ratio();
            int bw = Math.max(1, (int) Math.round(r / max * plotW));
            g.setColor(color(t));
            g.fillRect(plotX, by, bw, BAR_H);
            if (BenchConfig.engineOf(t).orElse(null) == Engine.DIRECT) {
                stripes(g, plotX, by, bw, BAR_H);
            }
            g.setColor(Color.BLACK);
            String label = MarkdownReport.fmt(r, 3) + "  (" + MarkdownReport.fmt(row.get().mbPerSec(), 0) + " MB/s)";
            g.drawString(label, plotX + bw + 6, by + BAR_H - 6);
        }
    }

    /** A dashed vertical line at ratio {@code v}, labelled above the plot ({@code lift} px higher). */
    private static void goalLine(Graphics2D g, Color c, String label, double v, double max, int plotX, int plotW,
                                 int plotTop, int plotBottom, int lift) {
        int gx = plotX + (int) Math.round(v / max * plotW);
        g.setColor(c);
        g.setStroke(new BasicStroke(2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {6f, 4f},
                0f));
        g.drawLine(gx, plotTop - 6 - lift, gx, plotBottom);
        g.setStroke(new BasicStroke(1f));
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 11));
        g.drawString(label, gx + 4, plotTop - 6 - lift);
    }

    /** Diagonal white stripes over a bar: the direct engine's mark. */
    private static void stripes(Graphics2D g, int x, int y, int w, int h) {
        Shape clip = g.getClip();
        g.clipRect(x, y, w, h);
        g.setColor(new Color(255, 255, 255, 150));
        g.setStroke(new BasicStroke(3f));
        for (int sx = x - h; sx < x + w; sx += 9) {
            g.drawLine(sx, y + h, sx + h, y);
        }
        g.setStroke(new BasicStroke(1f));
        g.setClip(clip);
    }

    /** rsplicefs paths in blues and greens, donation in teal, peers in warm colours; an engine suffix ignored. */
    static Color color(String target) {
        int at = target.indexOf(BenchConfig.ENGINE_MARK);
        return switch (at < 0 ? target : target.substring(0, at)) {
            case "copy" -> new Color(0x90A4AE);
            case "fd" -> new Color(0x64B5F6);
            case "rsplice" -> new Color(0x1E88E5);
            case "rsplice+noguard" -> new Color(0x90CAF9);
            case "rsplice+donate" -> new Color(0x00897B);
            case "fd+donate" -> new Color(0x4DB6AC);
            case "auto" -> new Color(0x3949AB);
            case "rsplice+single" -> new Color(0x0D47A1);
            case "auto+single" -> new Color(0x1A237E);
            case "fd+single" -> new Color(0x1565C0);
            case "rsplice+donate+single" -> new Color(0x004D40);
            case "auto+donate" -> new Color(0x26A69A);
            case "gift" -> new Color(0x8E24AA);
            case "bindfs" -> new Color(0xFB8C00);
            case "passthrough_ll" -> new Color(0xE53935);
            case "passthrough_hp" -> new Color(0x8E24AA);
            default -> new Color(0x757575);
        };
    }

    private static double niceStep(double max) {
        double raw = max / 5;
        double mag = Math.pow(10, Math.floor(Math.log10(raw)));
        double n = raw / mag;
        return (n < 1.5 ? 1 : n < 3 ? 2 : n < 7 ? 5 : 10) * mag;
    }

    private static double niceCeil(double max) {
        double step = niceStep(max);
        return Math.ceil(max / step - 1e-9) * step;
    }
}
