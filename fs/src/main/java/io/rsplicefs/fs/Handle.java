package io.rsplicefs.fs;

import io.rsplicefs.fs.stable.FileKey;
import io.rsplicefs.fs.store.OpenFile;
import java.util.concurrent.atomic.AtomicReference;

/** What an open FUSE file handle (fi->fh) stands for: the backing file, its identity, a pending donation sample. */
final class Handle {
    final OpenFile file;
    final FileKey key;
    final AtomicReference<DonationSampler.Sample> pendingSample = new AtomicReference<>();

    Handle(OpenFile file, FileKey key) {
        this.file = file;
        this.key = key;
    }
}
