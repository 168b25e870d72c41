package dev.causalcxr.cli.serve;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ResultStoreTest {
    /** A clock the test moves. */
    static final class Manual extends Clock {
        Instant now = Instant.parse("2026-12-03T12:00:00Z");

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    @Test
    void resultsAreKeptByUnguessableIdUntilTheyAgeOrCrowdOut() {
        Manual clock = new Manual();
        ResultStore store = new ResultStore(3, 1000, Duration.ofMinutes(15), clock);
        String a = store.put(Map.of("x.png", new byte[] {1, 2, 3}));
        String b = store.put(Map.of("x.png", new byte[] {4}));
        assertTrue(a.matches("[0-9a-f]{32}"), a);
        assertNotEquals(a, b);
        assertArrayEquals(new byte[] {1, 2, 3}, store.file(a, "x.png").orElseThrow());
        assertTrue(store.file(a, "y.png").isEmpty());
        assertTrue(store.file("0".repeat(32), "x.png").isEmpty());
        clock.now = clock.now.plus(Duration.ofMinutes(10));
        String c = store.put(Map.of("x.png", new byte[10]));
        String d = store.put(Map.of("x.png", new byte[10]));
        assertTrue(store.file(a, "x.png").isEmpty(), "four results, three kept: the oldest went");
        assertEquals(3, store.size());
        clock.now = clock.now.plus(Duration.ofMinutes(6));
        assertTrue(store.file(b, "x.png").isEmpty(), "fifteen minutes old: gone");
        assertTrue(store.file(c, "x.png").isPresent());
        store.put(Map.of("x.png", new byte[995]));
        assertTrue(store.file(c, "x.png").isEmpty() && store.file(d, "x.png").isEmpty(), "over 1000 bytes: oldest out");
        assertEquals(1, store.size());
    }
}
