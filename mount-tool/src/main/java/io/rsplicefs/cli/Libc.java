package io.rsplicefs.cli;

import jnr.ffi.LibraryLoader;

/** The few libc calls Java has no API for (jnr-ffi, which jnr-fuse already brings). */
public interface Libc {
    /** Loaded on first use. */
    final class Holder {
        static final Libc LIBC = LibraryLoader.create(Libc.class).load("c");

        private Holder() {
        }
    }

    static Libc get() {
        return Holder.LIBC;
    }

    int setsid();

    int geteuid();
}
