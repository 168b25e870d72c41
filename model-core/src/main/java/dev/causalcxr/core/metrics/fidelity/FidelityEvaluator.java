package dev.causalcxr.core.metrics.fidelity;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** FID, KID and precision / recall / density / coverage of generated against real features, overall and per class. */
public final class FidelityEvaluator {

    private static final Logger LOG = LoggerFactory.getLogger(FidelityEvaluator.class);
    /** Mixes the class label into the KID seed so classes draw independent subsets. */
    private static final long GOLDEN_GAMMA = 0x9E3779B97F4A7C15L;

    private final FidelityConfig config;

    public FidelityEvaluator(FidelityConfig config) {
        this.config = config;
    }

    public FidelityReport evaluate(double[][] real, double[][] generated) {
        return evaluate(real, generated, config.seed());
    }

    private FidelityReport evaluate(double[][] real, double[][] generated, long seed) {
        FidResult fid = FrechetDistance.compute(real, generated);
        KidResult kid =
                KernelInceptionDistance.compute(real, generated, config.kidSubsets(), config.kidSubsetSize(), seed);
        PrdcResult prdc = PrecisionRecallDensityCoverage.compute(real, generated, config.nearestK());
        return new FidelityReport(fid, kid, prdc);
    }

    /**
     * One report per class label present in both sets with at least {@link FidelityConfig#minimumSamples()}
     * samples on each side; other classes are left out (and logged), since FID and the k-NN balls
     * are undefined on them. Iteration order of the result is ascending by label.
     */
    public SortedMap<Integer, FidelityReport> evaluatePerClass(
            double[][] real, int[] realLabels, double[][] generated, int[] generatedLabels) {
        Map<Integer, double[][]> realByClass = groupByLabel(real, realLabels, "real");
        Map<Integer, double[][]> generatedByClass = groupByLabel(generated, generatedLabels, "generated");
        SortedMap<Integer, FidelityReport> reports = new TreeMap<>();
        for (Map.Entry<Integer, double[][]> entry : realByClass.entrySet()) {
            int label = entry.getKey();
            double[][] realRows = entry.getValue();
            double[][] generatedRows = generatedByClass.get(label);
            int generatedCount = generatedRows == null ? 0 : generatedRows.length;
            if (realRows.length < config.minimumSamples() || generatedCount < config.minimumSamples()) {
                LOG.info(
                        "class {}: {} real and {} generated samples, fewer than {} on a side; no fidelity metrics",
                        label,
                        realRows.length,
                        generatedCount,
                        config.minimumSamples());
                continue;
            }
            reports.put(label, evaluate(realRows, generatedRows, config.seed() + GOLDEN_GAMMA * (label + 1L)));
        }
        return reports;
    }

    private static Map<Integer, double[][]> groupByLabel(double[][] rows, int[] labels, String name) {
        if (rows.length != labels.length) {
            throw new IllegalArgumentException(name + ": " + rows.length + " rows but " + labels.length + " labels");
        }
        Map<Integer, List<double[]>> grouped = new TreeMap<>();
        for (int i = 0; i < rows.length; i++) {
            grouped.computeIfAbsent(labels[i], k -> new ArrayList<>()).add(rows[i]);
        }
        Map<Integer, double[][]> out = new TreeMap<>();
        grouped.forEach((label, list) -> out.put(label, list.toArray(new double[0][])));
        return out;
    }
}
