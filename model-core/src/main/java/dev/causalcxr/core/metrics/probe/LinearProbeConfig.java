package dev.causalcxr.core.metrics.probe;

/**
 * Settings of a linear probe.
 *
 * @param l2Penalty         λ in  mean cross-entropy + λ/2 ‖W‖² (biases not penalized), on
 *                          standardized features
 * @param testFraction      fraction of each class held out for testing (stratified)
 * @param maxIterations     L-BFGS iteration cap
 * @param gradientTolerance stop when the largest gradient component falls below this
 * @param seed              seed of the train/test split
 */
public record LinearProbeConfig(
        double l2Penalty, double testFraction, int maxIterations, double gradientTolerance, long seed) {

    public LinearProbeConfig {
        if (!(l2Penalty >= 0)
                || !(testFraction > 0 && testFraction < 1)
                || maxIterations < 1
                || !(gradientTolerance > 0)) {
            throw new IllegalArgumentException("invalid probe config: λ=" + l2Penalty + ", test fraction="
                    + testFraction + ", iterations=" + maxIterations + ", tolerance=" + gradientTolerance);
        }
    }

    /** λ = 1e-3, a quarter held out, up to 500 iterations. */
    public static LinearProbeConfig defaults(long seed) {
        return new LinearProbeConfig(1e-3, 0.25, 500, 1e-6, seed);
    }
}
