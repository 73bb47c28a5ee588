package io.rsplicefs.fs.direct;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.rsplicefs.nativeio.FuseDevice;
import org.junit.jupiter.api.Test;

/** The struct sizes and offsets the Java encoder uses are the ones C's linux/fuse.h lays out. */
class FuseLayoutTest {
    @Test
    void javaAndCAgreeOnTheProtocolsStructs() {
        int[] c = FuseDevice.structSizes();
        assertEquals(Fuse.IN_HEADER, c[0], "fuse_in_header");
        assertEquals(Fuse.OUT_HEADER, c[1], "fuse_out_header");
        assertEquals(Fuse.ATTR, c[2], "fuse_attr");
        assertEquals(Fuse.ENTRY_OUT, c[3], "fuse_entry_out");
        assertEquals(Fuse.ATTR_OUT, c[4], "fuse_attr_out");
        assertEquals(64, c[5], "fuse_init_in (7.36+)");
        assertEquals(Fuse.INIT_OUT, c[6], "fuse_init_out");
        assertEquals(Fuse.OPEN_OUT, c[7], "fuse_open_out");
        assertEquals(40, c[8], "fuse_read_in");
        assertEquals(Fuse.WRITE_IN, c[9], "fuse_write_in");
        assertEquals(8, c[10], "fuse_write_out");
        assertEquals(88, c[11], "fuse_setattr_in");
        assertEquals(Fuse.DIRENT, c[12], "fuse_dirent");
        assertEquals(Fuse.ENTRY_OUT + Fuse.DIRENT, c[13], "fuse_direntplus");
        assertEquals(Fuse.STATFS_OUT, c[14], "fuse_statfs_out");
        assertEquals(8, c[15], "fuse_getxattr_out");
        assertEquals(16, c[16], "fuse_create_in");
        assertEquals(16, c[17], "fuse_mknod_in");
        assertEquals(16, c[18], "fuse_rename2_in");
        assertEquals(32, c[19], "fuse_fallocate_in");
        assertEquals(24, c[20], "fuse_lseek_in");
        assertEquals(56, c[21], "fuse_copy_file_range_in");
        assertEquals(28, c[22], "fuse_init_out.max_pages");
        assertEquals(60, c[23], "fuse_setattr_in.mtimensec");
    }

    /** FUSE over io_uring (7.42): the entry header as rsplice_uring.c lays it out, and INIT's flag bit. */
    @Test
    void theRingEntryHeaderIsTheKernels() {
        assertEquals(288, io.rsplicefs.nativeio.FuseRing.HEADER_SIZE, "fuse_uring_req_header");
        assertEquals(0, io.rsplicefs.nativeio.FuseRing.IN_OUT, "in_out");
        assertEquals(128, io.rsplicefs.nativeio.FuseRing.OP_IN, "op_in");
        assertEquals(256 + 8, io.rsplicefs.nativeio.FuseRing.ENT_COMMIT_ID, "ring_ent_in_out.commit_id");
        assertEquals(256 + 16, io.rsplicefs.nativeio.FuseRing.ENT_PAYLOAD_SIZE, "ring_ent_in_out.payload_sz");
        assertEquals(Fuse.OVER_IO_URING, io.rsplicefs.nativeio.FuseRing.INIT_FLAG, "FUSE_OVER_IO_URING");
    }

    /**
     * FUSE 7.46 (Linux 7.3's include/uapi/linux/fuse.h): the bufpool and
     * zero-copy bits and the layout rsplice_uring.c defines where the build
     * header lacks them (it checks them against a 7.46 header where there is one).
     */
    @Test
    void theZeroCopyUapiIsLinux73s() {
        assertEquals(Fuse.HAS_IO_URING_BUFPOOL, io.rsplicefs.nativeio.FuseRing.BUFPOOL_INIT_FLAG, "1ULL << 43");
        assertEquals(256, io.rsplicefs.nativeio.FuseRing.ENT_FLAGS, "ring_ent_in_out.flags");
        assertEquals(256 + 20, io.rsplicefs.nativeio.FuseRing.ENT_POOL_OFFSET, "ring_ent_in_out.offset");
        assertEquals(1, io.rsplicefs.nativeio.FuseRing.ENT_ZERO_COPY, "FUSE_URING_ENT_ZERO_COPY");
        assertEquals(1 << 8, io.rsplicefs.nativeio.FuseRing.FOPEN_ZERO_COPY, "FOPEN_IO_URING_ZERO_COPY");
        assertEquals(1, io.rsplicefs.nativeio.FuseRing.QUEUE_ZERO_COPY, "FUSE_URING_ZERO_COPY");
        assertEquals(3, io.rsplicefs.nativeio.FuseRing.CMD_ADD_QUEUE, "FUSE_IO_URING_CMD_ADD_QUEUE");
        assertEquals(4, io.rsplicefs.nativeio.FuseRing.CMD_ADD_BUFPOOL, "FUSE_IO_URING_CMD_ADD_BUFPOOL");
        assertEquals(40, io.rsplicefs.nativeio.FuseRing.CMD_REQ_SIZE, "fuse_uring_cmd_req with its 7.46 union");
    }
}
