package dev.causalcxr.core.engine;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Adam (Kingma &amp; Ba) on named weight arrays, through the engine's fused update kernel (the one
 * DJL's own Adam calls: one native call per weight, in place and outside autograd, the gradient zeroed
 * after). The moments are our own arrays and the step count is ours, so a checkpoint can hold them and
 * a resumed run continues exactly: DJL's optimizers keep that state private.
 *
 * <p>Bias correction in DJL's form: {@code lr·√(1 − β2^t)/(1 − β1^t)} on {@code m/(√v + ε)}.
 */
public final class Adam implements AutoCloseable {
    private static final float BETA1 = 0.9f;
    private static final float BETA2 = 0.999f;
    private static final float EPSILON = 1e-8f;

    private final NDManager stateManager;
    private final Map<String, NDArray> weights;
    private final Map<String, NDArray> firstMoments = new LinkedHashMap<>();
    private final Map<String, NDArray> secondMoments = new LinkedHashMap<>();
    private long steps;

    /**
     * @param weights the arrays to optimize, by name; their order is the order of the moments in
     *                {@link #firstMoments()} and {@link #secondMoments()}
     */
    public Adam(NDManager parent, Map<String, NDArray> weights) {
        this.stateManager = parent.newSubManager();
        this.weights = new LinkedHashMap<>(weights);
        this.weights.forEach((name, w) -> {
            firstMoments.put(name, stateManager.zeros(w.getShape()));
            secondMoments.put(name, stateManager.zeros(w.getShape()));
        });
    }

    /** Updates taken so far (the t of the bias correction). */
    public long steps() {
        return steps;
    }

    /** One update from the gradients accumulated since the last one; then zeroes them. */
    public void update(double learningRate) {
        steps++;
        double correction1 = 1 - Math.pow(BETA1, (double) steps);
        double correction2 = 1 - Math.pow(BETA2, (double) steps);
        float correctedRate = (float) (learningRate * Math.sqrt(correction2) / correction1);
        for (Map.Entry<String, NDArray> e : weights.entrySet()) {
            NDArray weight = e.getValue();
            try (NDArray gradient = weight.getGradient()) {
                weight.getNDArrayInternal()
                        .adamUpdate(
                                new NDList(
                                        weight, gradient, firstMoments.get(e.getKey()), secondMoments.get(e.getKey())),
                                new NDList(weight),
                                (float) learningRate,
                                correctedRate,
                                0f,
                                1f,
                                -1f,
                                BETA1,
                                BETA2,
                                EPSILON,
                                true,
                                false);
            }
        }
    }

    /**
     * The names of the weights whose accumulated gradient holds a NaN or an infinity (or sums past the float
     * range), in the weights' order; empty when an update may go ahead. One value crosses to the JVM.
     */
    public List<String> nonFiniteGradients() {
        List<String> names = new ArrayList<>(weights.keySet());
        float[] sums;
        try (NDManager scratch = stateManager.newSubManager()) {
            NDList perWeight = new NDList(names.size());
            for (NDArray w : weights.values()) {
                try (NDArray gradient = w.getGradient()) {
                    // an op's result belongs to its receiver's manager, here the model's: move the sum to the
                    // scratch manager before anything else is derived from it, or every step leaves one array
                    // per weight behind (DisentanglerTrainingTest.trainingStepsLeaveNoArraysBehindInTheModelsManager)
                    NDArray sum = gradient.sum();
                    sum.attach(scratch);
                    perWeight.add(sum.reshape(1));
                }
            }
            sums = NDArrays.concat(perWeight).toFloatArray();
        }
        List<String> bad = new ArrayList<>();
        for (int i = 0; i < sums.length; i++) {
            if (!Float.isFinite(sums[i])) {
                bad.add(names.get(i));
            }
        }
        return bad;
    }

    /**
     * Drops the accumulated gradients without an update: the weights, the moments and the step count stay as they
     * were (for a step whose gradients are not finite).
     */
    public void skip() {
        for (NDArray w : weights.values()) {
            try (NDArray gradient = w.getGradient()) {
                ArrayValues.overwrite(gradient, new float[Math.toIntExact(gradient.size())]);
            }
        }
    }

    /** The first moments by weight name (live arrays: read them to checkpoint). */
    public Map<String, NDArray> firstMoments() {
        return Collections.unmodifiableMap(firstMoments);
    }

    /** The second moments by weight name (live arrays: read them to checkpoint). */
    public Map<String, NDArray> secondMoments() {
        return Collections.unmodifiableMap(secondMoments);
    }

    /** Restores the moments and step count of a checkpoint (values in each weight's row-major order). */
    public void restore(Map<String, float[]> first, Map<String, float[]> second, long savedSteps) {
        for (String name : weights.keySet()) {
            float[] m = first.get(name);
            float[] v = second.get(name);
            if (m == null || v == null) {
                throw new IllegalArgumentException("the checkpoint has no Adam moments for " + name);
            }
            ArrayValues.overwrite(firstMoments.get(name), m);
            ArrayValues.overwrite(secondMoments.get(name), v);
        }
        steps = savedSteps;
    }

    @Override
    public void close() {
        stateManager.close();
    }
}
