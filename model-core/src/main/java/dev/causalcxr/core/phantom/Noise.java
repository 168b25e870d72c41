package dev.causalcxr.core.phantom;

import dev.causalcxr.core.random.SplitMix64;

/**
 * Per-pixel helpers that use only +, −, ×, ÷ and sqrt, which Java evaluates identically on every
 * platform (strict IEEE semantics since Java 17). Transcendentals are avoided in pixel loops: they
 * are slow in StrictMath and {@code Math} versions may differ between JVMs.
 */
final class Noise {

    private Noise() {}

    /** Hash of (seed, i) to [0, 1). */
    static double hash01(long seed, long i) {
        return (SplitMix64.mix(seed ^ (i * 0x9E3779B97F4A7C15L)) >>> 11) * 0x1.0p-53;
    }

    static double hash01(long seed, long i, long j) {
        return (SplitMix64.mix(seed ^ (i * 0x9E3779B97F4A7C15L) ^ (j * 0xC2B2AE3D27D4EB4FL)) >>> 11) * 0x1.0p-53;
    }

    /** Smooth 1-D value noise in [0, 1]. */
    static double noise1(long seed, double x) {
        double fl = Math.floor(x);
        long i = (long) fl;
        double f = x - fl;
        double a = hash01(seed, i);
        double b = hash01(seed, i + 1);
        double t = f * f * (3 - 2 * f);
        return a + (b - a) * t;
    }

    /** Smooth 2-D value noise in [0, 1]. */
    static double noise2(long seed, double x, double y) {
        double fx = Math.floor(x);
        double fy = Math.floor(y);
        long i = (long) fx;
        long j = (long) fy;
        double tx = x - fx;
        double ty = y - fy;
        tx = tx * tx * (3 - 2 * tx);
        ty = ty * ty * (3 - 2 * ty);
        double a = hash01(seed, i, j);
        double b = hash01(seed, i + 1, j);
        double c = hash01(seed, i, j + 1);
        double d = hash01(seed, i + 1, j + 1);
        double top = a + (b - a) * tx;
        double bottom = c + (d - c) * tx;
        return top + (bottom - top) * ty;
    }

    /**
     * Approximately standard normal noise for pixel {@code index}: Irwin–Hall sum of four 16-bit
     * uniforms from one hash, rescaled to unit variance. Seeded per study, so a counterfactual
     * rendered later gets the very same noise realization.
     */
    static double gaussian(long seed, long index) {
        long h = SplitMix64.mix(seed ^ (index * 0x9E3779B97F4A7C15L));
        double sum = (h & 0xFFFF) + ((h >>> 16) & 0xFFFF) + ((h >>> 32) & 0xFFFF) + ((h >>> 48) & 0xFFFF);
        // each term uniform on [0, 65535]: mean 4 * 32767.5, variance 4 * 65536^2 / 12
        return (sum - 131070.0) * (1.0 / 37837.23);
    }

    /** Cubic smoothstep of x clamped to [0, 1]. */
    static double smooth01(double x) {
        if (x <= 0) {
            return 0;
        }
        if (x >= 1) {
            return 1;
        }
        return x * x * (3 - 2 * x);
    }

    /** Compact bump (1 − d²)² for |d| < 1, else 0. */
    static double bump(double d) {
        double d2 = d * d;
        if (d2 >= 1) {
            return 0;
        }
        double t = 1 - d2;
        return t * t;
    }

    private static final double LN2 = 0.6931471805599453;

    /** e^(−x) for x ≥ 0 from range reduction and a degree-9 Taylor polynomial (|rel err| < 1e-8). */
    static double expNeg(double x) {
        if (x <= 0) {
            return 1;
        }
        if (x > 700) {
            return 0;
        }
        double y = x / LN2;
        double n = Math.floor(y);
        double g = (y - n) * LN2;
        double p = 1
                - g
                        * (1
                                - g
                                        / 2
                                        * (1
                                                - g
                                                        / 3
                                                        * (1
                                                                - g
                                                                        / 4
                                                                        * (1
                                                                                - g
                                                                                        / 5
                                                                                        * (1
                                                                                                - g
                                                                                                        / 6
                                                                                                        * (1
                                                                                                                - g
                                                                                                                        / 7
                                                                                                                        * (1
                                                                                                                                - g
                                                                                                                                        / 8
                                                                                                                                        * (1
                                                                                                                                                - g
                                                                                                                                                        / 9))))))));
        return Math.scalb(p, -(int) n);
    }
}
