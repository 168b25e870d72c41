package dev.causalcxr.core.engine;

import ai.djl.ndarray.NDArray;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.pytorch.jni.LibUtils;

/**
 * The one place that reaches past DJL's engine-neutral API into its PyTorch engine: an operator DJL
 * does not expose, and facts about the loaded libtorch that provenance records. Everything else in
 * model-core uses {@code ai.djl.ndarray}, {@code ai.djl.nn} and {@code ai.djl.training} only, so a
 * change of engine or DJL version has one class to look at.
 */
public final class TorchNative {
    /** libtorch's interpolation mode 0: nearest. */
    private static final int NEAREST = 0;

    private TorchNative() {}

    /**
     * libtorch's {@code upsample_nearest1d} over the last axis of a 3-D array (b, c, w) to width
     * {@code width}; differentiable. DJL has no 1-D interpolation of its own.
     */
    public static NDArray upsampleNearestLastAxis(NDArray x, long width) {
        return JniUtils.interpolate((PtNDArray) x, new long[] {width}, NEAREST, false);
    }

    /** libtorch's intra-op thread count (the parallelism of one operator). */
    public static int intraOpThreads() {
        return JniUtils.getNumThreads();
    }

    /** Sets libtorch's intra-op thread count for the whole process, from now on. */
    public static void setIntraOpThreads(int threads) {
        JniUtils.setNumThreads(threads);
    }

    /** libtorch's inter-op thread count. */
    public static int interOpThreads() {
        return JniUtils.getNumInteropThreads();
    }

    /** The folder the native libraries (libtorch and DJL's JNI library) were loaded from. */
    public static String libraryFolder() {
        return LibUtils.getLibtorchPath();
    }
}
