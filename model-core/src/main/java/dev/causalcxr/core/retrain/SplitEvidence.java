package dev.causalcxr.core.retrain;

import java.util.Map;

/**
 * What a gate compares on one frozen test split: champion's and challenger's metrics measured on it, and the split
 * itself by name, role and digest.
 *
 * @param dataset     the data set whose test split it is
 * @param role        {@code old} (the champion's training data) or {@code new} (the data the retrain added)
 * @param testDigest  SHA-256 of the split's sorted entries (which studies, which images)
 * @param testStudies how many studies it has
 * @param champion    the champion's metrics on it
 * @param challenger  the challenger's metrics on it
 */
public record SplitEvidence(
        String dataset,
        String role,
        String testDigest,
        int testStudies,
        Map<String, Double> champion,
        Map<String, Double> challenger) {}
