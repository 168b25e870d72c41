package dev.causalcxr.core.evaluation;

import dev.causalcxr.core.metrics.fidelity.FidelityReport;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The {@code evaluation} output: every number of an {@link EvaluationResult} as plain JSON maps (NaN → null). */
final class EvaluationReportJson {

    private EvaluationReportJson() {}

    static Map<String, Object> of(EvaluationResult result) {
        Map<String, Object> root = new LinkedHashMap<>();
        Map<String, Object> target = new LinkedHashMap<>();
        target.put(
                "definition",
                "primary finding: the present finding rarest in the training split wins; "
                        + "No Finding when none; uncertain counts as not present");
        target.put("classes", result.target().classLabels());
        target.put("priority", result.target().priorityLabels());
        root.put("target", target);
        root.put("feature_network", space(result.featureNetwork()));
        DownstreamResult d = result.downstream();
        Map<String, Object> downstream = new LinkedHashMap<>();
        downstream.put("seeds", d.seeds());
        downstream.put(
                "tail_classes",
                d.tailClasses().stream()
                        .sorted()
                        .map(i -> d.classLabels().get(i))
                        .toList());
        downstream.put("real", arm(d.real(), d.classLabels()));
        if (d.hasAugmented()) {
            downstream.put("augmented", arm(d.augmented(), d.classLabels()));
            downstream.put("augmented_minus_real", deltas(d));
        }
        if (d.augmentedPlain() != null) {
            downstream.put("augmented_plain", arm(d.augmentedPlain(), d.classLabels()));
        }
        if (d.pretrainFinetune() != null) {
            downstream.put("pretrain_finetune", arm(d.pretrainFinetune(), d.classLabels()));
        }
        if (d.oracle() != null) {
            downstream.put("oracle", arm(d.oracle(), d.classLabels()));
        }
        if (d.oracleCodes() != null) {
            downstream.put("oracle_codes", arm(d.oracleCodes(), d.classLabels()));
        }
        Map<String, Object> paired = new LinkedHashMap<>();
        d.comparisons().forEach((armName, differences) -> {
            Map<String, Object> byMetric = new LinkedHashMap<>();
            differences.forEach((metric, diff) -> {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("difference", number(diff.difference()));
                m.put("ci95_low", number(diff.low()));
                m.put("ci95_high", number(diff.high()));
                m.put("resamples", diff.resamples());
                byMetric.put(metric, m);
            });
            // an arm against real, or one arm against another ("augmented_vs_oracle": augmented − oracle)
            paired.put(
                    armName.contains("_vs_") ? armName.replace("_vs_", "_minus_") : armName + "_minus_real", byMetric);
        });
        // paired bootstrap over test studies and seeds (PairedBootstrap): the intervals to judge an arm by
        downstream.put("paired", paired);
        root.put("downstream", downstream);
        root.put("fidelity", fidelity(result.fidelity()));
        root.put("inception_fidelity", fidelity(result.inceptionFidelity()));
        return root;
    }

    private static Map<String, Object> deltas(DownstreamResult d) {
        Map<String, Object> delta = new LinkedHashMap<>();
        delta.put("accuracy", number(d.accuracyDelta()));
        delta.put("balanced_accuracy", number(d.balancedAccuracyDelta()));
        delta.put("macro_f1", number(d.macroF1Delta()));
        delta.put("auroc", number(d.aurocDelta()));
        delta.put("head_recall", number(d.headRecallDelta()));
        delta.put("tail_recall", number(d.tailRecallDelta()));
        Map<String, Object> recallDelta = new LinkedHashMap<>();
        for (int c = 0; c < d.classLabels().size(); c++) {
            recallDelta.put(d.classLabels().get(c), number(d.recallDelta(c)));
        }
        delta.put("recall", recallDelta);
        return delta;
    }

    private static Map<String, Object> arm(DownstreamArmResult arm, List<String> classLabels) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("accuracy", meanStd(arm.accuracy()));
        m.put("balanced_accuracy", meanStd(arm.balancedAccuracy()));
        m.put("macro_f1", meanStd(arm.macroF1()));
        m.put("auroc", meanStd(arm.auroc()));
        m.put("head_recall", meanStd(arm.headRecall()));
        m.put("tail_recall", meanStd(arm.tailRecall()));
        m.put("head_auroc", meanStd(arm.headAuroc()));
        m.put("tail_auroc", meanStd(arm.tailAuroc()));
        Map<String, Object> recall = new LinkedHashMap<>();
        for (int c = 0; c < classLabels.size(); c++) {
            recall.put(classLabels.get(c), meanStd(arm.recall().get(c)));
        }
        m.put("recall", recall);
        List<List<Integer>> confusion = new ArrayList<>();
        for (int[] row : arm.confusion()) {
            confusion.add(java.util.Arrays.stream(row).boxed().toList());
        }
        m.put("confusion_summed_over_seeds", confusion);
        return m;
    }

    private static Map<String, Object> meanStd(MeanStd v) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("mean", number(v.mean()));
        m.put("std", number(v.std()));
        m.put("ci95_half_width", number(v.ci95()));
        m.put("n", v.count());
        return m;
    }

    private static Map<String, Object> fidelity(FidelityResult f) {
        if (f == null) {
            return null;
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("feature_space", space(f.space()));
        m.put("overall", report(f.overall()));
        Map<String, Object> perClass = new LinkedHashMap<>();
        f.perClass().forEach((k, r) -> perClass.put(k, report(r)));
        m.put("per_class", perClass);
        return m;
    }

    private static Map<String, Object> report(FidelityReport r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("fid", number(r.fid().fid()));
        m.put("kid_mean", number(r.kid().mean()));
        m.put("kid_std", number(r.kid().std()));
        m.put("precision", number(r.prdc().precision()));
        m.put("recall", number(r.prdc().recall()));
        m.put("density", number(r.prdc().density()));
        m.put("coverage", number(r.prdc().coverage()));
        m.put("real_count", r.prdc().realCount());
        m.put("generated_count", r.prdc().fakeCount());
        return m;
    }

    private static Map<String, Object> space(FeatureSpace s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", s.name());
        m.put("digest", s.digest());
        m.put("dimension", s.dimension());
        return m;
    }

    private static Double number(double v) {
        return Double.isFinite(v) ? v : null;
    }
}
