package dev.causalcxr.core.diffusion;

/**
 * Independent random streams indexed by (seed, step): the stream of a step is a SplitMix64 finalizer
 * of both, so a resumed run needs only the step to continue exactly where it stopped.
 */
public final class SeedStreams {
    private SeedStreams() {
    }

    public static long of(long seed, long index) {
        long z = seed + 0x9E3779B97F4A7C15L * (index + 1);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
