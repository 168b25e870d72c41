package dev.causalcxr.core.diffusion;

/**
 * Asks for one PyTorch intra-op thread unless the build chose a number. These tests run tiny ops on a
 * shared 2-core machine: with two OpenMP threads spinning against other jobs' load the suite took
 * 6 minutes instead of 25 seconds. Effective only if no earlier test in the JVM has loaded the engine.
 */
public final class SingleThreadedEngine {
    private static final String THREADS = "ai.djl.pytorch.num_threads";

    private SingleThreadedEngine() {}

    public static void request() {
        if (System.getProperty(THREADS) == null) {
            System.setProperty(THREADS, "1");
        }
    }
}
