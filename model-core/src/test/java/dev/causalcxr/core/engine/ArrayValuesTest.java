package dev.causalcxr.core.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import org.junit.jupiter.api.Test;

class ArrayValuesTest {

    @Test
    void overwritingAParameterWritesEveryValueAndKeepsItTrainable() {
        try (NDManager m = NDManager.newBaseManager(Engines.PYTORCH)) {
            NDArray weight = m.randomNormal(new Shape(2, 3, 2));
            weight.setRequiresGradient(true);
            float[] stored = new float[12];
            for (int i = 0; i < stored.length; i++) {
                stored[i] = i - 5.5f;
            }
            try (GradientCollector recording = Engines.pytorch().newGradientCollector()) {
                ArrayValues.overwrite(weight, stored); // also while gradients are recorded (a restore mid-training)
            }
            assertArrayEquals(stored, weight.toFloatArray());
            assertTrue(weight.hasGradient());
            try (GradientCollector gc = Engines.pytorch().newGradientCollector()) {
                gc.backward(weight.mul(weight).sum());
            }
            float[] expected = new float[12];
            for (int i = 0; i < expected.length; i++) {
                expected[i] = 2 * stored[i];
            }
            assertArrayEquals(expected, weight.getGradient().toFloatArray(), 1e-6f);
            assertThrows(IllegalArgumentException.class, () -> ArrayValues.overwrite(weight, new float[11]));
        }
    }
}
