package dev.causalcxr.core.metrics.classification;

/**
 * A 95 % Wilson score interval for a proportion {@code successes / trials} (what statsmodels'
 * {@code proportion_confint(method="wilson")} gives). Used where a precision or recall rests on a handful
 * of cases: for a label with ten positives one error moves the point estimate by 0.1, and the interval
 * says so. Wilson rather than the normal approximation because it stays inside [0, 1] and is not
 * degenerate at 0 or n successes.
 *
 * @param low  lower bound, NaN when there were no trials
 * @param high upper bound, NaN when there were no trials
 */
public record ProportionInterval(double low, double high) {

    /** The two-sided 97.5 % normal quantile. */
    static final double Z95 = 1.959963984540054;

    public static ProportionInterval wilson95(int successes, int trials) {
        if (successes < 0 || trials < 0 || successes > trials) {
            throw new IllegalArgumentException(
                    "need 0 <= successes <= trials (got " + successes + " of " + trials + ")");
        }
        if (trials == 0) {
            return new ProportionInterval(Double.NaN, Double.NaN);
        }
        double n = trials;
        double p = successes / n;
        double z2 = Z95 * Z95;
        double denominator = 1 + z2 / n;
        double centre = (p + z2 / (2 * n)) / denominator;
        double half = Z95 / denominator * Math.sqrt(p * (1 - p) / n + z2 / (4 * n * n));
        // the bounds are exactly 0 and 1 at 0 and n successes; rounding must not push them past
        double low = successes == 0 ? 0.0 : Math.max(0.0, centre - half);
        double high = successes == trials ? 1.0 : Math.min(1.0, centre + half);
        return new ProportionInterval(low, high);
    }
}
