package dev.causalcxr.core.disentangle;

import ai.djl.ndarray.NDArray;
import dev.causalcxr.core.engine.ScalarOps;

/**
 * Gradient reversal: the identity going forward, −λ × the incoming gradient going back. The probe
 * behind it learns to read findings from z_id while the encoder in front of it learns to make that
 * impossible. Built from ordinary ops: (1 + λ)·stop(x) − λ·x equals x in value and has gradient −λ.
 */
public final class GradientReversal {

    private GradientReversal() {}

    public static NDArray apply(NDArray x, float lambda) {
        // scalars through ScalarOps: DJL frees a Number operand that autograd still needs
        return ScalarOps.times(x.stopGradient(), 1 + lambda).sub(ScalarOps.times(x, lambda));
    }
}
