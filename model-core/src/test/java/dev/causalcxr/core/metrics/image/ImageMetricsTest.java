package dev.causalcxr.core.metrics.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ImageMetricsTest {

    static final int WIDTH = 40;
    static final int HEIGHT = 32;

    @Test
    void identicalImagesHaveSsimOneAndInfinitePsnr() {
        float[] image = noise(WIDTH * HEIGHT, 1);
        assertEquals(1.0, Ssim.compute(image, image, WIDTH, HEIGHT, 1.0), 0.0);
        assertEquals(Double.POSITIVE_INFINITY, ImageErrors.psnr(image, image, 1.0));
    }

    @Test
    void constantImagesReduceToTheLuminanceTerm() {
        float[] a = new float[WIDTH * HEIGHT];
        float[] b = new float[WIDTH * HEIGHT];
        Arrays.fill(a, 0.25f);
        Arrays.fill(b, 0.75f);
        // no variance: SSIM = (2·0.25·0.75 + C1) / (0.25² + 0.75² + C1) with C1 = (0.01·1)²
        double c1 = 1e-4;
        double expected = (2 * 0.25 * 0.75 + c1) / (0.0625 + 0.5625 + c1);
        assertEquals(expected, Ssim.compute(a, b, WIDTH, HEIGHT, 1.0), 1e-9);
        // PSNR: MSE = 0.25 → 10·log10(1 / 0.25)
        assertEquals(10 * Math.log10(4.0), ImageErrors.psnr(a, b, 1.0), 1e-12);
    }

    @Test
    void noiseLowersSsimMonotonically() {
        float[] clean = smoothPattern();
        float[] light = add(clean, noise(clean.length, 2), 0.02f);
        float[] heavy = add(clean, noise(clean.length, 2), 0.2f);
        double ssimLight = Ssim.compute(clean, light, WIDTH, HEIGHT, 1.0);
        double ssimHeavy = Ssim.compute(clean, heavy, WIDTH, HEIGHT, 1.0);
        assertTrue(ssimLight > ssimHeavy && ssimLight < 1.0 && ssimHeavy > -1.0, ssimLight + " " + ssimHeavy);
        assertTrue(ImageErrors.psnr(clean, light, 1.0) > ImageErrors.psnr(clean, heavy, 1.0));
    }

    @Test
    void maskedMetricsSeparateInsideFromOutside() {
        float[] source = smoothPattern();
        float[] edited = source.clone();
        boolean[] mask = new boolean[source.length];
        for (int y = 10; y < 20; y++) {
            for (int x = 12; x < 24; x++) {
                mask[y * WIDTH + x] = true;
                edited[y * WIDTH + x] += 0.5f;
            }
        }
        MaskedError error = ImageErrors.maskedAbsoluteError(source, edited, mask);
        assertEquals(120, error.insidePixels());
        assertEquals(WIDTH * HEIGHT - 120, error.outsidePixels());
        assertEquals(0.5, error.insideMeanAbsoluteError(), 1e-6);
        assertEquals(0.0, error.outsideMeanAbsoluteError(), 0.0);
        assertEquals(Double.POSITIVE_INFINITY, ImageErrors.psnr(source, edited, 1.0, ImageErrors.invert(mask)));
        assertEquals(10 * Math.log10(4.0), ImageErrors.psnr(source, edited, 1.0, mask), 1e-5);

        SsimMap map = Ssim.map(source, edited, WIDTH, HEIGHT, 1.0);
        boolean[] farFromEdit = new boolean[mask.length];
        for (int y = 0; y < 4; y++) {
            for (int x = 0; x < WIDTH; x++) {
                farFromEdit[y * WIDTH + x] = true; // more than a window radius away from the edit
            }
        }
        assertEquals(1.0, map.meanOver(farFromEdit), 1e-12);
        assertTrue(map.meanOver(mask) < 0.9);
        boolean[] everything = new boolean[mask.length];
        Arrays.fill(everything, true);
        assertEquals(Arrays.stream(map.values()).average().orElseThrow(), map.meanOver(everything), 1e-12);
        assertTrue(Double.isNaN(map.meanOver(new boolean[mask.length])));
    }

    @Test
    void tooSmallImagesAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> Ssim.compute(new float[100], new float[100], 10, 10, 1.0));
    }

    static float[] smoothPattern() {
        float[] image = new float[WIDTH * HEIGHT];
        for (int y = 0; y < HEIGHT; y++) {
            for (int x = 0; x < WIDTH; x++) {
                image[y * WIDTH + x] = (float) (0.5 + 0.3 * Math.sin(x / 5.0) * Math.cos(y / 7.0));
            }
        }
        return image;
    }

    static float[] noise(int n, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            out[i] = (float) random.nextDouble();
        }
        return out;
    }

    static float[] add(float[] a, float[] b, float weight) {
        float[] out = new float[a.length];
        for (int i = 0; i < a.length; i++) {
            out[i] = a[i] + weight * (b[i] - 0.5f);
        }
        return out;
    }
}
