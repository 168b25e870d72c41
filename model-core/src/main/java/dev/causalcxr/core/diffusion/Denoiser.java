package dev.causalcxr.core.diffusion;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import dev.causalcxr.core.diffusion.ParameterStore.Init;
import dev.causalcxr.core.diffusion.ParameterStore.Spec;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The ε-prediction network: a residual MLP over noisy codes x_t.
 *
 * <pre>
 *   condition: per mention  e = silu(F[finding] + S[severity] + L[laterality] + Z[zone]) · W_m
 *              mean over mentions + C[count bucket]   (bucket 0 = the null condition)
 *   embedding: h_c = silu(·) W_c   +   h_t = MLP(sinusoid(t))
 *   body:      h = x W_in; per block  h += W2 silu(W1 FiLM(LN(h); silu(h_c + h_t)))
 *   output:    ε̂ = LN(h) W_out     (W_out and the FiLM projections start at zero)
 * </pre>
 *
 * Plain NDArray code: every intermediate belongs to the manager of the input x, and the same function
 * serves training (gradients to the parameters) and the differentiable sampler (gradients to x_T).
 */
final class Denoiser {
    private static final float LAYER_NORM_EPS = 1e-5f;
    /** Rows of a matrix product are padded to a multiple of this; see {@link #rowwise}. */
    static final int ROW_BLOCK = 8;

    private Denoiser() {}

    static Map<String, Spec> layout(DiffusionConfig c) {
        Map<String, Spec> l = new LinkedHashMap<>();
        int h = c.hidden();
        int e = c.conditionDim();
        l.put("time.w1", new Spec(new Shape(h, h), Init.LINEAR));
        l.put("time.b1", new Spec(new Shape(h), Init.ZEROS));
        l.put("time.w2", new Spec(new Shape(h, h), Init.LINEAR));
        l.put("time.b2", new Spec(new Shape(h), Init.ZEROS));
        l.put("cond.finding", new Spec(new Shape(ConditionBatch.FINDINGS, e), Init.TABLE));
        l.put("cond.severity", new Spec(new Shape(ConditionBatch.SEVERITIES, e), Init.TABLE));
        l.put("cond.laterality", new Spec(new Shape(ConditionBatch.LATERALITIES, e), Init.TABLE));
        l.put("cond.zone", new Spec(new Shape(ConditionBatch.ZONES, e), Init.TABLE));
        l.put("cond.mention_w", new Spec(new Shape(e, e), Init.LINEAR));
        l.put("cond.mention_b", new Spec(new Shape(e), Init.ZEROS));
        l.put("cond.count", new Spec(new Shape(ConditionBatch.COUNT_BUCKETS, e), Init.TABLE));
        l.put("cond.out_w", new Spec(new Shape(e, h), Init.LINEAR));
        l.put("cond.out_b", new Spec(new Shape(h), Init.ZEROS));
        l.put("in.w", new Spec(new Shape(c.zDim(), h), Init.LINEAR));
        l.put("in.b", new Spec(new Shape(h), Init.ZEROS));
        for (int i = 0; i < c.blocks(); i++) {
            String p = "block" + i + ".";
            l.put(p + "ln_g", new Spec(new Shape(h), Init.ONES));
            l.put(p + "ln_b", new Spec(new Shape(h), Init.ZEROS));
            l.put(p + "film_w", new Spec(new Shape(h, 2L * h), Init.ZEROS));
            l.put(p + "film_b", new Spec(new Shape(2L * h), Init.ZEROS));
            l.put(p + "w1", new Spec(new Shape(h, h), Init.LINEAR));
            l.put(p + "b1", new Spec(new Shape(h), Init.ZEROS));
            l.put(p + "w2", new Spec(new Shape(h, h), Init.LINEAR));
            l.put(p + "b2", new Spec(new Shape(h), Init.ZEROS));
        }
        l.put("out.ln_g", new Spec(new Shape(h), Init.ONES));
        l.put("out.ln_b", new Spec(new Shape(h), Init.ZEROS));
        l.put("out.w", new Spec(new Shape(h, c.zDim()), Init.ZEROS));
        l.put("out.b", new Spec(new Shape(c.zDim()), Init.ZEROS));
        return l;
    }

    /**
     * ε̂(x_t, t, c).
     *
     * @param x         (B, zDim) noisy codes in the model's standardized space
     * @param timesteps B schedule indices
     * @param cond      the encoded conditions of the B rows
     */
    static NDArray predictNoise(ParameterStore p, int blocks, NDArray x, int[] timesteps, ConditionBatch.Arrays cond) {
        return predictNoise(p, blocks, x, timesteps, conditionEmbedding(p, cond));
    }

