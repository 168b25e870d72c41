package dev.causalcxr.core.disentangle;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The disentangler's test-split metrics. Swap metrics compare D(z_id(A), z_path(B)) with the
 * phantom's exact render of A's identity and acquisition showing B's findings; they are NaN for data
 * without phantom ground truth.
 *
 * @param reconSsim                    mean SSIM of D(z_id(x), z_path(x)) against x
 * @param reconPsnr                    mean PSNR (dB) of the same
 * @param swapSsimGt                   mean SSIM of the swap against the ground-truth counterfactual
 * @param swapPsnrGt                   mean PSNR (dB) of the same
 * @param swapMaeInMask                mean absolute swap error inside B's finding masks rendered on A
 * @param swapMaeOutMask               the same outside the masks
 * @param swapSsimGtNoSwapBaseline     SSIM of A's plain reconstruction against the same ground truth:
 *                                     what a model that ignores z_path(B) would score
 * @param swapMaeInMaskNoSwapBaseline  in-mask error of that no-swap baseline
 * @param leakageZidFindingProbe       balanced accuracy of a linear probe reading the primary finding
 *                                     class from pooled z_id (chance is good)
 * @param zpathFindingProbe            the same probe on the z_path mean (high is good)
 * @param zpathIdentityProbe           balanced accuracy of reading the patient from the z_path mean
 * @param findingChance                chance balanced accuracy of the finding probes
 * @param identityChance               chance balanced accuracy of the identity probe
 * @param testStudies                  studies in the test split
 * @param swapPairs                    (A, B) pairs behind the swap metrics
 */
public record DisentanglerMetrics(
        double reconSsim,
        double reconPsnr,
        double swapSsimGt,
        double swapPsnrGt,
        double swapMaeInMask,
        double swapMaeOutMask,
        double swapSsimGtNoSwapBaseline,
        double swapMaeInMaskNoSwapBaseline,
        double leakageZidFindingProbe,
        double zpathFindingProbe,
        double zpathIdentityProbe,
        double findingChance,
        double identityChance,
        int testStudies,
        int swapPairs) {

    /** The summary keys of the stage; {@code suffix} is "" or "_ablation_no_group". NaN values are left out. */
    public Map<String, Double> asMap(String suffix) {
        Map<String, Double> m = new LinkedHashMap<>();
        put(m, "recon_ssim" + suffix, reconSsim);
        put(m, "recon_psnr" + suffix, reconPsnr);
        put(m, "swap_ssim_gt" + suffix, swapSsimGt);
        put(m, "swap_psnr_gt" + suffix, swapPsnrGt);
        put(m, "swap_mae_in_mask" + suffix, swapMaeInMask);
        put(m, "swap_mae_out_mask" + suffix, swapMaeOutMask);
        put(m, "swap_ssim_gt_no_swap_baseline" + suffix, swapSsimGtNoSwapBaseline);
        put(m, "swap_mae_in_mask_no_swap_baseline" + suffix, swapMaeInMaskNoSwapBaseline);
        put(m, "leakage_zid_finding_probe" + suffix, leakageZidFindingProbe);
        put(m, "zpath_finding_probe" + suffix, zpathFindingProbe);
        put(m, "zpath_identity_probe" + suffix, zpathIdentityProbe);
        put(m, "finding_probe_chance" + suffix, findingChance);
        put(m, "identity_probe_chance" + suffix, identityChance);
        return m;
    }

    private static void put(Map<String, Double> m, String key, double v) {
        if (!Double.isNaN(v)) {
            m.put(key, v);
        }
    }
}
