package dev.causalcxr.core.retrain;

import dev.causalcxr.core.evaluation.PairedBootstrap;
import dev.causalcxr.core.evaluation.TestPredictions;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Champion against challenger on one frozen test split, study by study: the paired bootstrap of the two models'
 * augmented arms (the classifiers trained on real plus each model's counterfactuals, same seeds, same test studies),
 * so that "the challenger is better" can be asked with an interval instead of two means. Pure: no I/O.
 */
public final class ChampionComparison {

    /** The arm the generator changes; the gate's unsuffixed downstream metrics mean it. */
    public static final String ARM = "augmented";
    /** Added to a gate metric's key: the challenger − champion difference, {@code _ci_low} and {@code _ci_high}. */
    public static final String SUFFIX = "_vs_champion";

    static final int RESAMPLES = 1000;
    private static final long BOOTSTRAP_SEED = 0x5EC0DL;

    /** Gate metric key (the augmented arm's) → the paired bootstrap's name for the same measure. */
    private static final Map<String, String> PAIRED = Map.of(
            "balanced_accuracy_augmented", PairedBootstrap.BALANCED_ACCURACY,
            "auroc_augmented", PairedBootstrap.MACRO_AUROC,
            "tail_auroc_augmented", PairedBootstrap.TAIL_AUROC,
            "head_auroc_augmented", PairedBootstrap.HEAD_AUROC,
            "tail_recall_augmented", PairedBootstrap.TAIL_RECALL,
            "head_recall_augmented", PairedBootstrap.HEAD_RECALL);

    private ChampionComparison() {}

    /** The gate metric keys that have a paired champion comparison, sorted ({@code GateMetric#pairedWithChampion}). */
    public static List<String> pairedKeys() {
        return PAIRED.keySet().stream().sorted().toList();
    }

    /**
     * Per paired metric key K: {@code K_vs_champion} (challenger − champion, mean over seeds), {@code
     * K_vs_champion_ci_low} and {@code _ci_high} (95 % percentile interval over 1,000 draws of test studies and
     * seeds).
     *
     * @throws IllegalArgumentException when the two did not score the same test studies, classes and seeds, or
     *                                  one has no augmented arm
     */
    public static Map<String, Double> compare(TestPredictions champion, TestPredictions challenger) {
        if (!champion.comparableWith(challenger)) {
            throw new IllegalArgumentException(
                    "champion and challenger were not evaluated on the same test studies," + " classes and seeds");
        }
        List<double[][]> before = champion.byArm().get(ARM);
        List<double[][]> after = challenger.byArm().get(ARM);
        if (before == null || after == null) {
            throw new IllegalArgumentException("no " + ARM + " arm to compare in the "
                    + (before == null ? "champion's" : "challenger's") + " evaluation");
        }
        Map<String, PairedBootstrap.Difference> d = PairedBootstrap.compare(
                champion.labels(),
                before,
                after,
                champion.classLabels().size(),
                champion.tailClasses(),
                RESAMPLES,
                BOOTSTRAP_SEED);
        Map<String, Double> out = new LinkedHashMap<>();
        for (String key : pairedKeys()) {
            PairedBootstrap.Difference diff = d.get(PAIRED.get(key));
            out.put(key + SUFFIX, diff.difference());
            out.put(key + SUFFIX + "_ci_low", diff.low());
            out.put(key + SUFFIX + "_ci_high", diff.high());
        }
        return out;
    }
}
