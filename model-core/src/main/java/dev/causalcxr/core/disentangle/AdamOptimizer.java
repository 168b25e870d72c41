package dev.causalcxr.core.disentangle;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Adam on the network's parameter arrays, written out so that its state (first and second moments
 * per parameter, step count) is ours to checkpoint: DJL's Adam keeps that state private. The update
 * runs through the engine's fused Adam kernel (the one DJL's own Adam calls); gradients are zeroed
 * after each update.
 */
final class AdamOptimizer implements AutoCloseable {

    private static final float BETA1 = 0.9f;
    private static final float BETA2 = 0.999f;
    private static final float EPSILON = 1e-8f;

    private final NDManager stateManager;
    private final List<String> names = new ArrayList<>();
    private final List<NDArray> weights = new ArrayList<>();
    private final List<NDArray> firstMoments = new ArrayList<>();
    private final List<NDArray> secondMoments = new ArrayList<>();
    private long step;

    AdamOptimizer(NDManager parent, List<ai.djl.util.Pair<String, Parameter>> parameters) {
        stateManager = parent.newSubManager();
        for (ai.djl.util.Pair<String, Parameter> p : parameters) {
            NDArray w = p.getValue().getArray();
            names.add(p.getKey());
            weights.add(w);
            firstMoments.add(stateManager.zeros(w.getShape()));
            secondMoments.add(stateManager.zeros(w.getShape()));
        }
    }

    long step() {
        return step;
    }

    /** One Adam step from the gradients accumulated since the last call; then zeroes them. */
    void update(double learningRate) {
        step++;
        double correction1 = 1 - Math.pow(BETA1, step);
        double correction2 = 1 - Math.pow(BETA2, step);
        // DJL's form of the bias correction: lr·√(1 − β2^t)/(1 − β1^t) on m/(√v + ε)
        float correctedRate = (float) (learningRate * Math.sqrt(correction2) / correction1);
        for (int i = 0; i < weights.size(); i++) {
            NDArray weight = weights.get(i);
            try (NDArray gradient = weight.getGradient()) {
                // the engine's fused update (one native call per parameter, gradient zeroed after);
                // the moments are our arrays, so they can be checkpointed
                weight.getNDArrayInternal().adamUpdate(
                        new NDList(weight, gradient, firstMoments.get(i), secondMoments.get(i)), new NDList(weight),
                        (float) learningRate, correctedRate, 0f, 1f, -1f, BETA1, BETA2, EPSILON, true, false);
            }
        }
    }

    void write(DataOutputStream out) throws IOException {
        out.writeLong(step);
        ParameterIo.write(out, names, firstMoments);
        ParameterIo.write(out, names, secondMoments);
    }

    void read(DataInputStream in) throws IOException {
        step = in.readLong();
        ParameterIo.readInto(in, names, firstMoments);
        ParameterIo.readInto(in, names, secondMoments);
    }

    @Override
    public void close() {
        stateManager.close();
    }
}
