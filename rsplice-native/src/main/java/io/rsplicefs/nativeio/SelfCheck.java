package io.rsplicefs.nativeio;

/**
 * {@code java -cp rsplice-native.jar io.rsplicefs.nativeio.SelfCheck}: loads
 * the helper from wherever it is found, pushes a page through a pipe with
 * vmsplice and splice, and says where the library came from. Exit 0 when
 * the helper works, 1 (with the reason) when it does not.
 */
public final class SelfCheck {
    private SelfCheck() {
    }

    public static void main(String[] args) throws Exception {
        if (!NativeLibrary.isAvailable()) {
            System.err.println("rsplice-native: unavailable: " + NativeLibrary.unavailabilityCause().getMessage());
            System.exit(1);
        }
        try (Pipe in = Pipe.create(); Pipe out = Pipe.create(); PageArena page = PageArena.allocate(1)) {
            page.buffer().put(new byte[] {'r', 's', 'p', 'l'});
            long queued = Splice.vmsplice(in.writeFd(), page.address(), PageArena.PAGE_SIZE, 0);
            long moved = Splice.splice(in.readFd(), Splice.NO_OFFSET, out.writeFd(), Splice.NO_OFFSET, queued, 0);
            System.out.println("rsplice-native: OK (loaded from " + NativeLibrary.loadedFrom() + "; vmsplice "
                    + queued + " bytes, splice " + moved + " bytes, pipe capacity " + out.capacity()
                    + ", pipe-max-size " + Pipe.maxCapacity() + ")");
        }
    }
}
