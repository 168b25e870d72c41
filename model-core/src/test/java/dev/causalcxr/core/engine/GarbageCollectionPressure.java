package dev.causalcxr.core.engine;

/**
 * A daemon thread that calls {@code System.gc()} every millisecond until closed: memory that the JVM may free while
 * native code still reads it (DJL's number overloads, {@link ScalarOps}) is then freed within a step, so a test can
 * see the difference.
 */
public final class GarbageCollectionPressure implements AutoCloseable {
    private final Thread collector;

    private GarbageCollectionPressure() {
        collector = new Thread(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                System.gc();
                try {
                    Thread.sleep(1);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        collector.setDaemon(true);
    }

    /** Starts the collecting thread. */
    public static GarbageCollectionPressure start() {
        GarbageCollectionPressure pressure = new GarbageCollectionPressure();
        pressure.collector.start();
        return pressure;
    }

    @Override
    public void close() throws InterruptedException {
        collector.interrupt();
        collector.join();
    }
}
