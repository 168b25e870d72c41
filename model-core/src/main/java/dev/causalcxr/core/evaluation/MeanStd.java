package dev.causalcxr.core.evaluation;

/**
 * Mean and sample standard deviation (n − 1; 0 for one value) of a metric over seeds. NaN values
 * (e.g. a tail recall with no tail class in the test split) are left out; all NaN gives NaN.
 */
public record MeanStd(double mean, double std, int count) {

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
