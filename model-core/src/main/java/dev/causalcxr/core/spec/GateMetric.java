package dev.causalcxr.core.spec;

import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * The metrics a promotion gate rule may name, each with the direction in which it gets better and the key under
 * which the pipeline's stages report it. A downstream metric without an arm ({@code tail_recall}) means the arm the
 * generator changes: the classifier trained on real and counterfactual images ({@code tail_recall_augmented}).
 *
 * @param name           the name a rule uses
 * @param key            the stage metric it reads
 * @param higherIsBetter true when a larger value is better (false: FID, KID, errors)
 */
public record GateMetric(String name, String key, boolean higherIsBetter) {

    private static final Map<String, GateMetric> KNOWN = catalogue();

    /**
     * The augmented arm's downstream metrics that a retrain also compares study by study, champion against
     * challenger, with a paired interval ({@code dev.causalcxr.core.retrain.ChampionComparison}).
     */
    private static final Set<String> PAIRED_WITH_CHAMPION = Set.of(
            "balanced_accuracy_augmented",
            "auroc_augmented",
            "tail_auroc_augmented",
            "head_auroc_augmented",
            "tail_recall_augmented",
            "head_recall_augmented");

    /** Whether a retrain measures this metric's challenger − champion difference with a paired interval. */
    public boolean pairedWithChampion() {
        return PAIRED_WITH_CHAMPION.contains(key);
    }

    private static Map<String, GateMetric> catalogue() {
        Map<String, GateMetric> m = new TreeMap<>();
        // train-disentangler (test split of the data set it ran on)
        for (String k : new String[] {"recon_ssim", "recon_psnr", "swap_ssim_gt"}) {
            m.put(k, new GateMetric(k, k, true));
        }
        m.put("swap_mae_in_mask", new GateMetric("swap_mae_in_mask", "swap_mae_in_mask", false));
        // evaluate: fidelity of the counterfactuals against the test split's real images
        m.put("fid", new GateMetric("fid", "fid", false));
        m.put("kid", new GateMetric("kid", "kid", false));
        // evaluate: fidelity of the decoder's own images of the same requests (how well the decoder fits the split)
        m.put("decoded_fid", new GateMetric("decoded_fid", "decoded_fid", false));
        m.put("decoded_kid", new GateMetric("decoded_kid", "decoded_kid", false));
        for (String k : new String[] {"precision", "recall", "density", "coverage"}) {
            m.put(k, new GateMetric(k, k, true));
        }
        // generate-counterfactuals
        for (String k : new String[] {
            "cf_effectiveness",
            "cf_identity_ssim",
            "cf_gt_ssim",
            "cf_gt_ssim_mask",
            "cf_composition_ssim",
            "cf_reversibility_ssim"
        }) {
            m.put(k, new GateMetric(k, k, true));
        }
        // ... and by the independent judge, which the generator never trained against (absent without one)
        m.put("cf_effectiveness_judge", new GateMetric("cf_effectiveness_judge", "cf_effectiveness_judge", true));
        // generate-counterfactuals: what a request changed that it did not ask for (lower is better)
        for (String k : new String[] {"cf_off_target_change", "cf_off_target_flips", "cf_amplification"}) {
            m.put(k, new GateMetric(k, k, false));
            m.put(k + "_judge", new GateMetric(k + "_judge", k + "_judge", false));
        }
        // evaluate: the downstream classifier's arms
        for (String d : new String[] {
            "accuracy",
            "balanced_accuracy",
            "macro_f1",
            "auroc",
            "head_recall",
            "tail_recall",
            "head_auroc",
            "tail_auroc"
        }) {
            m.put(d, new GateMetric(d, d + "_augmented", true));
            for (String arm : new String[] {
                "_real", "_augmented", "_augmented_plain", "_pretrain_finetune", "_oracle", "_oracle_codes"
            }) {
                m.put(d + arm, new GateMetric(d + arm, d + arm, true));
            }
        }
        return m;
    }

    public static Optional<GateMetric> of(String name) {
        return Optional.ofNullable(KNOWN.get(name));
    }

    /** Every name a rule may use, sorted. */
    public static java.util.Set<String> names() {
        return KNOWN.keySet();
    }
}
