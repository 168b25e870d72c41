package dev.causalcxr.cli.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class BatchQueueTest {
    /** An item: a batch key, rows, an id the result echoes. */
    record Item(String key, int rows, int id) {}

    private static long in(long millis) {
        return System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
    }

    /** A runner that waits for a gate on its first batch and records every batch. */
    static final class Recorder implements BatchQueue.Runner<Item, String> {
        final List<List<Integer>> batches = Collections.synchronizedList(new ArrayList<>());
        final CountDownLatch gate = new CountDownLatch(1);
        final CountDownLatch started = new CountDownLatch(1);

        @Override
        public List<String> run(List<Item> batch) throws Exception {
            started.countDown();
            gate.await(10, TimeUnit.SECONDS);
            batches.add(batch.stream().map(Item::id).toList());
            return batch.stream().map(i -> "result-" + i.id()).toList();
        }
    }

    @Test
    void waitingItemsOfOneKeyRunTogetherAndEachGetsItsOwnResult() throws Exception {
        Recorder r = new Recorder();
        try (BatchQueue<Item, String> q = new BatchQueue<>("t", 100, 10, 1000, Item::key, Item::rows, r, null)) {
            var first = q.submit(new Item("a", 1, 0), in(10_000));
            r.started.await(5, TimeUnit.SECONDS);
            List<BatchQueue<Item, String>.Ticket> tickets = new ArrayList<>();
            for (int i = 1; i <= 6; i++) {
                tickets.add(q.submit(new Item(i % 3 == 0 ? "b" : "a", 2, i), in(10_000)));
            }
            assertEquals(6, q.depth());
            r.gate.countDown();
            assertEquals("result-0", first.result().get(5, TimeUnit.SECONDS));
            for (int i = 0; i < tickets.size(); i++) {
                assertEquals("result-" + (i + 1), tickets.get(i).result().get(5, TimeUnit.SECONDS));
            }
            assertEquals(
                    List.of(List.of(0), List.of(1, 2, 4, 5), List.of(3, 6)),
                    r.batches,
                    "key a in arrival order, then key b");
        }
    }

    @Test
    void aBatchStopsAtItsItemAndRowLimits() throws Exception {
        Recorder r = new Recorder();
        try (BatchQueue<Item, String> q = new BatchQueue<>("t", 100, 3, 10, Item::key, Item::rows, r, null)) {
            q.submit(new Item("a", 1, 0), in(10_000));
            r.started.await(5, TimeUnit.SECONDS);
            List<BatchQueue<Item, String>.Ticket> t = new ArrayList<>();
            int[] rows = {4, 4, 4, 1, 1, 1, 1};
            for (int i = 0; i < rows.length; i++) {
                t.add(q.submit(new Item("a", rows[i], i + 1), in(10_000)));
            }
            r.gate.countDown();
            for (var x : t) {
                x.result().get(5, TimeUnit.SECONDS);
            }
            // [1,2] hit 8 rows (a third 4 would be 12 > 10): 4 and 5 join; then [3,6,7], then [...]
            assertEquals(List.of(List.of(0), List.of(1, 2, 4), List.of(3, 5, 6), List.of(7)), r.batches);
        }
    }

    @Test
    void aFullQueueRefusesAndLosesNothingItAdmitted() throws Exception {
        Recorder r = new Recorder();
        AtomicInteger expired = new AtomicInteger();
        BatchQueue.BatchListener listener = new BatchQueue.BatchListener() {
            @Override
            public void batch(int items, int rows) {}

            @Override
            public void expired() {
                expired.incrementAndGet();
            }
        };
        try (BatchQueue<Item, String> q = new BatchQueue<>("t", 3, 10, 1000, Item::key, Item::rows, r, listener)) {
            var running = q.submit(new Item("a", 1, 0), in(10_000));
            r.started.await(5, TimeUnit.SECONDS);
            List<BatchQueue<Item, String>.Ticket> admitted = new ArrayList<>();
            for (int i = 1; i <= 3; i++) {
                admitted.add(q.submit(new Item("a", 1, i), in(10_000)));
            }
            assertThrows(BatchQueue.QueueFullException.class, () -> q.submit(new Item("a", 1, 99), in(10_000)));
            assertEquals(3, q.depth());
            r.gate.countDown();
            assertEquals("result-0", running.result().get(5, TimeUnit.SECONDS));
            for (int i = 0; i < 3; i++) {
                assertEquals("result-" + (i + 1), admitted.get(i).result().get(5, TimeUnit.SECONDS));
            }
            assertEquals(0, expired.get());
        }
    }

    @Test
    void anItemWhoseDeadlinePassedWhileWaitingIsNotRun() throws Exception {
        Recorder r = new Recorder();
        AtomicInteger expired = new AtomicInteger();
        BatchQueue.BatchListener listener = new BatchQueue.BatchListener() {
            @Override
            public void batch(int items, int rows) {}

            @Override
            public void expired() {
                expired.incrementAndGet();
            }
        };
        try (BatchQueue<Item, String> q = new BatchQueue<>("t", 10, 10, 1000, Item::key, Item::rows, r, listener)) {
            q.submit(new Item("a", 1, 0), in(10_000));
            r.started.await(5, TimeUnit.SECONDS);
            var late = q.submit(new Item("a", 1, 1), in(50));
            var fine = q.submit(new Item("a", 1, 2), in(10_000));
            Thread.sleep(200);
            r.gate.countDown();
            ExecutionException e =
                    assertThrows(ExecutionException.class, () -> late.result().get(5, TimeUnit.SECONDS));
            assertInstanceOf(BatchQueue.DeadlineExceededException.class, e.getCause());
            assertEquals("result-2", fine.result().get(5, TimeUnit.SECONDS));
            assertEquals(1, expired.get());
            assertTrue(r.batches.stream().noneMatch(b -> b.contains(1)), "the late item never ran: " + r.batches);
        }
    }

    @Test
    void aCancelledItemLeavesTheQueueAndAFailingBatchFailsOnlyItsItems() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        CountDownLatch gate = new CountDownLatch(1);
        BatchQueue.Runner<Item, String> runner = batch -> {
            if (calls.incrementAndGet() == 1) {
                gate.await(5, TimeUnit.SECONDS);
            }
            if (batch.get(0).key().equals("boom")) {
                throw new IllegalStateException("model failure");
            }
            return batch.stream().map(i -> "ok-" + i.id()).toList();
        };
        try (BatchQueue<Item, String> q = new BatchQueue<>("t", 10, 10, 1000, Item::key, Item::rows, runner, null)) {
            var first = q.submit(new Item("a", 1, 0), in(10_000));
            while (q.running() == 0) {
                Thread.sleep(5);
            }
            var cancelled = q.submit(new Item("a", 1, 1), in(10_000));
            var boom = q.submit(new Item("boom", 1, 2), in(10_000));
            var after = q.submit(new Item("a", 1, 3), in(10_000));
            cancelled.cancel();
            assertEquals(2, q.depth());
            gate.countDown();
            assertEquals("ok-0", first.result().get(5, TimeUnit.SECONDS));
            assertTrue(cancelled.result().isCancelled());
            ExecutionException e =
                    assertThrows(ExecutionException.class, () -> boom.result().get(5, TimeUnit.SECONDS));
            assertEquals("model failure", e.getCause().getMessage());
            assertEquals("ok-3", after.result().get(5, TimeUnit.SECONDS), "the worker survives a failed batch");
        }
    }

    @Test
    void anItemCancelledWhileItsBatchRunsIsReleasedOnlyWhenTheBatchReturns() throws Exception {
        Recorder r = new Recorder();
        try (BatchQueue<Item, String> q = new BatchQueue<>("t", 10, 10, 1000, Item::key, Item::rows, r, null)) {
            var running = q.submit(new Item("a", 1, 0), in(10_000));
            var waiting = q.submit(new Item("b", 1, 1), in(10_000));
            r.started.await(5, TimeUnit.SECONDS);
            running.cancel();
            waiting.cancel();
            assertTrue(running.result().isCancelled());
            assertTrue(waiting.released().isDone(), "never ran: released at once");
            Thread.sleep(50);
            assertTrue(!running.released().isDone(), "its batch still runs: what it holds must stay");
            r.gate.countDown();
            running.released().get(5, TimeUnit.SECONDS);
            assertEquals(List.of(List.of(0)), r.batches);
        }
    }
}
