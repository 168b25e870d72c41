package dev.causalcxr.core.metrics.probe;

/**
 * Outcome of a linear probe on its held-out split.
 *
 * @param balancedAccuracy       mean per-class recall on the test split
 * @param accuracy               plain accuracy on the test split
 * @param chanceBalancedAccuracy balanced accuracy of a constant or random guess: 1 / classes in the test split
 * @param classCount             distinct labels in the data
 * @param trainCount             training samples
 * @param testCount              test samples
 * @param iterations             L-BFGS iterations used
 * @param trainLoss              final training objective
 */
public record ProbeResult(
        double balancedAccuracy,
        double accuracy,
        double chanceBalancedAccuracy,
        int classCount,
        int trainCount,
        int testCount,
        int iterations,
        double trainLoss) {}
