package dev.causalcxr.core.metrics.image;

/** Pixel error metrics between two single-channel images (row-major {@code float[]}). */
public final class ImageErrors {

    private ImageErrors() {}

    static void requireSameSize(float[] a, float[] b, int width, int height) {
        if (width <= 0 || height <= 0 || a.length != (long) width * height || b.length != a.length) {
            throw new IllegalArgumentException(
                    "images must both have " + width + "x" + height + " pixels, got " + a.length + " and " + b.length);
        }
    }

    public static double meanSquaredError(float[] a, float[] b) {
        requireSameLength(a, b);
        double sum = 0.0;
        for (int i = 0; i < a.length; i++) {
            double diff = (double) a[i] - b[i];
            sum += diff * diff;
        }
        return sum / a.length;
    }

    public static double meanAbsoluteError(float[] a, float[] b) {
        requireSameLength(a, b);
        double sum = 0.0;
        for (int i = 0; i < a.length; i++) {
            sum += Math.abs((double) a[i] - b[i]);
        }
        return sum / a.length;
    }

    /**
     * Peak signal-to-noise ratio 10·log10(R² / MSE) in dB, as scikit-image's
     * {@code peak_signal_noise_ratio}; +∞ for identical images.
     */
    public static double psnr(float[] a, float[] b, double dataRange) {
        return psnrFromMse(meanSquaredError(a, b), dataRange);
    }

    /** PSNR over the pixels where {@code mask} is true; NaN when the mask selects no pixel. */
    public static double psnr(float[] a, float[] b, double dataRange, boolean[] mask) {
        double mse = meanSquaredError(a, b, mask);
        return Double.isNaN(mse) ? Double.NaN : psnrFromMse(mse, dataRange);
    }

    /** Mean squared error over the pixels where {@code mask} is true; NaN when the mask selects no pixel. */
    public static double meanSquaredError(float[] a, float[] b, boolean[] mask) {
        requireSameLength(a, b);
        requireMask(a, mask);
        double sum = 0.0;
        int count = 0;
        for (int i = 0; i < a.length; i++) {
            if (mask[i]) {
                double diff = (double) a[i] - b[i];
                sum += diff * diff;
                count++;
            }
        }
        return count == 0 ? Double.NaN : sum / count;
    }

    /** Mean absolute error inside and outside a mask. */
    public static MaskedError maskedAbsoluteError(float[] a, float[] b, boolean[] mask) {
        requireSameLength(a, b);
        requireMask(a, mask);
        double inside = 0.0;
        double outside = 0.0;
        int insideCount = 0;
        for (int i = 0; i < a.length; i++) {
            double error = Math.abs((double) a[i] - b[i]);
            if (mask[i]) {
                inside += error;
                insideCount++;
            } else {
                outside += error;
            }
        }
        int outsideCount = a.length - insideCount;
        return new MaskedError(
                insideCount == 0 ? Double.NaN : inside / insideCount,
                outsideCount == 0 ? Double.NaN : outside / outsideCount,
                insideCount,
                outsideCount);
    }

    /** The complement of a mask (for "outside the finding's region" metrics). */
    public static boolean[] invert(boolean[] mask) {
        boolean[] out = new boolean[mask.length];
        for (int i = 0; i < mask.length; i++) {
            out[i] = !mask[i];
        }
        return out;
    }

    private static double psnrFromMse(double mse, double dataRange) {
        if (!(dataRange > 0)) {
            throw new IllegalArgumentException("data range must be positive, got " + dataRange);
        }
        return 10.0 * Math.log10(dataRange * dataRange / mse);
    }

    private static void requireSameLength(float[] a, float[] b) {
        if (a.length != b.length || a.length == 0) {
            throw new IllegalArgumentException("images differ in size: " + a.length + " vs " + b.length + " pixels");
        }
    }

    private static void requireMask(float[] a, boolean[] mask) {
        if (mask.length != a.length) {
            throw new IllegalArgumentException("mask has " + mask.length + " pixels, image " + a.length);
        }
    }
}
