package dev.causalcxr.core.counterfactual;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

class ChangeMaskTest {

    private static final int SIZE = 64;

    /** A 6 × 6 lesion of +0.2 at (40, 20) on ±0.01 noise everywhere. */
    private static float[] lesionOnNoise() {
        Random r = new Random(3);
        float[] delta = new float[SIZE * SIZE];
        for (int p = 0; p < delta.length; p++) {
            delta[p] = (float) (0.01 * (2 * r.nextDouble() - 1));
        }
        for (int y = 20; y < 26; y++) {
            for (int x = 40; x < 46; x++) {
                delta[y * SIZE + x] += 0.2f;
            }
        }
        return delta;
    }

    @Test
    void keepsALocalChangeWholeAndDropsTheNoiseAroundIt() {
        float[] mask = ChangeMask.weights(lesionOnNoise(), SIZE, SIZE, 0.3);
        for (int y = 21; y < 25; y++) {
            for (int x = 41; x < 45; x++) {
                assertEquals(1f, mask[y * SIZE + x], "inside the lesion (" + x + ", " + y + ")");
            }
        }
        int kept = 0;
        for (float m : mask) {
            kept += m > 0 ? 1 : 0;
        }
        assertTrue(kept < 150, "only the lesion and its rim are kept, not the noise: " + kept + " pixels");
        assertEquals(0f, mask[5 * SIZE + 5], "far from the lesion");
    }

    @Test
    void aHigherThresholdKeepsLess() {
        float[] delta = lesionOnNoise();
        float[] loose = ChangeMask.weights(delta, SIZE, SIZE, 0.1);
        float[] strict = ChangeMask.weights(delta, SIZE, SIZE, 0.9);
        double a = 0;
        double b = 0;
        for (int p = 0; p < delta.length; p++) {
            assertTrue(strict[p] <= loose[p], "pixel " + p);
            a += loose[p];
            b += strict[p];
        }
        assertTrue(b < a);
    }

    @Test
    void aChangeOverTheWholeImageIsKeptWhole() {
        float[] delta = new float[SIZE * SIZE];
        java.util.Arrays.fill(delta, -0.05f);
        float[] ones = new float[delta.length];
        java.util.Arrays.fill(ones, 1f);
        assertArrayEquals(ones, ChangeMask.weights(delta, SIZE, SIZE, 0.3), 1e-6f);
    }

    @Test
    void noChangeKeepsNothing() {
        assertArrayEquals(new float[SIZE * SIZE], ChangeMask.weights(new float[SIZE * SIZE], SIZE, SIZE, 0.3));
    }

    @Test
    void refusesAThresholdOutsideTheUnitIntervalAndAChangeOfTheWrongSize() {
        assertThrows(IllegalArgumentException.class, () -> ChangeMask.weights(new float[16], 4, 4, 0));
        assertThrows(IllegalArgumentException.class, () -> ChangeMask.weights(new float[16], 4, 4, 1.5));
        assertThrows(IllegalArgumentException.class, () -> ChangeMask.weights(new float[15], 4, 4, 0.3));
    }
}
