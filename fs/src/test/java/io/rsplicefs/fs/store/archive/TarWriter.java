package io.rsplicefs.fs.store.archive;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** Writes tar archives byte by byte, so tests can make exactly the (bad) archives they need. */
final class TarWriter {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    /** A ustar header of {@code type} with {@code size}, then {@code data} padded to 512. */
    TarWriter entry(String name, char type, byte[] data, String link, long declaredSize) {
        byte[] h = new byte[512];
        put(h, 0, name, 100);
        put(h, 100, String.format("%07o", 0644), 8);
        put(h, 108, String.format("%07o", 1000), 8);
        put(h, 116, String.format("%07o", 1000), 8);
        put(h, 124, String.format("%011o", declaredSize), 12);
        put(h, 136, String.format("%011o", 1_700_000_000L), 12);
        h[156] = (byte) type;
        if (link != null) {
            put(h, 157, link, 100);
        }
        put(h, 257, "ustar", 6);
        put(h, 263, "00", 2);
        for (int i = 148; i < 156; i++) {
            h[i] = ' ';
        }
        long sum = 0;
        for (byte b : h) {
            sum += b & 0xff;
        }
        put(h, 148, String.format("%06o", sum), 7);
        out.writeBytes(h);
        out.writeBytes(data);
        out.writeBytes(new byte[(int) ((512 - data.length % 512) % 512)]);
        return this;
    }

    TarWriter file(String name, byte[] data) {
        return entry(name, '0', data, null, data.length);
    }

    TarWriter pax(String records) {
        byte[] b = records.getBytes(StandardCharsets.UTF_8);
        return entry("PaxHeaders/x", 'x', b, null, b.length);
    }

    /** "LEN key=value\n" with LEN counting itself. */
    static String record(String key, String value) {
        String body = " " + key + "=" + value + "\n";
        int len = body.length() + 1;
        while (String.valueOf(len).length() + body.length() != len) {
            len++;
        }
        return len + body;
    }

    byte[] end() {
        out.writeBytes(new byte[1024]);
        return out.toByteArray();
    }

    byte[] unterminated() {
        return out.toByteArray();
    }

    private static void put(byte[] h, int off, String s, int max) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        System.arraycopy(b, 0, h, off, Math.min(b.length, max));
    }
}
