package dev.causalcxr.core.diffusion;

import ai.djl.ndarray.NDManager;
import dev.causalcxr.core.engine.Engines;
import dev.causalcxr.core.findings.Finding;
import dev.causalcxr.core.metrics.fidelity.FeatureDiversity;
import dev.causalcxr.core.stage.StageContext;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Diversity, effectiveness and the guidance-scale trade-off of sampled codes. */
public final class DiffusionMetrics {

    private DiffusionMetrics() {}

    /** Mean pairwise Euclidean distance of n ≥ 2 codes (0 means collapse onto one code). */
    public static double diversity(float[][] codes) {
        double[][] d = new double[codes.length][];
        for (int i = 0; i < codes.length; i++) {
            d[i] = new double[codes[i].length];
            for (int k = 0; k < codes[i].length; k++) {
                d[i][k] = codes[i][k];
            }
        }
        return FeatureDiversity.meanPairwiseDistance(d);
    }

    /** Mean probability the scorer gives the target finding over the codes. */
    public static double effectiveness(PathologyScorer scorer, float[][] codes, Finding target) {
        if (codes.length == 0) {
            throw new IllegalArgumentException("effectiveness needs at least one code");
        }
        int column = scorer.column(target);
        try (NDManager m = Engines.pytorch().newBaseManager(scorer.device())) {
            double sum = 0;
            for (float[] p : scorer.probabilities(m, codes)) {
                sum += p[column];
            }
            return sum / codes.length;
        }
    }

    /** Effectiveness and diversity of n samples at one guidance scale. */
    public record TradeoffPoint(float guidance, double effectiveness, double diversity) {}

    /**
     * The guidance-scale trade-off: for each g, n samples of the condition from the same seed, scored
     * for the target finding. Stronger guidance usually raises effectiveness and lowers diversity.
     */
    public static List<TradeoffPoint> guidanceTradeoff(
            DiffusionModel model,
            PathologyScorer scorer,
            Condition condition,
            Finding target,
            List<Float> guidanceScales,
            int n,
            long seed,
            int steps,
            float eta) {
        if (n < 2) {
            throw new IllegalArgumentException("the trade-off needs n >= 2 samples per scale, got " + n);
        }
        List<TradeoffPoint> points = new ArrayList<>();
        for (float g : guidanceScales) {
            float[][] samples = model.sample(condition, n, seed, new SamplerConfig(steps, eta, g));
            points.add(new TradeoffPoint(g, effectiveness(scorer, samples, target), diversity(samples)));
        }
        return points;
    }

    /**
     * Writes the trade-off as {@code NAME.png} (plot) and {@code NAME.csv} (guidance, effectiveness,
     * diversity) in the stage's work folder and registers both as artifacts under that name.
     */
    public static void publishTradeoff(StageContext ctx, String name, String title, List<TradeoffPoint> points) {
        Path png = ctx.workDir().resolve(name + ".png");
        Path csv = ctx.workDir().resolve(name + ".csv");
        TradeoffPlot.write(points, title, png);
        StringBuilder table = new StringBuilder("guidance,effectiveness,diversity\n");
        for (TradeoffPoint p : points) {
            table.append(String.format(Locale.ROOT, "%s,%.6f,%.6f%n", p.guidance(), p.effectiveness(), p.diversity()));
        }
        try {
            Files.writeString(csv, table);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + csv, e);
        }
        ctx.addArtifact(name + ".png", png);
        ctx.addArtifact(name + ".csv", csv);
    }
}
