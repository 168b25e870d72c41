package dev.causalcxr.core.metrics.fidelity;

/**
 * Settings of a fidelity evaluation.
 *
 * @param kidSubsets    number of KID subsets
 * @param kidSubsetSize samples per set in each KID subset (capped at the smaller set)
 * @param nearestK      k of the precision / recall / density / coverage balls
 * @param seed          seed of the KID subset draws
 */
public record FidelityConfig(int kidSubsets, int kidSubsetSize, int nearestK, long seed) {

    public FidelityConfig {
        if (kidSubsets < 1 || kidSubsetSize < 2 || nearestK < 1) {
            throw new IllegalArgumentException(
                    "invalid fidelity config: " + kidSubsets + " subsets of " + kidSubsetSize + ", k = " + nearestK);
        }
    }

    /** 100 KID subsets of 1,000 and k = 5, the customary settings. */
    public static FidelityConfig defaults(long seed) {
        return new FidelityConfig(
                KernelInceptionDistance.DEFAULT_SUBSETS,
                KernelInceptionDistance.DEFAULT_SUBSET_SIZE,
                PrecisionRecallDensityCoverage.DEFAULT_NEAREST_K,
                seed);
    }

    /** The fewest samples per set for which every metric is defined: k + 1 (PRDC), and at least 2. */
    public int minimumSamples() {
        return Math.max(2, nearestK + 1);
    }
}
