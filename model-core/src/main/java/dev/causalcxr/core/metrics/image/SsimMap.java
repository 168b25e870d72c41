package dev.causalcxr.core.metrics.image;

/**
 * The local SSIM value at every pixel (row-major, {@code width × height}).
 *
 * @param values     SSIM per pixel; border pixels use reflected neighbourhoods
 * @param width      image width
 * @param height     image height
 * @param borderSkip pixels on each side left out of {@link #mean()}, as scikit-image crops them
 */
public record SsimMap(double[] values, int width, int height, int borderSkip) {

    /** Mean over the interior (borders of {@code borderSkip} pixels cropped): scikit-image's mean SSIM. */
    public double mean() {
        double sum = 0.0;
        long count = 0;
        for (int y = borderSkip; y < height - borderSkip; y++) {
            for (int x = borderSkip; x < width - borderSkip; x++) {
                sum += values[y * width + x];
                count++;
            }
        }
        return sum / count;
    }

    /**
     * Mean over the pixels where {@code mask} is true, borders included (a finding region may touch
     * the edge). NaN when the mask selects no pixel.
     */
    public double meanOver(boolean[] mask) {
        if (mask.length != values.length) {
            throw new IllegalArgumentException("mask has " + mask.length + " pixels, image " + values.length);
        }
        double sum = 0.0;
        long count = 0;
        for (int i = 0; i < values.length; i++) {
            if (mask[i]) {
                sum += values[i];
                count++;
            }
        }
        return count == 0 ? Double.NaN : sum / count;
    }
}
