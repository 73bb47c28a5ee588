package io.rsplicefs.cli;

import java.util.function.Consumer;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * Signal dispositions for the serving process. The JVM owns SIGINT and
 * SIGTERM (its default runs the shutdown hooks and exits 130/143), so
 * libfuse's own handlers never run: the clean unmount is installed here.
 */
final class Signals {
    private Signals() {
    }

    /** Runs {@code handler} (on a thread of its own, as sun.misc.Signal does) for each named signal. */
    static void handle(Consumer<String> handler, String... names) {
        for (String name : names) {
            try {
                Signal.handle(new Signal(name), s -> handler.accept(s.getName()));
            } catch (IllegalArgumentException e) {
                // the VM reserves it (-Xrs): the JVM's default behaviour stays
            }
        }
    }

    static void ignore(String name) {
        try {
            Signal.handle(new Signal(name), SignalHandler.SIG_IGN);
        } catch (IllegalArgumentException e) {
            // reserved by the VM: keep its behaviour
        }
    }
}
