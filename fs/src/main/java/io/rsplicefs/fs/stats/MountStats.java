package io.rsplicefs.fs.stats;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.util.Map;

/**
 * The counters of one mount, as one typed schema: the daemon serializes it
 * into the stats xattr of the mount root, and the CLI, the bench and the
 * tests read it back as the same records (no string keys outside this file).
 *
 * @param freshPageFlush null unless donation is on
 * @param store the store's own counters (an archive's members, inflations, aligned and unaligned opens);
 *     empty for a directory
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record MountStats(MountInfo mount, Map<String, ReadPathStats> readPaths, WriteStats writes, GiftStats gift,
                         StableRepliesStats stableReplies, FreshPageFlushStats freshPageFlush,
                         Map<String, Long> store, Map<String, Long> callbackFailures, EngineStats engine,
                         PassthroughStats passthrough, ZeroCopyStats zeroCopy) {

    /** The xattr on the mount root that returns the JSON; never passed to the store. */
    public static final String XATTR = "user.rsplicefs.stats";

    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    /**
     * @param readPath the read path in use (gift may have been refused by its probe)
     * @param requestedReadPath what the mount was asked for
     * @param writePath the write path: copy, splice or auto
     */
    public record MountInfo(String engine, String store, String source, String mountpoint, long pid,
                            String requestedReadPath, String readPath, boolean donate, boolean spliceWrite,
                            String fuseOptions, String writePath) {
        public MountInfo withReadPath(String p) {
            return new MountInfo(engine, store, source, mountpoint, pid, requestedReadPath, p, donate, spliceWrite,
                    fuseOptions, writePath);
        }
    }

    /**
     * What one read path did, as counted by the filesystem itself.
     *
     * @param spliceReplies replies handed over as an fd or pipe of at least two pages with splice_write on
     * @param copyReplies replies whose bytes were copied, by reason in {@code copyReasons}
     */
    public record ReadPathStats(long requests, long bytes, long spliceReplies, long copyReplies,
                                Map<String, Long> copyReasons, long errors, DonationStats donation) {
    }

    /**
     * Measured, not assumed: backing pages of sampled replies that were resident
     * after the fill, and how many had left the backing file's cache once the
     * reply was consumed (moved into the FUSE page cache).
     */
    public record DonationStats(long sampledPages, long movedPages) {
    }

    /**
     * What the write side did.
     *
     * @param requests write requests answered (errors included)
     * @param bytes bytes written
     * @param splicedRequests writes whose payload was spliced from libfuse's pipe into the backing file
     * @param copiedRequests writes whose payload passed through memory, by reason in {@code copyReasons}:
     *     {@code copy path}, {@code memory buffer from libfuse}, {@code fallback: splice EINVAL}, ...
     * @param errors writes answered with an error
     * @param zeroCopiedRequests writes whose payload the kernel handed over as the writer's pages (io_uring
     *     zero copy, read path uring-zc) and the daemon drained into the backing file by write-fixed
     */
    public record WriteStats(long requests, long bytes, long splicedRequests, long copiedRequests,
                             Map<String, Long> copyReasons, long errors, long zeroCopiedRequests) {
    }

    /**
     * The gift read path's mount-time measurement.
     *
     * @param probe "not run" (gift not asked for), "ran", or "skipped" (see error)
     * @param pagesMoved of {@code pagesGifted}; -1 when not measured
     * @param kernelMovesGiftedPages "yes", "no" or "unknown"
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record GiftStats(String probe, boolean forced, int pagesGifted, long pagesMoved,
                            String kernelMovesGiftedPages, boolean active, String error) {
        public static final GiftStats NOT_RUN = new GiftStats("not run", false, 0, -1, "unknown", false, null);
    }

    /**
     * FUSE passthrough: the kernel reads and writes a passed-through file's
     * backing file itself, so the read counters never see those reads.
     *
     * @param status "off" (the read path does not pass through), "on", or "unavailable: why"
     * @param opens opens (and creates) the kernel serves itself
     * @param fallbacks opens that wanted passthrough and are served by the daemon, by reason in {@code fallbackReasons}
     * @param backingFiles backing files registered with the kernel right now
     */
    public record PassthroughStats(String status, long opens, long fallbacks, Map<String, Long> fallbackReasons,
                                   long backingFiles) {
    }

    /**
     * FUSE io_uring zero copy (read path uring-zc; FUSE 7.46, Linux 7.3): the
     * kernel registers a READ's (or WRITE's) page-cache pages in the daemon's
     * ring and the daemon fills (drains) them in place.
     *
     * @param status "off" (the read path is not uring-zc), "on", or "unavailable: why"
     * @param opens opens (and creates) answered with FOPEN_IO_URING_ZERO_COPY
     * @param zeroCopied READs the kernel flagged FUSE_URING_ENT_ZERO_COPY, filled in place by read-fixed
     * @param fallbacks opens that wanted zero copy and are served by the other read paths, by reason in
     *     {@code fallbackReasons} (which also holds {@code read copied: ...} and {@code write failed: ...})
     * @param zeroCopiedWrites WRITEs the kernel flagged FUSE_URING_ENT_ZERO_COPY, drained in place by write-fixed
     */
    public record ZeroCopyStats(String status, long opens, long zeroCopied, long fallbacks,
                                Map<String, Long> fallbackReasons, long zeroCopiedWrites) {
    }

    /**
     * @param writesHeld writes that waited for a spliced reply to be consumed
     * @param heldReads read ranges held right now
     */
    public record StableRepliesStats(boolean enabled, long writesHeld, long waitMicros, long timeouts,
                                     long heldReads) {
    }

    /**
     * @param scratchPage where the pinned page of the LRU flush lives, or why there is none
     * @param flushes fills that read from disk and flushed the per-CPU LRU batches
     * @param warmReplies fills that did not need it
     */
    public record FreshPageFlushStats(String scratchPage, boolean cachestat, long flushes, long warmReplies,
                                      long failures) {
    }

    /**
     * What the engine negotiated with the kernel and saw (null for the
     * jnr-fuse engine: libfuse keeps it to itself).
     *
     * @param protocol       the kernel's FUSE protocol version, e.g. "7.41", and the one agreed
     * @param kernelOffered  INIT flags the kernel offered (names as in fuse.h)
     * @param accepted       INIT flags the engine asked for and the kernel offered
     * @param requests       requests per opcode
     * @param readSizes      READ requests by size
     * @param nodes          nodes the kernel holds now (the root included)
     * @param outstandingLookups lookups not yet forgotten (without the root's)
     * @param opens          whether the kernel asks the daemon to open files ("asked", or "not asked ...": no_open)
     * @param unopenedRequests requests on files the kernel opened without asking (handle 0)
     * @param storeAhead     what the read-ahead across a directory's files pushed into the kernel's cache ("off" ...)
     */
    public record EngineStats(String name, String protocol, String transport, int threads, long maxRequestBytes,
                              long maxReadahead, java.util.List<String> kernelOffered,
                              java.util.List<String> accepted, Map<String, Long> requests,
                              Map<String, Long> readSizes, Map<String, Long> writeSizes, long unknownOpcodes,
                              long malformedRequests, long replyFailures, long interrupts, long nodes,
                              long outstandingLookups, long lookups, long forgets, String opens,
                              long unopenedRequests, String storeAhead, RingStats ring) {
    }

    /**
     * The direct engine's transport: what was asked (dev, uring), what serves
     * (uring only once every queue registered its entries) and, when not the
     * ring, why; the ring's queues and entries per queue, the requests that
     * came over the ring, and entries given back after the kernel lost them.
     */
    public record RingStats(String asked, String used, String why, int queues, int depth, long requests,
                            long lostEntries) {
    }

    /** The read path's counters; all zero when it served nothing. */
    public ReadPathStats readPath(String id) {
        ReadPathStats s = readPaths.get(id);
        return s != null ? s : new ReadPathStats(0, 0, 0, 0, Map.of(), 0, new DonationStats(0, 0));
    }

    public String toJson() {
        try {
            return JSON.writeValueAsString(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stats to JSON", e);
        }
    }

    /** Parses what {@link #toJson()} wrote; IOException when it is not that. */
    public static MountStats fromJson(String json) throws IOException {
        return JSON.readValue(json, MountStats.class);
    }

    /**
     * Reads a live mount's stats through the kernel, as any client does (which
     * also proves the mount still answers). The value can grow between asking
     * its size and reading it (ERANGE): retried with room to spare.
     */
    public static MountStats read(Path mountRoot) throws IOException {
        UserDefinedFileAttributeView view = Files.getFileAttributeView(mountRoot, UserDefinedFileAttributeView.class);
        if (view == null) {
            throw new IOException("cannot read extended attributes on " + mountRoot);
        }
        String name = XATTR.substring("user.".length()); // the view adds the namespace
        IOException last = null;
        for (int attempt = 0; attempt < 3; attempt++) {
            try {
                ByteBuffer buf = ByteBuffer.allocate(view.size(name) + 4096 * (attempt + 1));
                view.read(name, buf);
                buf.flip();
                return fromJson(StandardCharsets.UTF_8.decode(buf).toString());
            } catch (IOException e) {
                last = e;
            }
        }
        throw last;
    }
}
