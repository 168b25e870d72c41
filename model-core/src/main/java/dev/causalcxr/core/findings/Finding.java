package dev.causalcxr.core.findings;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/** The canonical finding vocabulary: the 14-observation CXR label set plus Nodule and Mass. */
public enum Finding {
    NO_FINDING("No Finding"),
    ENLARGED_CARDIOMEDIASTINUM("Enlarged Cardiomediastinum"),
    CARDIOMEGALY("Cardiomegaly"),
    LUNG_OPACITY("Lung Opacity"),
    LUNG_LESION("Lung Lesion"),
    NODULE("Nodule"),
    MASS("Mass"),
    EDEMA("Edema"),
    CONSOLIDATION("Consolidation"),
    PNEUMONIA("Pneumonia"),
    ATELECTASIS("Atelectasis"),
    PNEUMOTHORAX("Pneumothorax"),
    PLEURAL_EFFUSION("Pleural Effusion"),
    PLEURAL_OTHER("Pleural Other"),
    FRACTURE("Fracture"),
    SUPPORT_DEVICES("Support Devices");

    private final String label;

    Finding(String label) {
        this.label = label;
    }

    /** The exact canonical string used in files, specs and metrics. */
    public String label() {
        return label;
    }

    /** Snake-case key for metric names, e.g. {@code pleural_effusion}. */
    public String key() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<Finding> fromLabel(String label) {
        if (label == null) {
            return Optional.empty();
        }
        String t = label.trim();
        return Arrays.stream(values())
                .filter(f -> f.label.equalsIgnoreCase(t)
                        || f.name().equalsIgnoreCase(t)
                        || f.key().equalsIgnoreCase(t))
                .findFirst();
    }

    /**
     * Null when {@link #fromLabel} knows the label, else what a spec says about it: {@code unknown finding 'X'
     * (findings: …)}.
     */
    public static String labelProblem(String label) {
        return fromLabel(label).isPresent() ? null : "unknown finding '" + label + "' (findings: " + labels() + ")";
    }

    /** Every finding's label, comma-separated. */
    public static String labels() {
        return String.join(", ", Arrays.stream(values()).map(Finding::label).toList());
    }

    @Override
    public String toString() {
        return label;
    }
}
