package dev.causalcxr.core.engine;

import ai.djl.ndarray.NDArray;

/**
 * Array-by-scalar operations that are safe inside a {@code GradientCollector}.
 *
 * <p>DJL's {@code mul(Number)}, {@code div(Number)}, {@code maximum(Number)} and
 * {@code minimum(Number)} wrap the number in a temporary array backed by a direct ByteBuffer
 * (zero-copy {@code from_blob}) and close it as soon as the op returns. Autograd keeps that scalar for
 * the backward pass, so once the garbage collector frees the buffer, backward reads freed memory:
 * gradients become garbage or NaN at random (reproduced by running the tail-noise optimization with
 * a thread calling {@code System.gc()}). Here the scalar is an array of the operand's manager, alive
 * until that (step-scoped) manager closes, after backward. ({@code add}/{@code sub} of a number are
 * safe: their backward keeps no operand.)
 */
public final class ScalarOps {

    private ScalarOps() {}

    /** x · v */
    public static NDArray times(NDArray x, double v) {
        return x.mul(scalar(x, v));
    }

    /** x / v */
    public static NDArray dividedBy(NDArray x, double v) {
        return x.div(scalar(x, v));
    }

    /** max(x, v) elementwise */
    public static NDArray atLeast(NDArray x, double v) {
        return x.maximum(scalar(x, v));
    }

    /** min(x, v) elementwise */
    public static NDArray atMost(NDArray x, double v) {
        return x.minimum(scalar(x, v));
    }

    private static NDArray scalar(NDArray like, double v) {
        return like.getManager().create((float) v).toType(like.getDataType(), false);
    }
}
