package dev.causalcxr.core.diffusion;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Named parameter arrays of a hand-written network, owned by one manager. Hand-written rather than
 * DJL blocks so that parameters, optimizer state and the differentiable sampler are plain arrays we
 * can save exactly and back-propagate through.
 */
public final class ParameterStore implements AutoCloseable {

    /** How a parameter starts: PyTorch's Linear default, zeros, ones, or N(0, std²) for embedding tables. */
    public enum Init {
        LINEAR,
        ZEROS,
        ONES,
        TABLE
    }

    /** The shape and initialization of one parameter. */
    public record Spec(Shape shape, Init init) {}

    private static final float TABLE_STD = 0.5f;

    private final NDManager manager;
    private final Map<String, NDArray> arrays = new LinkedHashMap<>();

    private ParameterStore(NDManager manager) {
        this.manager = manager;
    }

    /** Fresh parameters; initialization uses a Java RNG so it is identical on every engine and device. */
    public static ParameterStore initialize(NDManager parent, Map<String, Spec> layout, long seed) {
        ParameterStore store = new ParameterStore(parent.newSubManager());
        SplittableRandom rng = new SplittableRandom(seed);
        for (Map.Entry<String, Spec> e : layout.entrySet()) {
            Shape shape = e.getValue().shape();
            float[] v = new float[(int) shape.size()];
            switch (e.getValue().init()) {
                case LINEAR -> {
                    // U(-1/sqrt(fan_in), 1/sqrt(fan_in)): PyTorch's nn.Linear default, avoids the huge
                    // first losses of DJL's default initializer
                    double bound = 1.0 / Math.sqrt((double) shape.get(0));
                    for (int i = 0; i < v.length; i++) {
                        v[i] = (float) ((rng.nextDouble() * 2.0 - 1.0) * bound);
                    }
                }
                case ONES -> java.util.Arrays.fill(v, 1f);
                case TABLE -> {
                    for (int i = 0; i < v.length; i++) {
                        v[i] = (float) (rng.nextGaussian() * TABLE_STD);
                    }
                }
                case ZEROS -> {}
            }
            store.arrays.put(e.getKey(), store.manager.create(v, shape));
        }
        return store;
    }

    /** Parameters read from an archive: every name of the layout must be there with its shape. */
    public static ParameterStore fromArchive(
            NDManager parent, Map<String, Spec> layout, TensorArchive archive, String prefix) {
        ParameterStore store = new ParameterStore(parent.newSubManager());
        for (Map.Entry<String, Spec> e : layout.entrySet()) {
            TensorArchive.Tensor t = archive.require(prefix + e.getKey());
            Shape expected = e.getValue().shape();
            if (!new Shape(t.shape()).equals(expected)) {
                store.close();
                throw new IllegalArgumentException("parameter " + e.getKey() + " has shape " + new Shape(t.shape())
                        + " in the file but the configuration needs " + expected);
            }
            store.arrays.put(e.getKey(), store.manager.create(t.values(), expected));
        }
        return store;
    }

    /** A detached copy on another manager (no gradients): sampling from a model while it trains. */
    public ParameterStore copy(NDManager parent) {
        ParameterStore store = new ParameterStore(parent.newSubManager());
        arrays.forEach((k, v) -> store.arrays.put(k, store.manager.create(v.toFloatArray(), v.getShape())));
        return store;
    }

    public NDArray get(String name) {
        NDArray a = arrays.get(name);
        if (a == null) {
            throw new IllegalArgumentException("no parameter " + name);
        }
        return a;
    }

    public Map<String, NDArray> arrays() {
        return java.util.Collections.unmodifiableMap(arrays);
    }

    public void setRequiresGradient(boolean requires) {
        arrays.values().forEach(a -> a.setRequiresGradient(requires));
    }

    /**
     * Lends every array to a step-scoped manager until it closes, so that results of ops whose first
     * operand is a parameter (and gradients) are freed with the step instead of piling up here.
     */
    public void tempAttachAll(NDManager stepManager) {
        arrays.values().forEach(a -> a.tempAttach(stepManager));
    }

    public void putInto(Map<String, TensorArchive.Tensor> out, String prefix) {
        arrays.forEach((k, v) ->
                out.put(prefix + k, new TensorArchive.Tensor(v.getShape().getShape(), v.toFloatArray())));
    }

    public long parameterCount() {
        return arrays.values().stream().mapToLong(NDArray::size).sum();
    }

    public NDManager manager() {
        return manager;
    }

    @Override
    public void close() {
        manager.close();
    }
}
