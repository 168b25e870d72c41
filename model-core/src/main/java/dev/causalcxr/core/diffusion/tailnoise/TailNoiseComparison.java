package dev.causalcxr.core.diffusion.tailnoise;

import ai.djl.ndarray.NDManager;
import dev.causalcxr.core.diffusion.Condition;
import dev.causalcxr.core.diffusion.DiffusionModel;
import dev.causalcxr.core.diffusion.PathologyScorer;
import dev.causalcxr.core.diffusion.SamplerConfig;
import dev.causalcxr.core.diffusion.SeedStreams;
import dev.causalcxr.core.engine.Engines;
import dev.causalcxr.core.findings.Finding;
import dev.causalcxr.core.metrics.fidelity.FeatureDiversity;
import dev.causalcxr.core.metrics.fidelity.FrechetDistance;
import dev.causalcxr.core.metrics.linalg.DenseMatrices;
import dev.causalcxr.core.stage.StageContext;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The ablation of the tail-noise stage: for every tail class, codes sampled from its optimized prior
 * and from plain N(0, I) with the same underlying draws (same seed), compared on
 * <ul>
 *   <li>effectiveness: fraction of codes whose finding-head probability of the class exceeds 0.5;</li>
 *   <li>diversity: mean pairwise Euclidean distance between the codes;</li>
 *   <li>FID in the pathology-code space: Fréchet distance between the sampled codes and the encoded
 *       real training codes of the class (NaN with fewer than two real codes). Image-space fidelity of
 *       the resulting counterfactuals is measured by the evaluation stage.</li>
 * </ul>
 */
public final class TailNoiseComparison {

    /** One class's numbers; {@code realCodes} = training studies of the class behind the FID. */
    public record ClassResult(
            Finding finding,
            int realCodes,
            double effectivenessPlain,
            double effectivenessOptimized,
            double diversityPlain,
            double diversityOptimized,
            double fidPlain,
            double fidOptimized,
            double klToStandard) {}

    private TailNoiseComparison() {}

    /**
     * @param priors    the optimized prior of every tail class
     * @param realCodes the encoded training codes of each class (rows)
     * @param sampler   the sampler the priors were optimized through
     */
    public static List<ClassResult> compare(
            DiffusionModel model,
            PathologyScorer scorer,
            Map<Finding, NoisePrior> priors,
            Map<Finding, float[][]> realCodes,
            SamplerConfig sampler,
            int samples,
            long seed) {
        List<ClassResult> out = new ArrayList<>();
        try (NDManager manager = Engines.pytorch().newBaseManager(model.device())) {
            for (Map.Entry<Finding, NoisePrior> e : priors.entrySet()) {
                Finding f = e.getKey();
                NoisePrior optimized = e.getValue();
                long classSeed = SeedStreams.of(seed, f.ordinal());
                // the same standard-normal draws under both priors: only the prior differs
                float[][] plainNoise = NoisePrior.standard(f, model.zDim()).sample(samples, classSeed);
                float[][] optimizedNoise = optimized.sample(samples, classSeed);
                Condition condition = Condition.of(f);
                float[][] plain = model.sample(condition, samples, classSeed, sampler, plainNoise);
                float[][] tuned = model.sample(condition, samples, classSeed, sampler, optimizedNoise);
                int column = scorer.column(f);
                float[][] real = realCodes.getOrDefault(f, new float[0][]);
                out.add(new ClassResult(
                        f,
                        real.length,
                        effectiveness(scorer.probabilities(manager, plain), column),
                        effectiveness(scorer.probabilities(manager, tuned), column),
                        FeatureDiversity.meanPairwiseDistance(DenseMatrices.toDouble(plain)),
                        FeatureDiversity.meanPairwiseDistance(DenseMatrices.toDouble(tuned)),
                        fid(plain, real),
                        fid(tuned, real),
                        optimized.klToStandard()));
            }
        }
        return out;
    }

    /** Logs every class's numbers and the tail means under the summary keys. */
    public static Map<String, Double> report(List<ClassResult> results, StageContext ctx) {
        Map<String, Double> summary = new LinkedHashMap<>();
        double[] sums = new double[6];
        int[] counts = new int[6];
        for (ClassResult r : results) {
            String k = "__" + r.finding().key();
            double[] values = {
                r.effectivenessOptimized(),
                r.effectivenessPlain(),
                r.diversityOptimized(),
                r.diversityPlain(),
                r.fidOptimized(),
                r.fidPlain()
            };
            String[] keys = KEYS;
            for (int i = 0; i < values.length; i++) {
                if (Double.isFinite(values[i])) {
                    ctx.logMetric(keys[i] + k, values[i], 0);
                    sums[i] += values[i];
                    counts[i]++;
                }
            }
            ctx.logMetric("tail_prior_kl" + k, r.klToStandard(), 0);
            ctx.logMetric("tail_real_codes" + k, r.realCodes(), 0);
        }
        for (int i = 0; i < KEYS.length; i++) {
            double mean = counts[i] == 0 ? Double.NaN : sums[i] / counts[i];
            summary.put(KEYS[i], mean);
            if (Double.isFinite(mean)) {
                ctx.summaryMetric(KEYS[i], mean);
            }
        }
        return summary;
    }

    static final String[] KEYS = {
        "tail_effectiveness_optimized",
        "tail_effectiveness_plain",
        "tail_diversity_optimized",
        "tail_diversity_plain",
        "tail_fid_optimized",
        "tail_fid_plain"
    };

    private static double effectiveness(float[][] probabilities, int column) {
        int hits = 0;
        for (float[] p : probabilities) {
            if (p[column] > 0.5f) {
                hits++;
            }
        }
        return (double) hits / probabilities.length;
    }

    private static double fid(float[][] generated, float[][] real) {
        if (real.length < 2) {
            return Double.NaN;
        }
        return FrechetDistance.compute(DenseMatrices.toDouble(generated), DenseMatrices.toDouble(real))
                .fid();
    }
}
