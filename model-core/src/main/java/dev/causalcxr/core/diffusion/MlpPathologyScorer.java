package dev.causalcxr.core.diffusion;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.causalcxr.core.diffusion.ParameterStore.Init;
import dev.causalcxr.core.diffusion.ParameterStore.Spec;
import dev.causalcxr.core.engine.Adam;
import dev.causalcxr.core.engine.Engines;
import dev.causalcxr.core.engine.ScalarOps;
import dev.causalcxr.core.findings.Finding;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A one-hidden-layer MLP that predicts every finding from {@code z_path} (multi-label, sigmoid
 * outputs, binary cross-entropy): a stand-in for the disentangler's auxiliary head in tests and a
 * scorer for effectiveness when no head is at hand.
 */
public final class MlpPathologyScorer implements PathologyScorer, AutoCloseable {
    private static final List<Finding> FINDINGS = List.of(Finding.values());

    private final ParameterStore params;

    private MlpPathologyScorer(ParameterStore params) {
        this.params = params;
    }

    /**
     * Trains on codes and their conditions (a finding is a positive label when present). The scorer's
     * parameters live on {@code manager} until {@link #close}.
     */
    public static MlpPathologyScorer train(
            NDManager manager,
            float[][] zPath,
            List<Condition> conditions,
            int hidden,
            int steps,
            int batchSize,
            float learningRate,
            long seed) {
        if (zPath.length == 0 || zPath.length != conditions.size()) {
            throw new IllegalArgumentException(zPath.length + " codes but " + conditions.size() + " conditions");
        }
        int d = zPath[0].length;
        int f = FINDINGS.size();
        Map<String, Spec> layout = new LinkedHashMap<>();
        layout.put("w1", new Spec(new Shape(d, hidden), Init.LINEAR));
        layout.put("b1", new Spec(new Shape(hidden), Init.ZEROS));
        layout.put("w2", new Spec(new Shape(hidden, f), Init.LINEAR));
        layout.put("b2", new Spec(new Shape(f), Init.ZEROS));
        ParameterStore params = ParameterStore.initialize(manager, layout, seed);
        params.setRequiresGradient(true);
        try (Adam adam = new Adam(manager, params.arrays())) {
            for (long step = 0; step < steps; step++) {
                SplittableRandom rng = new SplittableRandom(SeedStreams.of(seed, step));
                float[] x = new float[batchSize * d];
                float[] y = new float[batchSize * f];
                for (int i = 0; i < batchSize; i++) {
                    int row = rng.nextInt(zPath.length);
                    System.arraycopy(zPath[row], 0, x, i * d, d);
                    for (Finding finding : conditions.get(row).findings()) {
                        y[i * f + finding.ordinal()] = 1f;
                    }
                }
                try (NDManager scope = manager.newSubManager()) {
                    params.tempAttachAll(scope);
                    NDArray input = scope.create(x, new Shape(batchSize, d));
                    NDArray target = scope.create(y, new Shape(batchSize, f));
                    try (GradientCollector gc = Engines.pytorch().newGradientCollector()) {
                        NDArray logits = forward(params, input);
                        // stable BCE with logits: max(l,0) − l·y + log(1 + e^{−|l|})
                        NDArray loss = ScalarOps.atLeast(logits, 0)
                                .sub(logits.mul(target))
                                .add(logits.abs().neg().exp().add(1f).log())
                                .mean();
                        gc.backward(loss);
                    }
                    adam.update(learningRate);
                }
            }
        }
        params.setRequiresGradient(false);
        return new MlpPathologyScorer(params);
    }

    private static NDArray forward(ParameterStore p, NDArray x) {
        return Denoiser.silu(x.matMul(p.get("w1")).add(p.get("b1")))
                .matMul(p.get("w2"))
                .add(p.get("b2"));
    }

    @Override
    public List<Finding> findings() {
        return FINDINGS;
    }

    @Override
    public NDArray logits(NDArray zPath) {
        return forward(params, zPath);
    }

    @Override
    public Device device() {
        return params.manager().getDevice();
    }

    @Override
    public void close() {
        params.close();
    }
}
