package dev.causalcxr.core.evaluation;

/**
 * Mean and sample standard deviation (n − 1; 0 for one value) of a metric over seeds. NaN values
 * (e.g. a tail recall with no tail class in the test split) are left out; all NaN gives NaN.
 */
public record MeanStd(double mean, double std, int count) {

    /** Student's t, 97.5th percentile, for 1..30 degrees of freedom. */
    private static final double[] T975 = {
        12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160, 2.145, 2.131,
        2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042
    };

    /**
     * Half-width of the 95 % t-interval of the mean over seeds (NaN below two values). It covers the seeds'
     * spread only, not which test studies were drawn: {@link PairedBootstrap} covers both.
     */
    public double ci95() {
        if (count < 2) {
            return Double.NaN;
        }
        double t = count - 1 <= T975.length ? T975[count - 2] : 1.960;
        return t * std / Math.sqrt(count);
    }

    public static MeanStd of(double[] values) {
        int n = 0;
        double sum = 0.0;
        for (double v : values) {
            if (!Double.isNaN(v)) {
                sum += v;
                n++;
            }
        }
        if (n == 0) {
            return new MeanStd(Double.NaN, Double.NaN, 0);
        }
        double mean = sum / n;
        double squares = 0.0;
        for (double v : values) {
            if (!Double.isNaN(v)) {
                squares += (v - mean) * (v - mean);
            }
        }
        return new MeanStd(mean, n > 1 ? Math.sqrt(squares / (n - 1)) : 0.0, n);
    }
}
