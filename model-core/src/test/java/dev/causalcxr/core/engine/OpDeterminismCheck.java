package dev.causalcxr.core.engine;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.training.GradientCollector;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * Runs single libtorch operators (forward and backward) many times on the same inputs and counts how
 * often a result differs bit for bit from the first: which kernel is not reproducible when the cores
 * are shared, and what each costs (mean time per run after the first). Usage: {@code OpDeterminismCheck [repeats]}.
 */
public final class OpDeterminismCheck {
    private OpDeterminismCheck() {}

    public static void main(String[] args) throws Exception {
        int repeats = args.length > 0 ? Integer.parseInt(args[0]) : 50;
        Engines.seeded(7);
        Map<String, Function<NDManager, NDList>> ops = new LinkedHashMap<>();
        ops.put("conv 32->64 @32px fwd+bwd", m -> conv(m, 48, 32, 64, 32));
        ops.put("conv 16->16 @64px fwd+bwd", m -> conv(m, 48, 16, 16, 64));
        ops.put("conv 16->1 @64px fwd+bwd", m -> conv(m, 48, 16, 1, 64));
        ops.put("conv 1->16 @64px fwd+bwd", m -> conv(m, 48, 1, 16, 64));
        ops.put("linear 256->4096 fwd+bwd", m -> linear(m, 48, 256, 4096));
        ops.put("linear 4096->64 fwd+bwd", m -> linear(m, 48, 4096, 64));
        ops.put("rows by index fwd+bwd", m -> rows(m, "index"));
        ops.put("rows by RowSelection (gather) fwd+bwd", m -> rows(m, "gather"));
        ops.put("rows by one-hot matmul fwd+bwd", m -> rows(m, "matmul"));
        ops.put("mean of 48x16x64x64", m -> {
            NDArray x = m.randomNormal(new Shape(48, 16, 64, 64));
            return new NDList(x.mean(), x.sum(new int[] {0}), x.mean(new int[] {3}));
        });
        try (NDManager root = NDManager.newBaseManager(Engines.PYTORCH)) {
            for (Map.Entry<String, Function<NDManager, NDList>> op : ops.entrySet()) {
                String first = null;
                int differ = 0;
                long nanos = 0;
                for (int r = 0; r < repeats; r++) {
                    try (NDManager m = root.newSubManager()) {
                        Engines.pytorch().setRandomSeed(11);
                        long t0 = System.nanoTime();
                        NDList result = op.getValue().apply(m);
                        nanos += r == 0 ? 0 : System.nanoTime() - t0;
                        String d = digest(result);
                        if (first == null) {
                            first = d;
                        } else if (!first.equals(d)) {
                            differ++;
                        }
                    }
                }
                System.out.printf(
                        "%-32s %3d of %d runs differ from the first   %8.2f ms per run%n",
                        op.getKey(), differ, repeats - 1, nanos / 1e6 / Math.max(1, repeats - 1));
            }
        }
    }

    private static NDList conv(NDManager m, int batch, int in, int out, int px) {
        NDArray x = m.randomNormal(new Shape(batch, in, px, px));
        NDArray w = m.randomNormal(new Shape(out, in, 3, 3)).mul(0.1);
        NDArray b = m.zeros(new Shape(out));
        x.setRequiresGradient(true);
        w.setRequiresGradient(true);
        b.setRequiresGradient(true);
        try (GradientCollector gc = Engines.pytorch().newGradientCollector()) {
            NDArray y = Conv2d.conv2d(x, w, b, new Shape(1, 1), new Shape(1, 1), new Shape(1, 1), 1)
                    .singletonOrThrow();
            NDArray loss = y.mul(y).mean();
            gc.backward(loss);
            return new NDList(
                    y.duplicate(),
                    x.getGradient().duplicate(),
                    w.getGradient().duplicate(),
                    b.getGradient().duplicate());
        }
    }

    private static NDList linear(NDManager m, int batch, int in, int out) {
        NDArray x = m.randomNormal(new Shape(batch, in));
        NDArray w = m.randomNormal(new Shape(out, in)).mul(0.05);
        NDArray b = m.zeros(new Shape(out));
        x.setRequiresGradient(true);
        w.setRequiresGradient(true);
        try (GradientCollector gc = Engines.pytorch().newGradientCollector()) {
            NDArray y = Linear.linear(x, w, b).singletonOrThrow();
            gc.backward(y.mul(y).mean());
            return new NDList(
                    y.duplicate(), x.getGradient().duplicate(), w.getGradient().duplicate());
        }
    }

    /**
     * The disentangler's decode plan at the quick profile's shapes: 48 decodes pick identity codes
     * (24 × 8 × 16 × 16) with repeats, here each of 16 rows three times.
     */
    private static NDList rows(NDManager m, String how) {
        int n = 24;
        int items = 48;
        Shape row = new Shape(8, 16, 16);
        long features = row.size();
        NDArray codes = m.randomNormal(new Shape(n).addAll(row));
        codes.setRequiresGradient(true);
        long[] pick = new long[items];
        for (int i = 0; i < items; i++) {
            pick[i] = (i * 5L) % 16;
        }
        try (GradientCollector gc = Engines.pytorch().newGradientCollector()) {
            NDArray picked;
            if (how.equals("index")) {
                picked = codes.get(new ai.djl.ndarray.index.NDIndex("{}", m.create(pick)));
            } else if (how.equals("gather")) {
                picked = RowSelection.rows(codes, m.create(pick));
            } else {
                float[] sel = new float[items * n];
                for (int i = 0; i < items; i++) {
                    sel[i * n + (int) pick[i]] = 1f;
                }
                picked = m.create(sel, new Shape(items, n))
                        .matMul(codes.reshape(n, features))
                        .reshape(new Shape(items).addAll(row));
            }
            NDArray w = m.randomNormal(new Shape(items).addAll(row));
            gc.backward(picked.mul(w).sum());
            return new NDList(picked.duplicate(), codes.getGradient().duplicate());
        }
    }

    private static String digest(NDList list) throws Exception {
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        for (NDArray a : list) {
            float[] v = a.toFloatArray();
            ByteBuffer b = ByteBuffer.allocate(v.length * 4);
            b.asFloatBuffer().put(v);
            sha.update(b);
        }
        return HexFormat.of().formatHex(sha.digest());
    }
}
