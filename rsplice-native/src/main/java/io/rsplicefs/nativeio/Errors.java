package io.rsplicefs.nativeio;

import java.util.concurrent.ConcurrentHashMap;

/** Turns the natives' -errno results into exceptions; names and messages are cached per errno. */
final class Errors {
    private static final ConcurrentHashMap<Integer, String> NAMES = new ConcurrentHashMap<>();
    private static final ConcurrentHashMap<Integer, String> MESSAGES = new ConcurrentHashMap<>();

    private Errors() {
    }

    static String name(int errno) {
        return NAMES.computeIfAbsent(errno, NativeMethods::errnoName);
    }

    static String message(int errno) {
        return MESSAGES.computeIfAbsent(errno, NativeMethods::errnoMessage);
    }

    static long check(String call, long result) throws NativeIoException {
        if (result < 0) {
            throw new NativeIoException(call, (int) -result);
        }
        return result;
    }

    static int check(String call, int result) throws NativeIoException {
        if (result < 0) {
            throw new NativeIoException(call, -result);
        }
        return result;
    }
}
