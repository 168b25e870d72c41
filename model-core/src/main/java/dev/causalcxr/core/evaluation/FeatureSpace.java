package dev.causalcxr.core.evaluation;

/**
 * Which network produced a set of features: recorded with every fidelity metric, since an FID is only
 * comparable with FIDs of the same feature space.
 *
 * @param name      network name, e.g. {@code in-domain/resnet-16-32-64-128x1@64} or {@code inception}
 * @param digest    SHA-256 (hex) of the network file; for precomputed matrices, null
 * @param dimension feature dimension
 */
public record FeatureSpace(String name, String digest, int dimension) {

    /** Features that came in as matrices: the network that made them is not known here. */
    public static FeatureSpace precomputed(int dimension) {
        return new FeatureSpace("precomputed", null, dimension);
    }
}
