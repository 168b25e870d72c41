package dev.causalcxr.core.engine;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;

/**
 * Writing stored values into an existing array (a parameter being loaded or restored).
 *
 * <p>DJL's {@code NDArray.set(Buffer)} copies through libtorch's deprecated
 * {@code AutoNonVariableTypeMode}, which prints a warning about "silent wrong results" on stderr the
 * first time. An indexed assignment of the whole array from a temporary copy, through a detached view
 * of the target (the same storage, outside autograd, so it also works while gradients are being
 * recorded), writes the same values without it and leaves the target's gradient requirement as it was.
 */
public final class ArrayValues {

    private ArrayValues() {}

    /** Overwrites every element of {@code target} with {@code values} (row-major, same element count). */
    public static void overwrite(NDArray target, float[] values) {
        if (values.length != target.size()) {
            throw new IllegalArgumentException(
                    "array of " + target.getShape() + " holds " + target.size() + " values, given " + values.length);
        }
        try (NDManager scratch = target.getManager().newSubManager()) {
            NDArray storage = target.stopGradient();
            storage.attach(scratch);
            storage.set(new NDIndex("..."), scratch.create(values, target.getShape()));
        }
    }
}
