package io.rsplicefs.fs.read;

import io.rsplicefs.fs.reply.ReadReply;
import io.rsplicefs.fs.stats.ReadCounters;
import io.rsplicefs.fs.store.ByteSource;
import io.rsplicefs.nativeio.NativeIoException;

/**
 * One read path: fills the reply for a read request from where the file's
 * bytes are (go-fuse's ReadResult idea: the front end does not care whether
 * the reply is bytes, a file range or a filled pipe).
 */
public interface Reader {
    /** Two pages: libfuse 2.9 copies any fd reply smaller than this instead of splicing it. */
    long SPLICE_MIN = 8192;

    /**
     * Fills the reply for [off, off+size) and counts it in {@code counters};
     * the reply is short at end of file (empty past it).
     */
    ReadReply read(ByteSource source, long size, long off, ReadCounters counters) throws NativeIoException;


    /** The reply at end of file: no bytes. */
    static ReadReply endOfFile(ReadCounters counters) {
        counters.copied(0, "end of file");
        return new ReadReply(new ReadReply.Memory(ReplyMemory.allocate(1), 0));
    }
}
