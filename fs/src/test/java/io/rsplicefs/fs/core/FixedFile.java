package io.rsplicefs.fs.core;

import io.rsplicefs.fs.store.ByteSource;
import io.rsplicefs.fs.store.FileKey;
import io.rsplicefs.fs.store.StoreFile;
import io.rsplicefs.nativeio.FileStat;

/** An open file of a test store: fixed attributes, bytes from {@code source}, nothing to close. */
record FixedFile(String path, FileStat stat, ByteSource source) implements StoreFile {
    @Override
    public FileKey key() {
        return new FileKey(stat.dev(), stat.ino());
    }

    @Override
    public void close() {
    }
}
