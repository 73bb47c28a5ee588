package io.rsplicefs.fs.store;

/** A backing file by identity (device, inode): two hard-linked names are one file. */
public record FileKey(long dev, long ino) {
}
