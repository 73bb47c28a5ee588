package io.rsplicefs.fs.store.archive;

import java.io.IOException;

/** An archive that cannot be mounted at all; the message says why, for the user. */
public final class ArchiveException extends IOException {
    public ArchiveException(String message) {
        super(message);
    }
}
