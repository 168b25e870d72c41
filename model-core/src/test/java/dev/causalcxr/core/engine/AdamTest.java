package dev.causalcxr.core.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import org.junit.jupiter.api.Test;

class AdamTest {

    @Test
    void twoStepsMatchTheAdamFormulaAndZeroTheGradient() {
        try (NDManager m = NDManager.newBaseManager(Engines.PYTORCH)) {
            Parameter p = Parameter.builder()
                    .setName("w")
                    .setType(Parameter.Type.WEIGHT)
                    .build();
            p.setArray(m.create(new float[] {1f, -2f}));
            p.getArray().setRequiresGradient(true);
            double lr = 0.1;
            double[] w = {1, -2};
            double[] mom = new double[2];
            double[] var = new double[2];
            try (Adam adam = new Adam(m, java.util.Map.of("w", p.getArray()))) {
                for (int t = 1; t <= 2; t++) {
                    try (GradientCollector gc = Engines.pytorch().newGradientCollector()) {
                        NDArray loss = p.getArray().square().sum();
                        gc.backward(loss);
                    }
                    // the trainer checks the gradients before each update; the check must not change them
                    assertEquals(java.util.List.of(), adam.nonFiniteGradients());
                    adam.update(lr);
                    for (int i = 0; i < 2; i++) {
                        double g = 2 * w[i];
                        mom[i] = 0.9 * mom[i] + 0.1 * g;
                        var[i] = 0.999 * var[i] + 0.001 * g * g;
                        double rate = lr * Math.sqrt(1 - Math.pow(0.999, t)) / (1 - Math.pow(0.9, t));
                        w[i] -= rate * mom[i] / (Math.sqrt(var[i]) + 1e-8);
                    }
                    float[] got = p.getArray().toFloatArray();
                    assertEquals(w[0], got[0], 1e-5);
                    assertEquals(w[1], got[1], 1e-5);
                    assertEquals(0f, p.getArray().getGradient().abs().sum().getFloat());
                    assertEquals(t, adam.steps());
                }
            }
        }
    }

    @Test
    void aNonFiniteGradientIsNamedAndSkippingItLeavesWeightsMomentsAndStepCountAsTheyWere() {
        try (NDManager m = NDManager.newBaseManager(Engines.PYTORCH)) {
            NDArray a = m.create(new float[] {1f, -2f});
            NDArray b = m.create(new float[] {3f});
            a.setRequiresGradient(true);
            b.setRequiresGradient(true);
            try (Adam adam = new Adam(m, new java.util.LinkedHashMap<>(java.util.Map.of("a", a, "b", b)))) {
                try (GradientCollector gc = Engines.pytorch().newGradientCollector()) {
                    // d/da of sqrt(a − 1) at a = 1 is infinite; b's gradient is finite
                    gc.backward(a.sub(1f).abs().sqrt().sum().add(b.square().sum()));
                }
                assertEquals(java.util.List.of("a"), adam.nonFiniteGradients());
                adam.skip();
                assertEquals(0, adam.steps());
                assertArrayEquals(new float[] {1f, -2f}, a.toFloatArray());
                assertArrayEquals(new float[] {3f}, b.toFloatArray());
                assertEquals(0f, a.getGradient().abs().sum().getFloat(), "the dropped gradient is gone");
                assertArrayEquals(
                        new float[] {0f, 0f}, adam.secondMoments().get("a").toFloatArray());
                try (GradientCollector gc = Engines.pytorch().newGradientCollector()) {
                    gc.backward(a.square().sum().add(b.square().sum()));
                }
                assertEquals(java.util.List.of(), adam.nonFiniteGradients());
                adam.update(0.1);
                assertEquals(1, adam.steps());
                assertEquals(0.9f, a.toFloatArray()[0], 1e-5f, "the next finite step updates as the first would");
            }
        }
    }
}
