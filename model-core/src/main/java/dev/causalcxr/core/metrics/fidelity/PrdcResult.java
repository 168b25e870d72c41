package dev.causalcxr.core.metrics.fidelity;

/**
 * Precision, recall, density and coverage of generated samples against real ones (Naeem et al.
 * 2020, "Reliable Fidelity and Diversity Metrics for Generative Models").
 *
 * @param precision fraction of generated samples inside some real sample's k-NN ball
 * @param recall    fraction of real samples inside some generated sample's k-NN ball
 * @param density   mean number of real k-NN balls containing a generated sample, divided by k
 *                  (≈ 1 when the two distributions match; can exceed 1)
 * @param coverage  fraction of real samples whose k-NN ball contains at least one generated sample
 * @param nearestK  k
 * @param realCount number of real samples
 * @param fakeCount number of generated samples
 */
public record PrdcResult(
        double precision, double recall, double density, double coverage, int nearestK, int realCount, int fakeCount) {}
