package io.rsplicefs.it.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The man pages and bash completion that the packaging module made (packaging/target/docs) say what
 * --help of the jar under test says: per command the same options, and the top-level page has the mount
 * helper's options. Skipped where the packaging module was not built (the VM guests run the tests without
 * Maven).
 */
class PackageDocsTest {
    static final Path DOCS = Path.of(System.getProperty("rsplicefs.docs", "../packaging/target/docs"))
            .toAbsolutePath().normalize();
    private static final Pattern OPTION = Pattern.compile("(--(\\[no-\\])?[A-Za-z][\\w-]*|-[A-Za-z0-9])");

    private static void assumeDocs() {
        assumeTrue(Files.isDirectory(DOCS.resolve("man")), DOCS + " was not built (mvn package builds it)");
    }

    private static String help(String command) throws Exception {
        List<String> args = new ArrayList<>();
        if (!command.isEmpty()) {
            args.add(command);
        }
        args.add("--help");
        return Cli.withRuntimeDir(null).run(args.toArray(String[]::new)).succeeds().out();
    }

    /** The option list of --help: lines "  -x, --name=ARG  text" or "      --[no-]name  text". */
    private static Set<String> helpOptions(String help) {
        Set<String> names = new TreeSet<>();
        Pattern shortFirst = Pattern.compile("^ {2}(-[A-Za-z0-9])(?:, (--(?:\\[no-\\])?[A-Za-z][\\w-]*))?(?:[=\\s]|$)");
        Pattern longOnly = Pattern.compile("^ {6}(--(?:\\[no-\\])?[A-Za-z][\\w-]*)(?:[=\\s]|$)");
        for (String l : help.lines().toList()) {
            for (Matcher m : List.of(shortFirst.matcher(l), longOnly.matcher(l))) {
                if (m.find()) {
                    for (int g = 1; g <= m.groupCount(); g++) {
                        if (m.group(g) != null) {
                            names.add(m.group(g));
                        }
                    }
                }
            }
        }
        return names;
    }

    private static String man(String page) throws IOException {
        try (InputStream in = new GZIPInputStream(Files.newInputStream(DOCS.resolve("man/" + page + ".1.gz")))) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** The option headings of the man page's OPTIONS section ("\fB\-\-read\-path\fP=\fIPATH\fP"). */
    private static Set<String> manOptions(String roff) {
        Set<String> names = new TreeSet<>();
        boolean inOptions = false;
        for (String l : roff.lines().toList()) {
            if (l.startsWith(".SH")) {
                inOptions = l.equals(".SH \"OPTIONS\"");
            } else if (inOptions && l.startsWith("\\fB\\-")) {
                String plain = l.replace("\\-", "-").replaceAll("\\\\f[BIPR]|\\\\f\\(CR", "").replaceAll("=.*", "");
                Matcher m = OPTION.matcher(plain);
                while (m.find()) {
                    names.add(m.group(1));
                }
            }
        }
        return names;
    }

    /** flag_opts and arg_opts of the completion function of one command. */
    private static Set<String> completionOptions(String script, String function) {
        int at = script.indexOf("function " + function + "() {");
        assertTrue(at >= 0, function + " missing from the completion script");
        String body = script.substring(at, script.indexOf("\n}", at));
        Set<String> names = new TreeSet<>();
        Matcher m = Pattern.compile("local (flag|arg)_opts=\"([^\"]*)\"").matcher(body);
        while (m.find()) {
            for (String o : m.group(2).split(" ")) {
                if (!o.isBlank()) {
                    names.add(o.replace("'", ""));
                }
            }
        }
        return names;
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "mount", "umount", "stats", "doctor", "bench", "probe"})
    void manPageAndCompletionHaveTheOptionsOfHelp(String command) throws Exception {
        assumeDocs();
        Set<String> help = helpOptions(help(command));
        assertTrue(help.contains("--help"), () -> "no option list parsed from --help: " + help);
        String page = command.isEmpty() ? "rsplicefs" : "rsplicefs-" + command;
        assertEquals(help, manOptions(man(page)), page + ".1 against " + command + " --help");

        Set<String> completable = new TreeSet<>();
        help.forEach(o -> completable.add(o.replace("[no-]", "")));
        String script = Files.readString(DOCS.resolve("completion/rsplicefs"));
        String function = command.isEmpty() ? "_picocli_rsplicefs" : "_picocli_rsplicefs_" + command;
        assertEquals(completable, completionOptions(script, function), "completion of " + page);
    }

    @Test
    void commandsAndMountHelperOptions() throws Exception {
        assumeDocs();
        String help = help("");
        String page = man("rsplicefs");
        String script = Files.readString(DOCS.resolve("completion/rsplicefs"));
        for (String c : List.of("mount", "umount", "stats", "doctor", "bench", "probe")) {
            assertTrue(page.contains("\n" + c) || page.contains("\\fB" + c), () -> c + " missing from rsplicefs.1");
            assertTrue(Files.exists(DOCS.resolve("man/rsplicefs-" + c + ".1.gz")), c);
            assertTrue(script.contains("function _picocli_rsplicefs_" + c + "()"), c);
        }
        // The mount helper's -o options (the help's footer) are in the man page, spelled the same.
        int from = help.indexOf("Mount options (-o)");
        assertTrue(from > 0, help);
        List<String> opts = help.substring(from).lines().skip(1).takeWhile(l -> l.startsWith("  "))
                .map(l -> l.trim().split("\\s+")[0]).toList();
        assertFalse(opts.isEmpty(), help);
        String plain = page.replace("\\-", "-");
        for (String o : opts) {
            assertTrue(plain.contains(o), () -> "-o " + o + " missing from rsplicefs.1");
        }
        assertTrue(opts.containsAll(List.of("read_path=PATH", "donate", "threads=N", "engine=jnr-fuse")),
                opts::toString);
    }
}
