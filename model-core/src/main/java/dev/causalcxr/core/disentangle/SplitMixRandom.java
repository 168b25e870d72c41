package dev.causalcxr.core.disentangle;

/**
 * SplitMix64 with its whole state in one long, so a sampler's position can be checkpointed and
 * restored exactly (java.util's generators do not expose their state).
 */
final class SplitMixRandom {

    private long state;

    SplitMixRandom(long state) {
        this.state = state;
    }

    long state() {
        return state;
    }

    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** A seed derived from a base seed and keys; independent streams for different keys. */
    static long derive(long seed, long... keys) {
        long s = mix(seed + 0x9E3779B97F4A7C15L);
        for (long k : keys) {
            s = mix(s ^ mix(k + 0x9E3779B97F4A7C15L));
        }
        return s;
    }

    long nextLong() {
        state += 0x9E3779B97F4A7C15L;
        return mix(state);
    }

    /** Uniform in [0, bound). */
    int nextInt(int bound) {
        if (bound <= 0) {
            throw new IllegalArgumentException("bound must be positive: " + bound);
        }
        return (int) Math.floorMod(nextLong() >>> 1, (long) bound);
    }

    double nextDouble() {
        return (nextLong() >>> 11) * 0x1.0p-53;
    }

    /** Standard normal (Box–Muller; one value per call keeps the state a single long). */
    double nextGaussian() {
        double u = 1.0 - nextDouble();
        double v = nextDouble();
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    }
}
