package dev.causalcxr.activities.retrain;

/**
 * A frozen, patient-disjoint test split the champion and challenger are compared on.
 *
 * @param dataset        the data set version's name
 * @param version        its version digest
 * @param role           {@code old} (the champion's training data) or {@code new}
 * @param ingestManifest the manifest that publishes it as the {@code ingest} stage's output
 * @param testDigest     SHA-256 of its test entries
 * @param testStudies    how many test studies it has
 */
public record TestSplit(
        String dataset, String version, String role, String ingestManifest, String testDigest, int testStudies) {}
