package dev.causalcxr.core.imaging;

/**
 * Separable resampling. Downscaling averages the exact source area each output pixel covers (a
 * box filter with fractional edge weights), which removes the aliasing that point sampling gives
 * on rib edges and noise; upscaling interpolates linearly. Pure arithmetic, so bit-identical
 * everywhere.
 */
public final class Resampler {

    private Resampler() {}

    /** Resizes to exactly {@code width × height}. */
    public static GrayImage resize(GrayImage img, int width, int height) {
        if (width <= 0 || height <= 0) {
            throw new IllegalArgumentException("target size must be positive: " + width + "x" + height);
        }
        if (width == img.width() && height == img.height()) {
            return img;
        }
        double[] out = resize(img.toUnit(), img.width(), img.height(), width, height);
        return GrayImage.fromUnit(width, height, out);
    }

    /**
     * Fits the image into a {@code size × size} square keeping the aspect ratio: the longer side
     * becomes {@code size}, the shorter one is centred and padded with black (0), so no anatomy is
     * cropped away.
     */
    public static GrayImage fitSquare(GrayImage img, int size) {
        int w = img.width();
        int h = img.height();
        if (w == h) {
            return resize(img, size, size);
        }
        int tw = w >= h ? size : Math.max(1, (int) Math.round((double) w * size / h));
        int th = h >= w ? size : Math.max(1, (int) Math.round((double) h * size / w));
        GrayImage scaled = resize(img, tw, th);
        short[] out = new short[size * size];
        int ox = (size - tw) / 2;
        int oy = (size - th) / 2;
        short[] src = scaled.samples();
        for (int y = 0; y < th; y++) {
            System.arraycopy(src, y * tw, out, (y + oy) * size + ox, tw);
        }
        return GrayImage.wrap(size, size, out);
    }

    /** Resizes a row-major array of values; same filters as {@link #resize(GrayImage, int, int)}. */
    public static double[] resize(double[] src, int sw, int sh, int width, int height) {
        Kernel kx = Kernel.of(sw, width);
        Kernel ky = Kernel.of(sh, height);
        double[] tmp = new double[width * sh];
        for (int y = 0; y < sh; y++) {
            kx.apply(src, y * sw, 1, tmp, y * width, 1);
        }
        double[] out = new double[width * height];
        for (int x = 0; x < width; x++) {
            ky.apply(tmp, x, width, out, x, width);
        }
        return out;
    }

    /** Per output index: the first source index and the weights of consecutive sources. */
    private record Kernel(int[] start, double[][] weights) {

        static Kernel of(int n, int m) {
            int[] start = new int[m];
            double[][] weights = new double[m][];
            if (m < n) {
                double scale = (double) n / m;
                for (int i = 0; i < m; i++) {
                    double a = i * scale;
                    double b = (i + 1) * scale;
                    int j0 = (int) Math.floor(a);
                    int j1 = Math.min(n, (int) Math.ceil(b));
                    double[] w = new double[j1 - j0];
                    for (int j = j0; j < j1; j++) {
                        double overlap = Math.min(b, j + 1) - Math.max(a, j);
                        w[j - j0] = overlap / scale;
                    }
                    start[i] = j0;
                    weights[i] = w;
                }
            } else {
                for (int i = 0; i < m; i++) {
                    double c = (i + 0.5) * n / m - 0.5;
                    int j0 = (int) Math.floor(c);
                    double t = c - j0;
                    if (j0 < 0) {
                        j0 = 0;
                        t = 0;
                    }
                    if (j0 >= n - 1) {
                        j0 = n - 1;
                        t = 0;
                    }
                    start[i] = j0;
                    weights[i] = t == 0 ? new double[] {1} : new double[] {1 - t, t};
                }
            }
            return new Kernel(start, weights);
        }

        void apply(double[] src, int srcOff, int srcStride, double[] dst, int dstOff, int dstStride) {
            for (int i = 0; i < start.length; i++) {
                double[] w = weights[i];
                int p = srcOff + start[i] * srcStride;
                double acc = 0;
                for (double wk : w) {
                    acc += wk * src[p];
                    p += srcStride;
                }
                dst[dstOff + i * dstStride] = acc;
            }
        }
    }
}
