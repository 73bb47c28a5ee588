package io.rsplicefs.it.support;

import io.rsplicefs.fs.Engine;

/**
 * The engine the mount suite runs on: system property rsplicefs.test.engine
 * (jnr-fuse by default). tests/pom.xml runs the suite once per engine; the
 * CLI tests pass the same choice to the CLI as RSPLICEFS_ENGINE.
 */
public final class TestEngine {
    private TestEngine() {
    }

    public static Engine current() {
        return Engine.parse(System.getProperty("rsplicefs.test.engine", Engine.JNR_FUSE.id()));
    }

    public static boolean isDirect() {
        return current() == Engine.DIRECT;
    }
}
