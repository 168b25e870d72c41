package dev.causalcxr.core.imaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ResamplerTest {

    private static GrayImage checkerboard(int n) {
        short[] px = new short[n * n];
        for (int y = 0; y < n; y++) {
            for (int x = 0; x < n; x++) {
                px[y * n + x] = (short) (((x + y) & 1) == 0 ? 0xFFFF : 0);
            }
        }
        return GrayImage.of(n, n, px);
    }

    @Test
    void downscalingAveragesAwayPixelPatternsInsteadOfAliasing() {
        // point sampling would return all-white or all-black; area averaging gives uniform mid grey
        GrayImage small = Resampler.resize(checkerboard(256), 64, 64);
        for (int y = 0; y < 64; y++) {
            for (int x = 0; x < 64; x++) {
                assertEquals(0.5, small.getUnit(x, y), 0.001);
            }
        }
        GrayImage odd = Resampler.resize(checkerboard(256), 37, 37);
        for (int y = 0; y < 37; y++) {
            for (int x = 0; x < 37; x++) {
                assertEquals(0.5, odd.getUnit(x, y), 0.03);
            }
        }
    }

    @Test
    void resizingKeepsTheMeanBrightness() {
        GrayImage img = TestImages.gradient(200, 150, 3);
        GrayImage small = Resampler.resize(img, 64, 48);
        assertEquals(img.meanUnit(0, 0, 200, 150), small.meanUnit(0, 0, 64, 48), 0.002);
        GrayImage big = Resampler.resize(TestImages.gradient(20, 20, 1), 80, 80);
        assertEquals(80, big.width());
    }

    @Test
    void fitSquareKeepsAspectAndPadsWithBlack() {
        GrayImage wide = GrayImage.fromUnit(200, 100, filled(200 * 100, 1.0));
        GrayImage sq = Resampler.fitSquare(wide, 64);
        assertEquals(64, sq.width());
        assertEquals(64, sq.height());
        assertEquals(0, sq.get(32, 0));
        assertEquals(0xFFFF, sq.get(32, 32));
        assertTrue(sq.meanUnit(0, 0, 64, 64) > 0.45 && sq.meanUnit(0, 0, 64, 64) < 0.55);
    }

    private static double[] filled(int n, double v) {
        double[] a = new double[n];
        java.util.Arrays.fill(a, v);
        return a;
    }
}
