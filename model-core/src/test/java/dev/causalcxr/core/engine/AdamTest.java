package dev.causalcxr.core.engine;

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
}
