package io.rsplicefs.fs.host;

import java.io.IOException;
import java.nio.file.Path;

/** This process's effective capabilities (CapEff in /proc/self/status). */
public final class Capabilities {
    /** CAP_SYS_RESOURCE: lifts fs.pipe-max-size; root in a container may lack it. */
    static final int CAP_SYS_RESOURCE = 24;
    /** CAP_SYS_ADMIN: registering backing files for FUSE passthrough. */
    static final int CAP_SYS_ADMIN = 21;

    private Capabilities() {
    }

    /** Whether this process has CAP_SYS_RESOURCE; false when it cannot be told. */
    public static boolean hasSysResource() {
        try {
            return has(ProcFile.read(Path.of("/proc/self/status")), CAP_SYS_RESOURCE);
        } catch (IOException e) {
            return false;
        }
    }

    /** Whether this process has CAP_SYS_ADMIN; false when it cannot be told. */
    public static boolean hasSysAdmin() {
        try {
            return has(ProcFile.read(Path.of("/proc/self/status")), CAP_SYS_ADMIN);
        } catch (IOException e) {
            return false;
        }
    }

    /** Whether the CapEff line of a /proc/PID/status text has bit {@code cap}; false when it has no such line. */
    static boolean has(String status, int cap) {
        String capEff = ProcFile.field(status, "CapEff");
        try {
            return capEff != null && (Long.parseUnsignedLong(capEff, 16) >>> cap & 1) == 1;
        } catch (NumberFormatException e) {
            return false;
        }
    }
}
