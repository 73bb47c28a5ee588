package io.rsplicefs.fs.core;

/** Who made a request, as the kernel tells the front end (the FUSE request context). */
public record Caller(int uid, int gid, int pid) {
}
