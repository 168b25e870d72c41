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
     * MeSH indexing, as the Indiana University coders applied it and NLM's gold standard follows it.
     * Where it differs from {@link #CHEXPERT}:
     * <ul>
     *   <li>headings of their own, so not one of our findings: pulmonary congestion and heart failure
     *       (not Edema), infection and aspiration (not Pneumonia), volume loss (not Atelectasis), an
     *       enlarged cardiac silhouette (Cardiac Shadow: the heart or fluid around it, not Cardiomegaly),
     *       hydropneumothorax, neoplasm and metastasis (not Lung Lesion), and Density, Markings, Cicatrix
     *       and Fibrosis (not Lung Opacity);</li>
     *   <li>a nodular opacity is coded as a (round) opacity, not a nodule;</li>
     *   <li>a chest mass outside the lung (mediastinal, paratracheal, chest wall, breast) is a Mass, indexed
     *       with its site; CheXpert's Mass is a lung mass;</li>
     *   <li>a borderline heart is Cardiomegaly/borderline and a prominent mediastinum
     *       Mediastinum/prominent: present;</li>
     *   <li>findings the radiologist calls probable, likely, favored or most suggestive of, and the
     *       alternatives of "X versus Y", are indexed: present. Possible, may, could, cannot be
     *       excluded, suspicious for and concerning for stay uncertain.</li>
     * </ul>
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
