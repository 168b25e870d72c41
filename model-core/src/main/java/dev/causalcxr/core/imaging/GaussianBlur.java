package dev.causalcxr.core.imaging;

/**
 * Separable Gaussian blur of a row-major image, edges mirrored: the phantom detector's point spread, and the smoothing
 * of a counterfactual's change before it is masked.
 */
public final class GaussianBlur {

    private GaussianBlur() {}

    /**
     * @param image  row-major values, {@code width × height}
     * @param sigma  standard deviation in pixels (> 0)
     * @return a new blurred image
     */
    public static double[] blur(double[] image, int width, int height, double sigma) {
        if (!(sigma > 0)) {
            throw new IllegalArgumentException("sigma must be > 0: " + sigma);
        }
        int radius = Math.max(1, (int) Math.ceil(3 * sigma));
        double[] kernel = new double[2 * radius + 1];
        double sum = 0;
        for (int i = -radius; i <= radius; i++) {
            kernel[i + radius] = Math.exp(-0.5 * i * i / (sigma * sigma));
            sum += kernel[i + radius];
        }
        for (int i = 0; i < kernel.length; i++) {
            kernel[i] /= sum;
        }
        double[] rows = new double[image.length];
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                double acc = 0;
                for (int i = -radius; i <= radius; i++) {
                    acc += kernel[i + radius] * image[y * width + mirror(x + i, width)];
                }
                rows[y * width + x] = acc;
            }
        }
        double[] out = new double[image.length];
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                double acc = 0;
                for (int i = -radius; i <= radius; i++) {
                    acc += kernel[i + radius] * rows[mirror(y + i, height) * width + x];
                }
                out[y * width + x] = acc;
            }
        }
        return out;
    }

    /** Reflects an index into 0..n-1 (…, 1, 0 | 0, 1, …, n-1 | n-1, n-2, …). */
    private static int mirror(int i, int n) {
        int period = 2 * n;
        int m = Math.floorMod(i, period);
        return m < n ? m : period - 1 - m;
    }
}