    /**
     * ε̂ with the condition embedding computed beforehand: it does not depend on x or t, so the sampler
     * computes it once for all its steps.
     */
    static NDArray predictNoise(ParameterStore p, int blocks, NDArray x, int[] timesteps, NDArray condEmb) {
        // every operation below is row-wise: padding the rows once here puts every matrix product in full
        // row blocks (see rowwise), and the padded rows are dropped at the end
        int rows = (int) x.getShape().get(0);
        int padded = paddedRows(rows);
        if (padded != rows) {
            x = padRows(x, padded);
            condEmb = padRows(condEmb, padded);
            timesteps = java.util.Arrays.copyOf(timesteps, padded);
        }
        NDManager m = x.getManager();
        int hidden = (int) p.get("in.b").size();

        NDArray t = m.create(sinusoid(timesteps, hidden), new Shape(timesteps.length, hidden));
        NDArray timeEmb = silu(t.matMul(p.get("time.w1")).add(p.get("time.b1")))
                .matMul(p.get("time.w2"))
                .add(p.get("time.b2"));

        NDArray film = silu(timeEmb.add(condEmb));
        NDArray h = x.matMul(p.get("in.w")).add(p.get("in.b"));
        for (int i = 0; i < blocks; i++) {
            String b = "block" + i + ".";
            NDArray scaleShift = film.matMul(p.get(b + "film_w")).add(p.get(b + "film_b"));
            NDArray scale = scaleShift.get(":, :" + hidden);
            NDArray shift = scaleShift.get(":, " + hidden + ":");
            NDArray u = layerNorm(h, p.get(b + "ln_g"), p.get(b + "ln_b"));
            u = u.mul(scale.add(1f)).add(shift);
            u = silu(u.matMul(p.get(b + "w1")).add(p.get(b + "b1")))
                    .matMul(p.get(b + "w2"))
                    .add(p.get(b + "b2"));
            h = h.add(u);
        }
        NDArray noise = layerNorm(h, p.get("out.ln_g"), p.get("out.ln_b"))
                .matMul(p.get("out.w"))
                .add(p.get("out.b"));
        return padded == rows ? noise : noise.get(new NDIndex("0:" + rows));
    }

    /** (B, hidden) embedding of the encoded conditions; results on the condition arrays' manager. */
    static NDArray conditionEmbedding(ParameterStore p, ConditionBatch.Arrays cond) {
        NDArray mention = rowwise(cond.finding(), p.get("cond.finding"))
                .add(rowwise(cond.severity(), p.get("cond.severity")))
                .add(rowwise(cond.laterality(), p.get("cond.laterality")))
                .add(rowwise(cond.zone(), p.get("cond.zone")));
        // the nonlinearity binds severity/location to their finding before mentions are pooled
        mention = rowwise(silu(mention), p.get("cond.mention_w")).add(p.get("cond.mention_b"));
        long e = mention.getShape().get(1);
        NDArray pooled = mention.reshape(cond.batch(), cond.slots(), e)
                .mul(cond.mask())
                .sum(new int[] {1})
                .mul(cond.inverseCount());
        return rowwise(silu(pooled.add(rowwise(cond.countBucket(), p.get("cond.count")))), p.get("cond.out_w"))
                .add(p.get("cond.out_b"));
    }

    /**
     * x·w, row by row: a row's result does not depend on how many rows x has or where the row is.
     *
     * <p>The engine's CPU matrix product computes rows in blocks of four and a leftover of one to three
     * rows with other kernels whose sums round differently, and how it splits rows between threads
     * depends on the row count and the thread count (measured on AMD EPYC: with two threads a product of
     * 5–11 rows gave its last rows other bits than a 1,000-row product; on Intel Xeon only a one-row
     * product did). Padded with zero rows to a multiple of {@link #ROW_BLOCK}, every row falls in a
     * full block and gets the same bits in any batch: the property batched sampling rests on.
     */
    static NDArray rowwise(NDArray x, NDArray w) {
        int rows = (int) x.getShape().get(0);
        int padded = paddedRows(rows);
        if (padded == rows) {
            return x.matMul(w);
        }
        return padRows(x, padded).matMul(w).get(new NDIndex("0:" + rows));
    }

    /** The row count rounded up to a multiple of {@link #ROW_BLOCK}. */
    private static int paddedRows(int rows) {
        return (rows + ROW_BLOCK - 1) / ROW_BLOCK * ROW_BLOCK;
    }

    /** x with zero rows appended up to {@code rows}. */
    private static NDArray padRows(NDArray x, int rows) {
        NDArray zeros = x.getManager()
                .zeros(new Shape(rows - x.getShape().get(0), x.getShape().get(1)), x.getDataType());
        return x.concat(zeros, 0);
    }

    /** silu(x) = x·σ(x); this engine has no silu op. */
    static NDArray silu(NDArray x) {
        return x.mul(Activation.sigmoid(x));
    }

    private static NDArray layerNorm(NDArray x, NDArray gain, NDArray bias) {
        NDArray centered = x.sub(x.mean(new int[] {1}, true));
        NDArray variance = centered.square().mean(new int[] {1}, true);
        return centered.div(variance.add(LAYER_NORM_EPS).sqrt()).mul(gain).add(bias);
    }

    /** Transformer-style sinusoidal embedding of integer timesteps (half sines, half cosines). */
    static float[] sinusoid(int[] timesteps, int dim) {
        float[] out = new float[timesteps.length * dim];
        int half = dim / 2;
        for (int i = 0; i < timesteps.length; i++) {
            for (int k = 0; k < half; k++) {
                double frequency = Math.exp(-Math.log(10000.0) * k / half);
                double angle = timesteps[i] * frequency;
                out[i * dim + k] = (float) Math.sin(angle);
                out[i * dim + half + k] = (float) Math.cos(angle);
            }
        }
        return out;
    }
}
