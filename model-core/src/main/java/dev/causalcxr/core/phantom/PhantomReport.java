package dev.causalcxr.core.phantom;

import dev.causalcxr.core.findings.FindingMention;
import java.util.List;

/**
 * A phantom study's free-text report and its exact ground truth: one mention per finding the
 * report states (present, negated as absent, or hedged as uncertain), with severity, laterality
 * and zone exactly as worded (unspecified where the text does not say).
 */
public record PhantomReport(String text, List<FindingMention> mentions) {

    public PhantomReport {
        mentions = List.copyOf(mentions);
    }
}
