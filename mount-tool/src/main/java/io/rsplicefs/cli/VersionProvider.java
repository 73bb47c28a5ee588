package io.rsplicefs.cli;

import picocli.CommandLine.IVersionProvider;

/** The version from the jar manifest (Implementation-Version); "dev" when run from classes. */
final class VersionProvider implements IVersionProvider {
    static String version() {
        String v = Main.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }

    @Override
    public String[] getVersion() {
        return new String[] {"rsplicefs " + version()};
    }
}
