package io.rsplicefs.cli;

import io.rsplicefs.fs.Engine;
import java.util.ArrayList;
import java.util.List;

/**
 * Which engines can mount on this machine, from the doctor's checks, and which one the doctor's mount
 * experiments use: the default engine ($RSPLICEFS_ENGINE, else direct) if it can, else the other.
 *
 * @param jnrFuse why jnr-fuse cannot mount here, or null when it can
 * @param direct why direct cannot mount here, or null when it can
 */
record EngineChoice(Engine preferred, String jnrFuse, String direct) {

    static EngineChoice detect(Check devFuse, Check libfuse) {
        boolean root = SystemChecks.isRoot();
        boolean fusermount = SystemChecks.onPath("fusermount").isPresent();
        boolean fusermount3 = SystemChecks.onPath("fusermount3").isPresent();
        List<String> jnr = new ArrayList<>();
        List<String> direct = new ArrayList<>();
        if (devFuse.status() != Check.Status.OK) {
            jnr.add("no usable /dev/fuse");
            direct.add("no usable /dev/fuse");
        }
        if (libfuse.status() != Check.Status.OK) {
            jnr.add("no libfuse.so.2");
        }
        if (!fusermount) {
            jnr.add("no fusermount");
            if (!root) {
                // mounting could use fusermount3, but unmounting (rsplicefs umount) runs fusermount
                direct.add(fusermount3 ? "no fusermount to unmount with" : "no fusermount or fusermount3");
            }
        }
        return new EngineChoice(defaultEngine(), jnr.isEmpty() ? null : String.join(", ", jnr),
                direct.isEmpty() ? null : String.join(", ", direct));
    }

    /** What a plain rsplicefs mount uses: $RSPLICEFS_ENGINE, else direct (an unknown name counts as direct). */
    static Engine defaultEngine() {
        String env = System.getenv("RSPLICEFS_ENGINE");
        try {
            return env == null || env.isBlank() ? Engine.DIRECT : Engine.parse(env);
        } catch (IllegalArgumentException e) {
            return Engine.DIRECT;
        }
    }

    boolean directUsable() {
        return direct == null;
    }

    boolean usable(Engine e) {
        return (e == Engine.DIRECT ? direct : jnrFuse) == null;
    }

    /** The engine the mount experiments use, or null when none can mount. */
    Engine forExperiments() {
        Engine other = preferred == Engine.DIRECT ? Engine.JNR_FUSE : Engine.DIRECT;
        return usable(preferred) ? preferred : usable(other) ? other : null;
    }

    /** The doctor's "engines" line: OK when the default engine can mount, WARN when only the other can. */
    Check check() {
        String text = "jnr-fuse " + (jnrFuse == null ? "can mount" : "cannot mount (" + jnrFuse + ")")
                + "; direct " + (direct == null ? "can mount" : "cannot mount (" + direct + ")")
                + "; default " + preferred.id();
        Engine e = forExperiments();
        if (e == null) {
            return Check.fail("engines", text);
        }
        text += "; the mount tests below use " + e.id();
        return e == preferred ? Check.ok("engines", text)
                : Check.warn("engines", text + ": mount with --engine=" + e.id()
                        + " (or export RSPLICEFS_ENGINE=" + e.id() + ")");
    }
}
