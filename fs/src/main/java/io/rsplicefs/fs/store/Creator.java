package io.rsplicefs.fs.store;

/**
 * Whom a new object is made for: the store creates it as this user would
 * (fsuid {@code uid}, fsgid {@code gid}, the supplementary groups of thread
 * {@code pid}), so the kernel gives it that user's owner and group, or the
 * directory's group where the directory is setgid. {@code null} wherever a
 * Creator is taken means the daemon itself.
 */
public record Creator(int uid, int gid, int pid) {
}
