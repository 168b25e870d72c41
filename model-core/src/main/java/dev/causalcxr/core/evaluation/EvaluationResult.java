package dev.causalcxr.core.evaluation;

/**
 * What the evaluate stage computed.
 *
 * @param target            the classification target (classes and priority)
 * @param downstream        real vs augmented classifiers
 * @param fidelity          in-domain fidelity of the generated images, or null when there were none
 * @param inceptionFidelity standard Inception fidelity, or null without an Inception file or generated images
 * @param featureNetwork    the in-domain feature network (saved as the stage output {@code feature-network})
 */
public record EvaluationResult(
        PrimaryFindingTarget target,
        DownstreamResult downstream,
        FidelityResult fidelity,
        FidelityResult inceptionFidelity,
        FeatureSpace featureNetwork) {}
