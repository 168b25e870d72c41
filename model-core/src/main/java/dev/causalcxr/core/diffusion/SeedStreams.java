package dev.causalcxr.core.diffusion;

import dev.causalcxr.core.random.SplitMix64;

/**
 * Independent random streams indexed by (seed, step): the stream of a step is a SplitMix64 finalizer
 * of both, so a resumed run needs only the step to continue exactly where it stopped.
 */
public final class SeedStreams {
    private SeedStreams() {}

    public static long of(long seed, long index) {
        return SplitMix64.mix(seed + 0x9E3779B97F4A7C15L * (index + 1));
    }
}
