package dev.causalcxr.core.retrain;

/**
 * One rule's outcome on one split.
 *
 * @param rule       the rule as the spec writes it (or {@code min_test_studies: N})
 * @param split      the data set whose test split it was checked on
 * @param metric     the metric key read (null for the test count)
 * @param champion   the champion's value (null when not measured or not compared)
 * @param challenger the challenger's value (null when not measured)
 * @param passed     whether the challenger satisfied it
 * @param detail     why, in words
 */
public record RuleOutcome(
        String rule, String split, String metric, Double champion, Double challenger, boolean passed, String detail) {

    /** One line for a person: {@code PASS site-b: site-b.fid: improves (41.2 → 37.9)}. */
    public String line() {
        return (passed ? "PASS " : "FAIL ") + split + ": " + rule + " (" + detail + ")";
    }
}
