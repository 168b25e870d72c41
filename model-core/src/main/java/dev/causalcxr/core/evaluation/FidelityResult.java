package dev.causalcxr.core.evaluation;

import dev.causalcxr.core.metrics.fidelity.FidelityReport;
import java.util.SortedMap;

/**
 * Fidelity of generated against real images in one feature space.
 *
 * @param space    the feature network that produced the features (name, digest, dimension)
 * @param overall  FID, KID and PRDC over all images
 * @param perClass per class key (e.g. {@code pleural_effusion}) with enough samples on both sides; empty
 *                 when the generated images carry no labels
 */
public record FidelityResult(FeatureSpace space, FidelityReport overall, SortedMap<String, FidelityReport> perClass) {}
