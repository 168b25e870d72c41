package dev.causalcxr.core.engine;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/**
 * Picks rows (entries along axis 0, repeats allowed) of an array so that the gradient is
 * reproducible bit for bit.
 *
 * <p>Advanced indexing ({@code array.get(new NDIndex("{}", indices))}) back-propagates through
 * libtorch's {@code index_put_(accumulate=true)}, which on the CPU with more than one intra-op thread
 * adds into the gradient with atomic float additions: when a row is picked three times or more, the
 * order of its additions, and with it the last bits of the gradient, depend on how the threads are
 * scheduled. On a quiet machine the order happens to repeat; beside any other load it does not
 * (bench/reproducibility: 17 of 29 repeats of the same backward differed). {@code gather} along axis 0
 * with the index broadcast over the row back-propagates through {@code scatter_add}, whose CPU kernel
 * sums each row's contributions in index order on one thread: same result at any load.
 */
public final class RowSelection {

    private RowSelection() {}

    /**
     * The rows {@code indices} (an integer array of shape (k)) of {@code array} (shape (n, …)), as an
     * array of shape (k, …) belonging to {@code array}'s manager.
     */
    public static NDArray rows(NDArray array, NDArray indices) {
        Shape shape = array.getShape();
        long n = shape.get(0);
        long k = indices.getShape().get(0);
        long width = n == 0 ? 0 : shape.size() / n;
        NDArray index = indices.toType(ai.djl.ndarray.types.DataType.INT64, false)
                .reshape(k, 1)
                .broadcast(new Shape(k, width));
        Shape picked = new Shape(k).addAll(shape.slice(1));
        return array.reshape(n, width).gather(index, 0).reshape(picked);
    }
}
