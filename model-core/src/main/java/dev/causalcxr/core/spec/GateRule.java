package dev.causalcxr.core.spec;

/**
 * One rule of a promotion gate: a metric on one test split (or on every split), and how the challenger's value must
 * compare with the champion's.
 *
 * @param text      the rule as the spec writes it ({@code site-b.fid: improves}), for the record
 * @param split     the test split it applies to: a data set's name, {@code old} (the champion's) or {@code new}
 *                  (the new data set's); null for every split
 * @param metric    the metric
 * @param kind      how it compares
 * @param threshold for {@code improves} the smallest gain (0: any), for {@code max_drop} the largest allowed
 *                  worsening, for {@code min} the smallest allowed challenger value; 0 otherwise
 */
public record GateRule(String text, String split, GateMetric metric, Kind kind, double threshold) {

    public enum Kind {
        /** The challenger is strictly better (by at least the threshold when it has one). */
        IMPROVES("improves"),
        /** The challenger is at least as good. */
        NOT_WORSE("not_worse"),
        /** The challenger is worse by at most the threshold (in the metric's own units). */
        MAX_DROP("max_drop"),
        /** The challenger reaches the threshold (in the metric's better direction). */
        MIN("min"),
        /**
         * The challenger is better with a 95 % paired interval that excludes 0: its classifiers and the champion's,
         * trained with the same seeds, scored on the same test studies (downstream metrics of the augmented arm).
         */
        IMPROVES_SIGNIFICANTLY("improves_significantly");

        private final String label;

        Kind(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    /** The split names every retrain knows: the champion's training data and the new data. */
    public static final String OLD = "old";

    public static final String NEW = "new";

    /** Whether the rule applies to a split with this data set name and role ({@link #OLD} or {@link #NEW}). */
    public boolean appliesTo(String datasetName, String role) {
        return split == null || split.equals(datasetName) || split.equals(role);
    }
}
