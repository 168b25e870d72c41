package dev.causalcxr.core.counterfactual;

import dev.causalcxr.core.imaging.GaussianBlur;

/**
 * Where a counterfactual's change is concentrated, for {@link Composition#LOCALIZED}: a soft
 * mask in [0, 1] computed from the change itself, as DiffEdit (Couairon et al., ICLR 2023) infers its edit mask from
 * the difference of two conditional predictions. No finding mask is needed, so it works on real images.
 *
 * <p>The magnitude of the change |Δ| is smoothed with a Gaussian of σ = 1.5 px at 64 px (scaled with the image), so
 * that a lesion counts as a region and one stray pixel does not, and divided by its own peak. Pixels below half the
 * threshold get weight 0, pixels above the threshold weight 1, and those between a linear ramp, so the mask has no
 * hard edge. Weak, spread-out changes are dropped; the region that carries most of the change is kept whole, and so
 * is any other region where the change is as strong.
 */
final class ChangeMask {

    /** σ of the smoothing, in pixels at 64 px. */
    static final double SIGMA_AT_64 = 1.5;

    /** A change whose smoothed peak is below this (in units of the gray range) is no change at all. */
    static final double NO_CHANGE = 1e-6;

    private ChangeMask() {}

    /**
     * The mask of one change.
     *
     * @param delta     the change, row-major {@code width × height} (decoded with the new code minus the
     *                  reconstruction)
     * @param threshold share of the smoothed peak from which a pixel is kept whole, in (0, 1]
     * @return weights in [0, 1], one per pixel
     */
    static float[] weights(float[] delta, int width, int height, double threshold) {
        if (!Composition.isLocalizeThreshold(threshold)) {
            throw new IllegalArgumentException("the localization threshold must be in (0, 1], got " + threshold);
        }
        if (delta.length != width * height) {
            throw new IllegalArgumentException(
                    "a change of " + delta.length + " values is not a " + width + " × " + height + " image");
        }
        double[] magnitude = new double[delta.length];
        for (int p = 0; p < delta.length; p++) {
            magnitude[p] = Math.abs(delta[p]);
        }
        double[] smooth = GaussianBlur.blur(magnitude, width, height, SIGMA_AT_64 * width / 64.0);
        double peak = 0;
        for (double v : smooth) {
            peak = Math.max(peak, v);
        }
        float[] mask = new float[delta.length];
        if (peak < NO_CHANGE) {
            return mask;
        }
        double low = threshold / 2;
        for (int p = 0; p < mask.length; p++) {
            double share = smooth[p] / peak;
            mask[p] = (float) Math.min(1, Math.max(0, (share - low) / (threshold - low)));
        }
        return mask;
    }
}
