package dev.causalcxr.core.random;

import java.util.List;

/**
 * SplitMix64 (Steele, Lea, Flood 2014): a tiny 64-bit generator whose output is defined purely by
 * integer arithmetic, so a seed gives the same stream on every JVM and machine (unlike relying on
 * the implementation of {@code java.util.Random} helpers such as {@code nextGaussian}). Its whole
 * state is one long ({@link #state()}), so a sampler's position can be checkpointed and restored
 * exactly. Also the stateless {@link #mix} hash used to derive independent seeds per patient, study,
 * pixel and training step.
 */
public final class SplitMix64 {

    private static final long GOLDEN = 0x9E3779B97F4A7C15L;

    private long state;

    /** A generator whose state is {@code seed} (or a {@link #state()} saved earlier). */
    public SplitMix64(long seed) {
        this.state = seed;
    }

    /** The whole state: {@code new SplitMix64(state())} continues this stream exactly. */
    public long state() {
        return state;
    }

    /** The SplitMix64 finalizer: a bijective avalanche hash of one long. */
    public static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** A seed for a sub-stream named by {@code keys}: order-sensitive, independent of call order. */
    public static long derive(long seed, long... keys) {
        long h = mix(seed + GOLDEN);
        for (long k : keys) {
            h = mix(h ^ mix(k + GOLDEN));
        }
        return h;
    }

    public long nextLong() {
        state += GOLDEN;
        return mix(state);
    }

    /** Uniform in [0, 1) with 53 random bits. */
    public double nextDouble() {
        return (nextLong() >>> 11) * 0x1.0p-53;
    }

    public double uniform(double lo, double hi) {
        return lo + (hi - lo) * nextDouble();
    }

    /** Uniform in [0, bound); multiply-shift on 31 random bits, bias below 2^-31 * bound. */
    public int nextInt(int bound) {
        if (bound <= 0) {
            throw new IllegalArgumentException("bound must be positive: " + bound);
        }
        return (int) (((nextLong() >>> 33) * bound) >>> 31);
    }

    public boolean chance(double p) {
        return nextDouble() < p;
    }

    /** Standard normal via Box–Muller with StrictMath (bit-reproducible). */
    public double gaussian() {
        double u1 = 1.0 - nextDouble();
        double u2 = nextDouble();
        return StrictMath.sqrt(-2.0 * StrictMath.log(u1)) * StrictMath.cos(2.0 * StrictMath.PI * u2);
    }

    /** Shuffles {@code a} in place (Fisher–Yates from the last element, one {@link #nextInt} a swap). */
    public void shuffle(int[] a) {
        for (int i = a.length - 1; i > 0; i--) {
            int j = nextInt(i + 1);
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
    }

    public <T> T pick(List<T> items) {
        return items.get(nextInt(items.size()));
    }

    @SafeVarargs
    public final <T> T pick(T... items) {
        return items[nextInt(items.length)];
    }

    /** Index drawn with probability proportional to {@code weights} (non-negative, not all zero). */
    public int weighted(double... weights) {
        double total = 0;
        for (double w : weights) {
            total += w;
        }
        double r = nextDouble() * total;
        for (int i = 0; i < weights.length; i++) {
            r -= weights[i];
            if (r < 0) {
                return i;
            }
        }
        return weights.length - 1;
    }
}
