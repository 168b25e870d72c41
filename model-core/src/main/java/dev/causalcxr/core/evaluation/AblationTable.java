package dev.causalcxr.core.evaluation;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The paper's ablations over seeds, read from the metrics one pipeline run already pairs: the disentangler with and
 * without group supervision ({@code X} vs {@code X_ablation_no_group}), counterfactuals from optimized initial noise
 * and from plain priors ({@code tail_*_optimized} vs {@code _plain}, downstream {@code _augmented} vs
 * {@code _augmented_plain}), and the classifier with and without counterfactuals ({@code _augmented} vs
 * {@code _real}). Each row pairs the two within a seed, so the interval is over the seeds' paired differences
 * (Student's t), not over two independent means.
 */
public final class AblationTable {

    /** One comparison: the metric with the component and without it. */
    public record Comparison(
            String ablation, String metric, String withKey, String withoutKey, boolean higherIsBetter) {}

    /** A row of the table: both sides over seeds and their paired difference (with − without). */
    public record Row(Comparison comparison, MeanStd with, MeanStd without, MeanStd difference) {

        /** Whether the 95 % interval of the paired difference lies wholly on the component's side. */
        public boolean componentHelps() {
            double lo = difference.mean() - difference.ci95();
            double hi = difference.mean() + difference.ci95();
            return comparison.higherIsBetter() ? lo > 0 : hi < 0;
        }
    }

    /**
     * One arm's delta on the evaluation-only cohort over runs: the mean of the runs' paired deltas, its 95 %
     * t-interval over the runs (which, unlike a run's own bootstrap interval, covers the generator's training), and
     * how many runs' own interval ({@code _ci_low}, {@code _ci_high}) lies above and below 0.
     */
    public record CohortDelta(String key, MeanStd overRuns, int runsAbove, int runsBelow) {}

    /**
     * The cohort deltas the table reads where every run has them: each arm against real, the generator against the
     * oracle, and the optimized priors against plain noise.
     */
    public static final List<String> COHORT_DELTAS = List.of(
            "power_tail_recall_delta_augmented",
            "power_tail_auroc_delta_augmented",
            "power_tail_recall_delta_augmented_plain",
            "power_tail_auroc_delta_augmented_plain",
            "power_tail_recall_delta_pretrain_finetune",
            "power_tail_auroc_delta_pretrain_finetune",
            "power_tail_recall_delta_oracle",
            "power_tail_auroc_delta_oracle",
            "power_tail_recall_delta_augmented_vs_oracle",
            "power_tail_auroc_delta_augmented_vs_oracle",
            "power_tail_recall_delta_augmented_vs_augmented_plain",
            "power_tail_auroc_delta_augmented_vs_augmented_plain");

    public static final String GROUP_SUPERVISION = "group supervision (disentangler)";
    public static final String NOISE_OPTIMIZATION = "noise optimization (tail priors)";
    public static final String AUGMENTATION = "augmentation (downstream classifier)";

    /** Every comparison the table knows, in its order; a run lacking a pair's metrics leaves that row out. */
    public static final List<Comparison> COMPARISONS = comparisons();

    private final List<Row> rows;
    private final List<CohortDelta> cohortDeltas;
    private final int seeds;

    private AblationTable(List<Row> rows, List<CohortDelta> cohortDeltas, int seeds) {
        this.rows = List.copyOf(rows);
        this.cohortDeltas = List.copyOf(cohortDeltas);
        this.seeds = seeds;
    }

    /** The table over the runs' final metrics, one map per seed. */
    public static AblationTable of(List<Map<String, Double>> perSeed) {
        List<Row> rows = new ArrayList<>();
        for (Comparison c : COMPARISONS) {
            if (!perSeed.stream().allMatch(m -> m.containsKey(c.withKey()) && m.containsKey(c.withoutKey()))) {
                continue;
            }
            double[] with =
                    perSeed.stream().mapToDouble(m -> m.get(c.withKey())).toArray();
            double[] without =
                    perSeed.stream().mapToDouble(m -> m.get(c.withoutKey())).toArray();
            double[] diff = new double[with.length];
            for (int i = 0; i < with.length; i++) {
                diff[i] = with[i] - without[i];
            }
            rows.add(new Row(c, MeanStd.of(with), MeanStd.of(without), MeanStd.of(diff)));
        }
        List<CohortDelta> deltas = new ArrayList<>();
        for (String k : COHORT_DELTAS) {
            if (!perSeed.stream()
                    .allMatch(m -> m.containsKey(k) && m.containsKey(k + "_ci_low") && m.containsKey(k + "_ci_high"))) {
                continue;
            }
            deltas.add(new CohortDelta(
                    k,
                    MeanStd.of(perSeed.stream().mapToDouble(m -> m.get(k)).toArray()),
                    (int) perSeed.stream().filter(m -> m.get(k + "_ci_low") > 0).count(),
                    (int) perSeed.stream()
                            .filter(m -> m.get(k + "_ci_high") < 0)
                            .count()));
        }
        return new AblationTable(rows, deltas, perSeed.size());
    }

    public List<Row> rows() {
        return rows;
    }

    public List<CohortDelta> cohortDeltas() {
        return cohortDeltas;
    }

    public int seeds() {
        return seeds;
    }

    /** The metrics a tracking run records: {@code ablation.GROUP.METRIC.with_mean}, … and the difference's CI. */
    public Map<String, Double> asMetrics() {
        Map<String, Double> m = new java.util.LinkedHashMap<>();
        for (Row r : rows) {
            String p = "ablation." + groupKey(r.comparison().ablation()) + "."
                    + r.comparison().metric() + ".";
            m.put(p + "with_mean", r.with().mean());
            m.put(p + "with_std", r.with().std());
            m.put(p + "without_mean", r.without().mean());
            m.put(p + "without_std", r.without().std());
            m.put(p + "difference_mean", r.difference().mean());
            m.put(
                    p + "difference_ci_low",
                    r.difference().mean() - r.difference().ci95());
            m.put(
                    p + "difference_ci_high",
                    r.difference().mean() + r.difference().ci95());
        }
        for (CohortDelta d : cohortDeltas) {
            String p = "seeds." + d.key() + ".";
            m.put(p + "mean", d.overRuns().mean());
            m.put(p + "ci_low", d.overRuns().mean() - d.overRuns().ci95());
            m.put(p + "ci_high", d.overRuns().mean() + d.overRuns().ci95());
            m.put(p + "runs_above", (double) d.runsAbove());
            m.put(p + "runs_below", (double) d.runsBelow());
        }
        return m;
    }

    /** A Markdown table: with and without (mean ± std over seeds), the paired difference and its 95 % t-interval. */
    public String markdown() {
        StringBuilder b = new StringBuilder();
        b.append("| ablation | metric | with | without | with − without (95 % CI) | |\n");
        b.append("|---|---|---|---|---|---|\n");
        for (Row r : rows) {
            Comparison c = r.comparison();
            b.append(String.format(
                    Locale.ROOT,
                    "| %s | %s%s | %.4f ± %.4f | %.4f ± %.4f | %+.4f (%+.4f to %+.4f) | %s |%n",
                    c.ablation(),
                    c.metric(),
                    c.higherIsBetter() ? " ↑" : " ↓",
                    r.with().mean(),
                    r.with().std(),
                    r.without().mean(),
                    r.without().std(),
                    r.difference().mean(),
                    r.difference().mean() - r.difference().ci95(),
                    r.difference().mean() + r.difference().ci95(),
                    r.componentHelps() ? "helps" : (harms(r) ? "hurts" : "no clear effect")));
        }
        if (!cohortDeltas.isEmpty()) {
            b.append(String.format(
                    Locale.ROOT,
                    "%nEvaluation-only cohort, tail: each run's paired delta, over the %d runs (the interval covers the"
                            + " generator's training; a run's own covers its classifier seeds and test draw)%n%n",
                    seeds));
            b.append("| delta | mean over runs | 95 % t-interval over runs | runs whose own CI excludes 0"
                    + " (above / below) |\n");
            b.append("|---|---|---|---|\n");
            for (CohortDelta d : cohortDeltas) {
                b.append(String.format(
                        Locale.ROOT,
                        "| %s | %+.3f | %+.3f to %+.3f | %d / %d of %d |%n",
                        d.key().substring("power_tail_".length()),
                        d.overRuns().mean(),
                        d.overRuns().mean() - d.overRuns().ci95(),
                        d.overRuns().mean() + d.overRuns().ci95(),
                        d.runsAbove(),
                        d.runsBelow(),
                        seeds));
            }
        }
        return b.toString();
    }

    private static boolean harms(Row r) {
        double lo = r.difference().mean() - r.difference().ci95();
        double hi = r.difference().mean() + r.difference().ci95();
        return r.comparison().higherIsBetter() ? hi < 0 : lo > 0;
    }

    private static String groupKey(String ablation) {
        return ablation.substring(0, ablation.indexOf(" (")).replace(' ', '_');
    }

    private static List<Comparison> comparisons() {
        List<Comparison> c = new ArrayList<>();
        String noGroup = "_ablation_no_group";
        for (String k : new String[] {"recon_ssim", "swap_ssim_gt", "zpath_finding_probe"}) {
            c.add(new Comparison(GROUP_SUPERVISION, k, k, k + noGroup, true));
        }
        for (String k : new String[] {"swap_mae_in_mask", "leakage_zid_finding_probe"}) {
            c.add(new Comparison(GROUP_SUPERVISION, k, k, k + noGroup, false));
        }
        c.add(new Comparison(
                NOISE_OPTIMIZATION,
                "tail_effectiveness",
                "tail_effectiveness_optimized",
                "tail_effectiveness_plain",
                true));
        c.add(new Comparison(
                NOISE_OPTIMIZATION, "tail_diversity", "tail_diversity_optimized", "tail_diversity_plain", true));
        c.add(new Comparison(NOISE_OPTIMIZATION, "tail_fid", "tail_fid_optimized", "tail_fid_plain", false));
        String[] downstream = {
            "tail_auroc", "tail_recall", "head_auroc", "head_recall", "auroc", "balanced_accuracy", "macro_f1"
        };
        for (String k : downstream) {
            c.add(new Comparison(NOISE_OPTIMIZATION, k, k + "_augmented", k + "_augmented_plain", true));
        }
        for (String k : downstream) {
            c.add(new Comparison(AUGMENTATION, k, k + "_augmented", k + "_real", true));
        }
        return List.copyOf(c);
    }
}
