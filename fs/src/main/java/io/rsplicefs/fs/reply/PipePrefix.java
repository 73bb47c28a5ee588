package io.rsplicefs.fs.reply;

import io.rsplicefs.nativeio.NativeIoException;

/**
 * A transport that sends a filled pipe to /dev/fuse as it is (the direct
 * engine) needs its reply header in the pipe ahead of the payload. It sets
 * one of these for its worker thread; a read path that fills a pipe asks it
 * to queue the header first, for the exact payload length it will queue.
 * libfuse adds its header in a pipe of its own, so the jnr-fuse engine sets none.
 */
public interface PipePrefix {
    /** Queues the header for a {@code payloadLength}-byte reply into the pipe; returns the bytes queued. */
    int write(int pipeWriteFd, long payloadLength) throws NativeIoException;

    /** The prefix of the current worker thread, if its transport wants one. */
    ThreadLocal<PipePrefix> CURRENT = new ThreadLocal<>();
}
