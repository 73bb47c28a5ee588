package io.rsplicefs.pkg;

import io.rsplicefs.cli.Main;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.asciidoctor.Asciidoctor;
import org.asciidoctor.Options;
import org.asciidoctor.SafeMode;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.codegen.docgen.manpage.ManPageGenerator;

/**
 * The man pages and the bash completion, made from the command line's Picocli model as it runs
 * ({@link Main#commandLine()}, footer included), so they say what --help says:
 * picocli's ManPageGenerator writes AsciiDoc, one page per command (rsplicefs.1, rsplicefs-mount.1, ...),
 * asciidoctor turns each into a roff man page (gzipped, as Debian installs them), and picocli's AutoComplete
 * writes the bash completion script.
 *
 * <p>Usage: DocGen OUTDIR; writes OUTDIR/adoc/*.adoc, OUTDIR/man/*.1.gz and OUTDIR/completion/rsplicefs.
 */
public final class DocGen {
    private DocGen() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            System.err.println("usage: DocGen OUTDIR");
            System.exit(2);
        }
        Path out = Path.of(args[0]);
        CommandLine cmd = Main.commandLine();
        List<Path> adocs = adoc(cmd, Files.createDirectories(out.resolve("adoc")));
        manPages(adocs, Files.createDirectories(out.resolve("man")));
        Path completion = Files.createDirectories(out.resolve("completion")).resolve("rsplicefs");
        Files.writeString(completion, AutoComplete.bash("rsplicefs", cmd), StandardCharsets.UTF_8);
        System.out.println("DocGen: " + adocs.size() + " man pages and " + completion);
    }

    /** One AsciiDoc page per command: rsplicefs.adoc, rsplicefs-mount.adoc, ... */
    private static List<Path> adoc(CommandLine cmd, Path dir) throws IOException {
        List<Path> files = new ArrayList<>();
        for (CommandSpec spec : commands(cmd.getCommandSpec(), new ArrayList<>())) {
            Path f = dir.resolve(spec.qualifiedName("-") + ".adoc");
            try (PrintWriter w = new PrintWriter(Files.newBufferedWriter(f, StandardCharsets.UTF_8))) {
                ManPageGenerator.writeSingleManPage(w, spec);
            }
            files.add(f);
        }
        return files;
    }

    /** The command and its subcommands, each once (aliases share a spec). */
    private static List<CommandSpec> commands(CommandSpec spec, List<CommandSpec> acc) {
        if (!acc.contains(spec)) {
            acc.add(spec);
            for (CommandLine sub : spec.subcommands().values()) {
                commands(sub.getCommandSpec(), acc);
            }
        }
        return acc;
    }

    private static void manPages(List<Path> adocs, Path manDir) throws IOException {
        Path roff = Files.createDirectories(manDir.resolveSibling("roff"));
        try (Asciidoctor asciidoctor = Asciidoctor.Factory.create()) {
            for (Path adoc : adocs) {
                asciidoctor.convertFile(adoc.toFile(), Options.builder().backend("manpage").safe(SafeMode.UNSAFE)
                        .toDir(roff.toFile()).mkDirs(true).build());
            }
        }
        try (var pages = Files.list(roff)) {
            for (Path page : pages.toList()) {
                // gzip -9n as dh_compress does: no name, no time stamp (Java writes mtime 0)
                try (OutputStream o = new GZIPOutputStream(Files.newOutputStream(
                        manDir.resolve(page.getFileName() + ".gz")))) {
                    Files.copy(page, o);
                }
            }
        }
    }
}
