package dev.causalcxr.activities.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

class KeepAliveHeartbeatTest {

    @Test
    void aSilentStageStillBeatsWithThePreviousAttemptsPointerThenWithItsOwnNewest() throws Exception {
        List<CheckpointPointer> sent = new CopyOnWriteArrayList<>();
        CheckpointPointer previous = new CheckpointPointer(0.4, 40, "prev");
        CheckpointPointer own = new CheckpointPointer(0.6, 60, "own");
        try (KeepAliveHeartbeat h = KeepAliveHeartbeat.start(sent::add, previous, Duration.ofMillis(20), "t")) {
            waitUntil(() -> sent.size() >= 3);
            assertTrue(sent.stream().allMatch(previous::equals), "before its first checkpoint: " + sent);
            h.beat(own);
            int mark = sent.size();
            waitUntil(() -> sent.size() >= mark + 3);
            assertEquals(own, sent.get(sent.size() - 1));
        }
        int afterClose = sent.size();
        Thread.sleep(100);
        assertTrue(sent.size() <= afterClose + 1, "no beats once the attempt has ended");
    }

    @Test
    void aCancelledAttemptStopsTheRepeatsAndTheStagesOwnBeatStillSeesTheCancellation() throws Exception {
        RuntimeException cancelled = new IllegalStateException("cancelled");
        java.util.concurrent.atomic.AtomicInteger calls = new java.util.concurrent.atomic.AtomicInteger();
        Heartbeat sdk = p -> {
            calls.incrementAndGet();
            throw cancelled; // the SDK throws the kept failure on every later heartbeat
        };
        try (KeepAliveHeartbeat h = KeepAliveHeartbeat.start(sdk, null, Duration.ofMillis(10), "t")) {
            waitUntil(() -> calls.get() >= 1);
            Thread.sleep(100);
            assertEquals(1, calls.get(), "repeats stop after the first failure");
            RuntimeException seen = null;
            try {
                h.beat(new CheckpointPointer(0.1, 1, "d"));
            } catch (RuntimeException e) {
                seen = e;
            }
            assertEquals(cancelled, seen);
        }
    }

    private static void waitUntil(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long end = System.nanoTime() + 5_000_000_000L;
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < end, "timed out");
            Thread.sleep(5);
        }
    }
}
