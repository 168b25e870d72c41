package dev.causalcxr.core.evaluation;

import dev.causalcxr.core.metrics.fidelity.FidelityConfig;
import dev.causalcxr.core.metrics.fidelity.FidelityEvaluator;
import dev.causalcxr.core.metrics.fidelity.FidelityReport;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/** Real vs generated images → FID / KID / PRDC, overall and per class, in a named feature space. */
public final class FidelityEvaluation {

    private FidelityEvaluation() {}

    /**
     * @param realImages      real images ([0, 1] floats of the extractor's size)
     * @param realLabels      their classes
     * @param generatedImages generated images (same form)
     * @param generatedLabels their classes, or null for overall metrics only
     */
    public static FidelityResult evaluate(
            FeatureExtractor extractor,
            List<float[]> realImages,
            int[] realLabels,
            List<float[]> generatedImages,
            int[] generatedLabels,
            PrimaryFindingTarget target,
            FidelityConfig config) {
        double[][] real = extractor.extract(realImages);
        double[][] generated = extractor.extract(generatedImages);
        return evaluateFeatures(extractor.space(), real, realLabels, generated, generatedLabels, target, config);
    }

    /** As {@link #evaluate}, from features already computed in {@code space}. */
    public static FidelityResult evaluateFeatures(
            FeatureSpace space,
            double[][] real,
            int[] realLabels,
            double[][] generated,
            int[] generatedLabels,
            PrimaryFindingTarget target,
            FidelityConfig config) {
        FidelityEvaluator evaluator = new FidelityEvaluator(config);
        FidelityReport overall = evaluator.evaluate(real, generated);
        SortedMap<String, FidelityReport> perClass = new TreeMap<>();
        if (generatedLabels != null) {
            for (Map.Entry<Integer, FidelityReport> e : evaluator
                    .evaluatePerClass(real, realLabels, generated, generatedLabels)
                    .entrySet()) {
                perClass.put(target.classKeys().get(e.getKey()), e.getValue());
            }
        }
        return new FidelityResult(space, overall, perClass);
    }
}
