package dev.causalcxr.core.diffusion;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import dev.causalcxr.core.findings.Finding;
import java.util.List;

/**
 * A multi-label classifier on {@code z_path}: one logit per finding. The disentangler's auxiliary head
 * implements it; {@link MlpPathologyScorer} is a small stand-in trained on codes directly.
 * {@link #logits} must be differentiable NDArray code (the tail-noise optimization back-propagates
 * through it) and must put its results on the input's manager.
 */
public interface PathologyScorer {

    /** The finding of each logit column, in order. */
    List<Finding> findings();

    /** (n, findings().size()) logits for (n, zDim) codes. */
    NDArray logits(NDArray zPath);

    /** Where the scorer's parameters live; codes handed to {@link #logits} must be on it. */
    Device device();

    /** The column of a finding; an error naming the scorer's findings if it has none. */
    default int column(Finding finding) {
        int i = findings().indexOf(finding);
        if (i < 0) {
            throw new IllegalArgumentException(
                    "the scorer does not predict " + finding.label() + "; it predicts " + findings());
        }
        return i;
    }

    /** Per-finding probabilities σ(logit) of codes given as rows. */
    default float[][] probabilities(NDManager manager, float[][] zPath) {
        int n = zPath.length;
        int d = zPath[0].length;
        float[] flat = new float[n * d];
        for (int i = 0; i < n; i++) {
            System.arraycopy(zPath[i], 0, flat, i * d, d);
        }
        try (NDManager scope = manager.newSubManager()) {
            float[] p = Activation.sigmoid(logits(scope.create(flat, new Shape(n, d))))
                    .toFloatArray();
            int f = findings().size();
            float[][] out = new float[n][f];
            for (int i = 0; i < n; i++) {
                System.arraycopy(p, i * f, out[i], 0, f);
            }
            return out;
        }
    }
}
