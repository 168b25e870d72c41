package dev.causalcxr.core.evaluation;

import dev.causalcxr.core.findings.Finding;
import dev.causalcxr.core.imaging.GrayImage;
import java.util.Collection;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

/**
 * One generated (counterfactual) image with the condition it was generated for: the set of findings
 * present in it. Its class comes from {@link PrimaryFindingTarget#classOfPresent}, like a real study's.
 *
 * @param sourceStudyId the (pseudonymous) study whose identity the image keeps, or null when unknown
 */
public record AugmentedSample(GrayImage image, Set<Finding> condition, String sourceStudyId) {

    public AugmentedSample(GrayImage image, Set<Finding> condition) {
        this(image, condition, null);
    }

    public AugmentedSample {
        Objects.requireNonNull(image, "image");
        condition = condition == null || condition.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(condition));
    }

    public static AugmentedSample of(GrayImage image, Finding finding) {
        return new AugmentedSample(image, finding == Finding.NO_FINDING ? Set.of() : Set.of(finding));
    }

    public static AugmentedSample of(GrayImage image, Collection<Finding> presentFindings) {
        return of(image, presentFindings, null);
    }

    public static AugmentedSample of(GrayImage image, Collection<Finding> presentFindings, String sourceStudyId) {
        return new AugmentedSample(
                image, presentFindings == null ? Set.of() : Set.copyOf(presentFindings), sourceStudyId);
    }
}
