package io.rsplicefs.it.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.rsplicefs.it.support.TimeScale;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Runs the real shaded jar (system property rsplicefs.jar) as a subprocess: java -jar rsplicefs.jar ... */
final class Cli {
    static final Path JAR = Path.of(System.getProperty("rsplicefs.jar", "../mount-tool/target/rsplicefs.jar"))
            .toAbsolutePath().normalize();
    static final String JAVA = ProcessHandle.current().info().command()
            .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());

    /** What one run printed and returned. */
    record Result(List<String> command, int exit, String out, String err) {
        String describe() {
            return String.join(" ", command) + "\n-> exit " + exit + "\n--- stdout:\n" + out + "--- stderr:\n" + err;
        }

        /** A run-time failure: exit 1, nothing on stdout, one line "rsplicefs: ..." naming what it must. */
        Result failsWith(String... mustContain) {
            assertEquals(1, exit, this::describe);
            assertEquals("", out, this::describe);
            assertEquals(1, err.lines().count(), () -> "one line on stderr expected\n" + describe());
            return hasMessage(mustContain);
        }

        /** A usage error: exit 2, "rsplicefs: ..." naming what it must, then the usage. */
        Result usageError(String... mustContain) {
            assertEquals(2, exit, this::describe);
            assertTrue(err.contains("Usage: rsplicefs"), () -> "usage expected\n" + describe());
            return hasMessage(mustContain);
        }

        Result succeeds() {
            assertEquals(0, exit, this::describe);
            noStackTrace();
            return this;
        }

        private Result hasMessage(String... mustContain) {
            noStackTrace();
            String first = err.lines().findFirst().orElse("");
            assertTrue(first.startsWith("rsplicefs: "), () -> "message expected first\n" + describe());
            for (String s : mustContain) {
                assertTrue(first.contains(s), () -> "message should contain '" + s + "'\n" + describe());
            }
            return this;
        }

        private void noStackTrace() {
            assertFalse(err.contains("Exception"), () -> "no exception on stderr expected\n" + describe());
            assertFalse(err.contains("\tat "), () -> "no stack trace on stderr expected\n" + describe());
        }
    }

    private final Map<String, String> env;
    private final List<String> prefix;
    private final List<String> jvmOptions;

    private Cli(Map<String, String> env, List<String> prefix, List<String> jvmOptions) {
        Map<String, String> e = new java.util.HashMap<>(env);
        e.putIfAbsent("RSPLICEFS_ENGINE", io.rsplicefs.it.support.TestEngine.current().id());
        this.env = Map.copyOf(e);
        this.prefix = prefix;
        this.jvmOptions = jvmOptions;
    }

    /** Daemon records and logs go to {@code runtimeDir} (null: the tool's default place). */
    static Cli withRuntimeDir(Path runtimeDir) {
        return new Cli(runtimeDir == null ? Map.of() : Map.of("RSPLICEFS_RUNTIME_DIR", runtimeDir.toString()),
                List.of(), List.of());
    }

    /** The same, run as another user through setpriv (the caller checks it can). */
    Cli asUser(int uid, int gid) {
        return new Cli(env, asUserPrefix(uid, gid), jvmOptions);
    }

    /** setpriv's arguments that run a command as uid:gid with no supplementary groups. */
    static List<String> asUserPrefix(int uid, int gid) {
        return List.of("setpriv", "--reuid=" + uid, "--regid=" + gid, "--clear-groups");
    }

    /** The same with JVM options; a background mount's daemon JVM gets them too (it inherits the CLI's). */
    Cli withJvmOptions(String... options) {
        return new Cli(env, prefix, List.of(options));
    }

    List<String> command(String... args) {
        List<String> cmd = new ArrayList<>(prefix);
        cmd.add(JAVA);
        cmd.addAll(jvmOptions);
        cmd.add("-jar");
        cmd.add(JAR.toString());
        cmd.addAll(Arrays.asList(args));
        return cmd;
    }

    /** Starts the CLI and leaves it running (foreground mounts). */
    Process start(File stdout, File stderr, String... args) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(command(args)).redirectOutput(stdout).redirectError(stderr)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        pb.environment().putAll(env);
        return pb.start();
    }

    /** Runs the CLI to completion (60 s at most) and returns what it printed. */
    Result run(String... args) throws IOException, InterruptedException {
        return exec(command(args), env);
    }

    /** Runs any command to completion (60 s at most) and returns what it printed. */
    static Result exec(List<String> cmd, Map<String, String> env) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        pb.environment().putAll(env);
        Process p = pb.start();
        // Read both pipes concurrently: a full stderr pipe would block the child.
        CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> slurp(p, true));
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> slurp(p, false));
        if (!p.waitFor(TimeScale.of(60), TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail("timed out: " + String.join(" ", cmd));
        }
        return new Result(cmd, p.exitValue(), out.join(), err.join());
    }

    private static String slurp(Process p, boolean stdout) {
        try {
            return new String((stdout ? p.getInputStream() : p.getErrorStream()).readAllBytes(),
                    StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "<unreadable: " + e.getMessage() + ">";
        }
    }
}
