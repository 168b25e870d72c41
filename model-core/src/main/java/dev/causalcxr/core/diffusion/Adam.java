package dev.causalcxr.core.diffusion;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

import dev.causalcxr.core.engine.ArrayValues;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Adam (Kingma &amp; Ba) over a {@link ParameterStore}, with its moments kept as our own arrays so that
 * a checkpoint can hold them (DJL's {@code Model.save} keeps parameters only). Bias correction uses
 * the step count, which is saved with the moments.
 */
public final class Adam implements AutoCloseable {
    private static final float BETA1 = 0.9f;
    private static final float BETA2 = 0.999f;
    private static final float EPSILON = 1e-8f;

    private final float learningRate;
    private final NDManager manager;
    private final Map<String, NDArray> firstMoment = new LinkedHashMap<>();
    private final Map<String, NDArray> secondMoment = new LinkedHashMap<>();
    private long updates;

    public Adam(NDManager parent, ParameterStore params, float learningRate) {
        this.learningRate = learningRate;
        this.manager = parent.newSubManager();
        params.arrays().forEach((k, v) -> {
            firstMoment.put(k, manager.zeros(v.getShape()));
            secondMoment.put(k, manager.zeros(v.getShape()));
        });
    }

    /**
     * Applies one update from the gradients the last backward pass left on the parameters, then zeroes
     * them (this engine accumulates gradients across backward passes).
     */
    public void step(ParameterStore params, NDManager stepManager) {
        updates++;
        double correction1 = 1.0 - Math.pow(BETA1, updates);
        double correction2 = 1.0 - Math.pow(BETA2, updates);
        // lr·m̂/(√v̂ + ε) written as (lr/c1)·m/(√v/√c2 + ε), the same quantity
        float stepSize = (float) (learningRate / correction1);
        float rootCorrection2 = (float) Math.sqrt(correction2);
        for (Map.Entry<String, NDArray> e : params.arrays().entrySet()) {
            NDArray p = e.getValue();
            NDArray m = firstMoment.get(e.getKey());
            NDArray v = secondMoment.get(e.getKey());
            m.tempAttach(stepManager);
            v.tempAttach(stepManager);
            NDArray g = p.getGradient();
            g.attach(stepManager);
            m.muli(BETA1).addi(g.mul(1f - BETA1));
            v.muli(BETA2).addi(g.square().muli(1f - BETA2));
            NDArray update = m.mul(stepSize).divi(v.sqrt().divi(rootCorrection2).addi(EPSILON));
            // through a detached view of the same storage: an in-place change of a leaf that requires
            // gradients is refused whenever the calling thread's grad mode is on, and it is on by
            // default on every thread but the one that loaded the engine (activities run on others)
            NDArray weights = p.stopGradient();
            weights.attach(stepManager);
            weights.subi(update);
            g.subi(g);
        }
    }

    public long updates() {
        return updates;
    }

    public void putInto(Map<String, TensorArchive.Tensor> out) {
        firstMoment.forEach((k, v) -> out.put("adam_m/" + k, new TensorArchive.Tensor(v.getShape().getShape(), v.toFloatArray())));
        secondMoment.forEach((k, v) -> out.put("adam_v/" + k, new TensorArchive.Tensor(v.getShape().getShape(), v.toFloatArray())));
    }

    /** Restores the moments and the step count saved by {@link #putInto}. */
    public void restore(TensorArchive archive, long savedUpdates) {
        for (String k : firstMoment.keySet()) {
            NDArray m = firstMoment.get(k);
            NDArray v = secondMoment.get(k);
            ArrayValues.overwrite(m, archive.require("adam_m/" + k).values());
            ArrayValues.overwrite(v, archive.require("adam_v/" + k).values());
        }
        updates = savedUpdates;
    }

    @Override
    public void close() {
        manager.close();
    }
}
