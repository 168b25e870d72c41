package dev.causalcxr.core.metrics.fidelity;

/**
 * Kernel Inception Distance: the unbiased MMD² with the cubic polynomial kernel, averaged over
 * random subsets.
 *
 * @param mean       mean of the per-subset estimates
 * @param std        population standard deviation of the per-subset estimates (ddof = 0, as
 *                   torch-fidelity reports it)
 * @param subsets    number of subsets
 * @param subsetSize samples drawn (without replacement) from each set per subset
 */
public record KidResult(double mean, double std, int subsets, int subsetSize) {}
