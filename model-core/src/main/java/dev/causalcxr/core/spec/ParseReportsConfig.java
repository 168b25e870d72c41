package dev.causalcxr.core.spec;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.causalcxr.core.labels.LabelSource;
import java.util.Arrays;
import java.util.Optional;

/**
 * The {@code stages.parse-reports} block. The stage parses every report and publishes the finding
 * labels that every later stage trains and is evaluated on.
 *
 * @param extractor        {@code rules} (offline, default) or {@code llm} (an OpenAI-compatible endpoint)
 * @param labels           where the labels come from: {@code reports}, {@code dataset} or {@code truth};
 *                         null (the default) means reports when the dataset has reports, else its label columns
 * @param extractorVersion not part of a spec: the version of the extractor the run was planned with
 *                         ({@code ReportExtractors.version}), set by the planner so that it is in the stage's
 *                         cache key; null in a spec
 * @param tailFrequency    the spec's tail threshold (its top-level {@code tail_frequency}, not a key of this
 *                         block): the condition vocabulary marks findings rarer than it as tail classes
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ParseReportsConfig(String extractor, String labels, String extractorVersion, double tailFrequency) {

    static ParseReportsConfig read(ConfigNode n, double tailFrequency) {
        String extractor = n.string("extractor", "rules", "rules", "llm");
        String labels = null;
        if (n.has("labels")) {
            String[] allowed =
                    Arrays.stream(LabelSource.values()).map(LabelSource::label).toArray(String[]::new);
            labels = n.string("labels", null, allowed);
        }
        n.rejectUnknownKeys();
        return new ParseReportsConfig(extractor, labels, null, tailFrequency);
    }

    /** The rule-based extractor, labels from the reports when there are any, the default tail threshold. */
    public static ParseReportsConfig defaults() {
        return new ParseReportsConfig("rules", null, null, SpecDefaults.TAIL_FREQUENCY);
    }

    /** The configured label source, if the spec names one. */
    public Optional<LabelSource> labelSource() {
        return LabelSource.fromLabel(labels);
    }

    /** This block pinned to the extractor version a run is planned with. */
    public ParseReportsConfig withExtractorVersion(String version) {
        return new ParseReportsConfig(extractor, labels, version, tailFrequency);
    }
}
