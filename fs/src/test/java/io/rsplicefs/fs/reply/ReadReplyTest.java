package io.rsplicefs.fs.reply;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReadReplyTest {
    private static ReadReply reply() {
        return new ReadReply(new ReadReply.FilledPipe(3, 8192));
    }

    @Test
    void transitionsRunTheirListenersOnceAndInOrder() {
        List<String> seen = new ArrayList<>();
        ReadReply r = reply();
        r.onHandedOver(() -> seen.add("handed over"));
        r.onConsumed(() -> seen.add("consumed"));
        assertTrue(r.tracked());
        r.consumed(); // consumed implies handed over
        r.consumed();
        r.handedOver();
        assertEquals(List.of("handed over", "consumed"), seen);
        assertTrue(r.isConsumed());
        assertFalse(r.tracked());
    }

    @Test
    void aListenerAddedLateRunsAtOnce() {
        List<String> seen = new ArrayList<>();
        ReadReply r = reply();
        r.handedOver();
        r.onHandedOver(() -> seen.add("late handed over"));
        r.consumed();
        r.onConsumed(() -> seen.add("late consumed"));
        assertEquals(List.of("late handed over", "late consumed"), seen);
    }

    @Test
    void aReplyNobodyWaitsForIsNotTracked() {
        assertFalse(reply().tracked());
        assertEquals(8192, reply().length());
    }
}
