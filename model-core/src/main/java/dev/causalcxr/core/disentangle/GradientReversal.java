package dev.causalcxr.core.disentangle;

import ai.djl.ndarray.NDArray;

/**
 * Gradient reversal: the identity going forward, −λ × the incoming gradient going back. The probe
 * behind it learns to read findings from z_id while the encoder in front of it learns to make that
 * impossible. Built from ordinary ops: (1 + λ)·stop(x) − λ·x equals x in value and has gradient −λ.
 */
public final class GradientReversal {

    private GradientReversal() {
    }

    public static NDArray apply(NDArray x, float lambda) {
        return x.stopGradient().mul(1f + lambda).sub(x.mul(lambda));
    }
}
