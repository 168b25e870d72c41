package dev.causalcxr.core.reports.rules;

import java.util.Locale;

/**
 * Which labelling convention the rule-based extractor follows where conventions disagree about what a
 * phrase means. Negation, uncertainty scope, sections and attributes are the same under both.
 */
public enum LabelConvention {

    /**
     * The project's default, after the CheXpert labeller's phrase lists: vascular congestion and heart
     * failure are Edema, infection is Pneumonia, a nodular opacity is a Nodule, volume loss is
     * Atelectasis, and probable, likely and "X versus Y" are uncertain. The development set, the
     * phantom's reports and the pipeline use it.
     */
    CHEXPERT,

    /**
     * MeSH indexing, as the Indiana University coders applied it and NLM's gold standard follows it:
     * each of pulmonary congestion, heart failure, infection, aspiration and volume loss is its own
     * heading and none is Edema, Pneumonia or Atelectasis; a nodular opacity or density is coded as a
     * (round) opacity, not a nodule; a borderline heart is coded Cardiomegaly/borderline; and the
     * findings a radiologist calls probable or likely, or names as alternatives ("atelectasis versus
     * infiltrate"), are indexed. Possible, may, could, cannot be excluded, suspicious and concerning for
     * stay uncertain.
     */
    MESH;

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** {@code chexpert} or {@code mesh}, case-insensitive. */
    public static LabelConvention fromLabel(String label) {
        for (LabelConvention c : values()) {
            if (c.label().equalsIgnoreCase(label == null ? "" : label.trim())) {
                return c;
            }
        }
        throw new IllegalArgumentException("unknown label convention '" + label + "' (use chexpert or mesh)");
    }
}
