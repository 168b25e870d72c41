package dev.causalcxr.core.labels;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/**
 * Where the finding labels come from that every stage after {@code parse-reports} trains and is
 * evaluated on: the disentangler's finding targets and pathology groups, the diffusion conditions,
 * the tail classes, the counterfactual requests and the downstream targets.
 */
public enum LabelSource {
    /** The report parser's findings (severity, laterality and zone included): what a site with reports has. */
    REPORTS,
    /** The dataset's own label columns (CheXpert- or NIH-style CSVs): presence only, no severity or location. */
    DATASET,
    /** The phantom's ground truth: an oracle, for ablations against the parser only. */
    TRUTH;

    /** The spelling used in specs, files and metric names. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<LabelSource> fromLabel(String label) {
        if (label == null) {
            return Optional.empty();
        }
        return Arrays.stream(values())
                .filter(s -> s.label().equals(label.trim().toLowerCase(Locale.ROOT)))
                .findFirst();
    }

    /** The labels of every source, for error messages: {@code reports, dataset, truth}. */
    public static String labels() {
        return String.join(", ", Arrays.stream(values()).map(LabelSource::label).toList());
    }

    @Override
    public String toString() {
        return label();
    }
}
