package dev.causalcxr.core.metrics.image;

/**
 * Structural similarity of two single-channel images, matching scikit-image's
 * {@code structural_similarity(a, b, data_range=R, gaussian_weights=True, sigma=1.5,
 * use_sample_covariance=False)}: local statistics under a Gaussian window (σ = 1.5, truncated at
 * 3.5σ, i.e. 11 × 11), with reflected borders (SciPy's "reflect" mode), K1 = 0.01, K2 = 0.03, and the
 * mean taken over the image with a 5-pixel border cropped.
 *
 * <p>Images are row-major {@code float[]} of {@code width × height}; statistics are in double.
 */
public final class Ssim {

    public static final double SIGMA = 1.5;
    public static final double K1 = 0.01;
    public static final double K2 = 0.03;
    /** SciPy's default truncation of the Gaussian filter, which scikit-image uses. */
    private static final double TRUNCATE = 3.5;
    /** Window radius: int(3.5 · 1.5 + 0.5) = 5, so the window is 11 pixels wide. */
    public static final int RADIUS = (int) (TRUNCATE * SIGMA + 0.5);

    private static final double[] KERNEL = gaussianKernel();

    private Ssim() {}

    /** Mean SSIM (scikit-image's value). */
    public static double compute(float[] a, float[] b, int width, int height, double dataRange) {
        return map(a, b, width, height, dataRange).mean();
    }

    /** Mean SSIM over the pixels where {@code mask} is true (see {@link SsimMap#meanOver}). */
    public static double computeOver(float[] a, float[] b, int width, int height, double dataRange, boolean[] mask) {
        return map(a, b, width, height, dataRange).meanOver(mask);
    }

    /** The per-pixel SSIM map. */
    public static SsimMap map(float[] a, float[] b, int width, int height, double dataRange) {
        int window = 2 * RADIUS + 1;
        if (width < window || height < window) {
            throw new IllegalArgumentException(
                    "SSIM needs images of at least " + window + "x" + window + " pixels, got " + width + "x" + height);
        }
        ImageErrors.requireSameSize(a, b, width, height);
        if (!(dataRange > 0)) {
            throw new IllegalArgumentException("data range must be positive, got " + dataRange);
        }
        int n = width * height;
        double[] x = new double[n];
        double[] y = new double[n];
        double[] xx = new double[n];
        double[] yy = new double[n];
        double[] xy = new double[n];
        for (int i = 0; i < n; i++) {
            double ai = a[i];
            double bi = b[i];
            x[i] = ai;
            y[i] = bi;
            xx[i] = ai * ai;
            yy[i] = bi * bi;
            xy[i] = ai * bi;
        }
        double[] scratch = new double[n];
        double[] meanX = blur(x, width, height, scratch);
        double[] meanY = blur(y, width, height, scratch);
        double[] meanXX = blur(xx, width, height, scratch);
        double[] meanYY = blur(yy, width, height, scratch);
        double[] meanXY = blur(xy, width, height, scratch);
        double c1 = (K1 * dataRange) * (K1 * dataRange);
        double c2 = (K2 * dataRange) * (K2 * dataRange);
        double[] values = new double[n];
        for (int i = 0; i < n; i++) {
            double ux = meanX[i];
            double uy = meanY[i];
            // population (biased) local variances: use_sample_covariance=False
            double vx = meanXX[i] - ux * ux;
            double vy = meanYY[i] - uy * uy;
            double vxy = meanXY[i] - ux * uy;
            double numerator = (2 * ux * uy + c1) * (2 * vxy + c2);
            double denominator = (ux * ux + uy * uy + c1) * (vx + vy + c2);
            values[i] = numerator / denominator;
        }
        return new SsimMap(values, width, height, RADIUS);
    }

    /** Separable Gaussian filter, rows then columns (SciPy filters axis 0 first; the sum is the same). */
    private static double[] blur(double[] image, int width, int height, double[] scratch) {
        // along x (within rows)
        for (int r = 0; r < height; r++) {
            int base = r * width;
            for (int c = 0; c < width; c++) {
                double sum = 0.0;
                for (int k = -RADIUS; k <= RADIUS; k++) {
                    sum += KERNEL[k + RADIUS] * image[base + reflect(c + k, width)];
                }
                scratch[base + c] = sum;
            }
        }
        double[] out = new double[image.length];
        // along y (within columns), reading row by row to stay contiguous
        for (int r = 0; r < height; r++) {
            int base = r * width;
            for (int k = -RADIUS; k <= RADIUS; k++) {
                double weight = KERNEL[k + RADIUS];
                int source = reflect(r + k, height) * width;
                for (int c = 0; c < width; c++) {
                    out[base + c] += weight * scratch[source + c];
                }
            }
        }
        return out;
    }

    /** SciPy "reflect" (half-sample symmetric): d c b a | a b c d | d c b a. */
    private static int reflect(int index, int size) {
        if (index < 0) {
            return -index - 1;
        }
        if (index >= size) {
            return 2 * size - 1 - index;
        }
        return index;
    }

    private static double[] gaussianKernel() {
        double[] kernel = new double[2 * RADIUS + 1];
        double sum = 0.0;
        for (int k = -RADIUS; k <= RADIUS; k++) {
            double w = Math.exp(-0.5 * k * k / (SIGMA * SIGMA));
            kernel[k + RADIUS] = w;
            sum += w;
        }
        for (int i = 0; i < kernel.length; i++) {
            kernel[i] /= sum;
        }
        return kernel;
    }
}
