package dev.causalcxr.core.phantom;

import dev.causalcxr.core.random.SplitMix64;

/**
 * Per-study acquisition: how the same anatomy was exposed and digitized. Deterministic from its
 * seed; the noise realization comes from {@code noiseSeed}, so re-rendering a study with other
 * findings reproduces exactly the same noise.
 *
 * @param seed       the seed everything below was drawn from
 * @param exposure   attenuation scale (beam quality/dose), ~0.85..1.15
 * @param contrast   display contrast curve strength, 0..1
 * @param brightness window offset
 * @param noiseSigma quantum-noise standard deviation in display units
 * @param shiftX     patient shift in the field of view (normalized)
 * @param shiftY     patient shift in the field of view (normalized)
 * @param gradient   vertical exposure gradient (heel effect), relative
 * @param noiseSeed  seed of the per-pixel noise
 * @param blur       detector blur before the noise: Gaussian standard deviation as a fraction of the image edge
 *                   (0: none)
 * @param zoom       field of view: 1 = reference framing, above 1 = tighter collimation
 */
public record Acquisition(
        long seed,
        double exposure,
        double contrast,
        double brightness,
        double noiseSigma,
        double shiftX,
        double shiftY,
        double gradient,
        long noiseSeed,
        double blur,
        double zoom) {

    /** The acquisition of site {@link SiteProfile#A}, the original phantom's. */
    public static Acquisition fromSeed(long seed) {
        SplitMix64 r = new SplitMix64(SplitMix64.derive(seed, 0xACC));
        return new Acquisition(
                seed,
                r.uniform(0.88, 1.12),
                r.uniform(0.1, 0.4),
                r.uniform(-0.04, 0.04),
                r.uniform(0.008, 0.022),
                r.uniform(-0.02, 0.02),
                r.uniform(-0.02, 0.02),
                r.uniform(-0.10, 0.06),
                SplitMix64.derive(seed, 0x401CE),
                0.0,
                1.0);
    }

    /**
     * The same draws, through the site's machines. A neutral site returns {@link #fromSeed(long)} itself, so
     * site A renders bit for bit as before.
     */
    public static Acquisition fromSeed(long seed, SiteProfile site) {
        Acquisition a = fromSeed(seed);
        if (site.neutralAcquisition()) {
            return a;
        }
        return new Acquisition(
                seed,
                a.exposure * site.exposureScale(),
                Math.max(0, Math.min(1, a.contrast + site.contrastShift())),
                a.brightness + site.brightnessShift(),
                a.noiseSigma * site.noiseScale(),
                a.shiftX,
                a.shiftY,
                a.gradient + site.gradientShift(),
                a.noiseSeed,
                site.blur(),
                site.zoom());
    }
}
