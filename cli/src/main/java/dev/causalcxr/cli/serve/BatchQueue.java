package dev.causalcxr.cli.serve;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.function.ToIntFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A bounded queue in front of one worker thread that runs compatible items together.
 *
 * <p>{@link #submit} admits an item while fewer than {@code capacity} items wait, and refuses it
 * otherwise ({@link QueueFullException}: the service answers 429). The worker takes the oldest item
 * and, with it, every waiting item of the same batch key (same model, same sampler steps) in arrival
 * order, up to {@code maxItems} items and {@code maxRows} rows, and hands them to the runner in one
 * call. Items of other keys keep their place. An item whose deadline passed while it waited is
 * completed with {@link DeadlineExceededException} without running; a cancelled item (its client
 * gave up) is dropped. Every item's future completes exactly once, with its own result: the runner
 * returns results in the order of the batch it was given.
 *
 * @param <T> an item
 * @param <R> its result
 */
public final class BatchQueue<T, R> implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(BatchQueue.class);

    /** Runs one batch; returns one result per item, in order. */
    @FunctionalInterface
    public interface Runner<T, R> {
        List<R> run(List<T> batch) throws Exception;
    }

    /** The queue is full. */
    public static final class QueueFullException extends RuntimeException {
        QueueFullException(int capacity) {
            super("the queue is full (" + capacity + " requests waiting); retry later", null, false, false);
        }
    }

    /** The item's deadline passed before it ran. */
    public static final class DeadlineExceededException extends RuntimeException {
        DeadlineExceededException() {
            super("the request's deadline passed while it waited for the model", null, false, false);
        }
    }

    /** An admitted item: its result, and a way for its client to give up. */
    public final class Ticket {
        final T item;
        final long deadlineNanos;
        final CompletableFuture<R> result = new CompletableFuture<>();
        final CompletableFuture<Void> released = new CompletableFuture<>();

        Ticket(T item, long deadlineNanos) {
            this.item = item;
            this.deadlineNanos = deadlineNanos;
        }

        public CompletableFuture<R> result() {
            return result;
        }

        /**
         * Completes when the queue is done with the item: it left the queue without running, or the
         * batch it ran in returned. Until then the runner may still use it (a cancelled or late item
         * can be part of a running batch), so what it holds must not be freed before.
         */
        public CompletableFuture<Void> released() {
            return released;
        }

        /** Drops the item if it has not started; its result is then a cancellation. */
        public void cancel() {
            boolean removed;
            synchronized (lock) {
                removed = waiting.remove(this);
            }
            result.cancel(false);
            if (removed) {
                released.complete(null);
            }
        }
    }

    private final Object lock = new Object();
    private final ArrayDeque<Ticket> waiting = new ArrayDeque<>();
    private final int capacity;
    private final int maxItems;
    private final int maxRows;
    private final Function<T, Object> key;
    private final ToIntFunction<T> rows;
    private final Runner<T, R> runner;
    private final BatchListener listener;
    private final Thread worker;
    private volatile boolean closed;
    private volatile int running;

    /** Told about every batch and every item that did not run. */
    public interface BatchListener {
        void batch(int items, int rows);

        void expired();
    }

    public BatchQueue(
            String name,
            int capacity,
            int maxItems,
            int maxRows,
            Function<T, Object> key,
            ToIntFunction<T> rows,
            Runner<T, R> runner,
            BatchListener listener) {
        this.capacity = capacity;
        this.maxItems = maxItems;
        this.maxRows = maxRows;
        this.key = Objects.requireNonNull(key);
        this.rows = Objects.requireNonNull(rows);
        this.runner = Objects.requireNonNull(runner);
        this.listener = listener == null
                ? new BatchListener() {
                    @Override
                    public void batch(int items, int r) {}

                    @Override
                    public void expired() {}
                }
                : listener;
        worker = new Thread(this::work, name);
        worker.setDaemon(true);
        worker.start();
    }

    /**
     * Admits an item that must be answered by {@code deadlineNanos} ({@link System#nanoTime()} scale).
     *
     * @throws QueueFullException when {@code capacity} items wait already
     */
    public Ticket submit(T item, long deadlineNanos) {
        Ticket t = new Ticket(item, deadlineNanos);
        synchronized (lock) {
            if (closed) {
                throw new ServiceStoppingException();
            }
            if (waiting.size() >= capacity) {
                throw new QueueFullException(capacity);
            }
            waiting.addLast(t);
            lock.notifyAll();
        }
        return t;
    }

    /** Items waiting (not running). */
    public int depth() {
        synchronized (lock) {
            return waiting.size();
        }
    }

    /** Items in the batch running now. */
    public int running() {
        return running;
    }

    public int capacity() {
        return capacity;
    }

    private void work() {
        while (true) {
            List<Ticket> batch = new ArrayList<>();
            synchronized (lock) {
                while (waiting.isEmpty() && !closed) {
                    try {
                        lock.wait();
                    } catch (InterruptedException e) {
                        if (closed) {
                            break;
                        }
                    }
                }
                if (closed) {
                    waiting.forEach(t -> {
                        t.result.completeExceptionally(new ServiceStoppingException());
                        t.released.complete(null);
                    });
                    waiting.clear();
                    return;
                }
                take(batch);
                running = batch.size();
            }
            if (!batch.isEmpty()) {
                run(batch);
            }
            running = 0;
        }
    }

    /** Moves the oldest live item and the waiting items that batch with it into {@code batch}. */
    private void take(List<Ticket> batch) {
        long now = System.nanoTime();
        Object batchKey = null;
        int batchRows = 0;
        for (Iterator<Ticket> it = waiting.iterator(); it.hasNext() && batch.size() < maxItems; ) {
            Ticket t = it.next();
            if (t.result.isDone()) {
                it.remove();
                t.released.complete(null);
                continue;
            }
            if (now - t.deadlineNanos >= 0) {
                it.remove();
                listener.expired();
                t.result.completeExceptionally(new DeadlineExceededException());
                t.released.complete(null);
                continue;
            }
            Object k = key.apply(t.item);
            int r = rows.applyAsInt(t.item);
            if (batchKey == null) {
                batchKey = k;
            } else if (!batchKey.equals(k) || batchRows + r > maxRows) {
                continue;
            }
            it.remove();
            batch.add(t);
            batchRows += r;
        }
    }

    private void run(List<Ticket> batch) {
        List<T> items = new ArrayList<>(batch.size());
        int totalRows = 0;
        for (Ticket t : batch) {
            items.add(t.item);
            totalRows += rows.applyAsInt(t.item);
        }
        try {
            List<R> results = runner.run(items);
            if (results.size() != batch.size()) {
                throw new IllegalStateException(
                        "the runner returned " + results.size() + " results for " + batch.size() + " items");
            }
            listener.batch(batch.size(), totalRows);
            for (int i = 0; i < batch.size(); i++) {
                batch.get(i).result.complete(results.get(i));
            }
        } catch (Throwable e) {
            // no request text or data in the log: the exception's type only, the trace at debug level
            log.error(
                    "a batch of {} requests failed on the model: {}",
                    batch.size(),
                    e.getClass().getName());
            log.debug("batch failure", e);
            for (Ticket t : batch) {
                t.result.completeExceptionally(e);
            }
        } finally {
            for (Ticket t : batch) {
                t.released.complete(null);
            }
        }
    }

    @Override
    public void close() {
        synchronized (lock) {
            closed = true;
            lock.notifyAll();
        }
        try {
            worker.join(30_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
