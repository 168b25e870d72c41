package dev.causalcxr.core.phantom;

import dev.causalcxr.core.findings.Finding;
import dev.causalcxr.core.findings.FindingMention;
import dev.causalcxr.core.findings.Status;
import dev.causalcxr.core.imaging.GaussianBlur;
import dev.causalcxr.core.imaging.GrayImage;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Renders phantom radiographs: {@code render(identity, acquisition, findings, size)}. The image is
 * a pure function of its arguments: any finding set can be rendered for a study (its exact
 * counterfactual), with the same anatomy and the same noise realization.
 *
 * <p>Model: an attenuation map (soft tissue minus lung air, plus heart, bones, devices and
 * findings) goes through an exposure curve {@code 1 − e^(−kA)}, a display window and contrast
 * curve, a vertical exposure gradient and signal-dependent noise; bright is dense as on film.
 * Images up to 128 px average 2×2 samples per pixel (anti-aliasing).
 * Geometry is in normalized coordinates, so one study renders consistently at 64..512 px.
 */
public final class PhantomRenderer {

    public static final int MIN_SIZE = 16;
    public static final int MAX_SIZE = 1024;

    /** The findings the phantom can draw. */
    public static final Set<Finding> RENDERABLE = Collections.unmodifiableSet(EnumSet.of(
            Finding.PLEURAL_EFFUSION,
            Finding.CARDIOMEGALY,
            Finding.PNEUMOTHORAX,
            Finding.CONSOLIDATION,
            Finding.ATELECTASIS,
            Finding.EDEMA,
            Finding.NODULE,
            Finding.MASS,
            Finding.FRACTURE,
            Finding.SUPPORT_DEVICES));

    private PhantomRenderer() {}

    /** Renders the image and one mask per finding. Only {@code PRESENT} mentions are drawn. */
    public static RenderedStudy render(
            PatientIdentity identity, Acquisition acquisition, List<FindingMention> findings, int size) {
        return renderInternal(identity, acquisition, findings, size, true, Map.of());
    }

    /**
     * As {@link #render(PatientIdentity, Acquisition, List, int)}, with the named findings placed from other
     * seeds: the same anatomy, acquisition and noise, those findings jittered (position, shape, extent within
     * their mention) as another study of the same patient would show them, the others where they were.
     */
    public static RenderedStudy render(
            PatientIdentity identity,
            Acquisition acquisition,
            List<FindingMention> findings,
            int size,
            Map<Finding, Long> placementSeeds) {
        return renderInternal(identity, acquisition, findings, size, true, Map.copyOf(placementSeeds));
    }

    /** Renders the image only (a little faster: no masks kept). */
    public static GrayImage renderImage(
            PatientIdentity identity, Acquisition acquisition, List<FindingMention> findings, int size) {
        return renderInternal(identity, acquisition, findings, size, false, Map.of())
                .image();
    }

    private static RenderedStudy renderInternal(
            PatientIdentity identity,
            Acquisition acq,
            List<FindingMention> findings,
            int size,
            boolean withMasks,
            Map<Finding, Long> placementSeeds) {
        if (size < MIN_SIZE || size > MAX_SIZE) {
            throw new IllegalArgumentException("size must be in " + MIN_SIZE + ".." + MAX_SIZE + ": " + size);
        }
        Anatomy anatomy = new Anatomy(identity);
        double pixel = 1.0 / size;
        List<LesionLayer> layers = new ArrayList<>();
        EnumSet<Finding> seen = EnumSet.noneOf(Finding.class);
        for (FindingMention m : findings) {
            if (m.status() != Status.PRESENT) {
                continue;
            }
            if (!RENDERABLE.contains(m.finding())) {
                throw new IllegalArgumentException(
                        "the phantom does not render " + m.finding().label());
            }
            if (!seen.add(m.finding())) {
                throw new IllegalArgumentException(
                        "finding listed twice: " + m.finding().label());
            }
            layers.add(LesionLayers.build(anatomy, placementSeeds.getOrDefault(m.finding(), acq.seed()), m, pixel));
        }
        // cardiomegaly changes the heart that other layers' modifiers are combined with: apply it first
        layers.sort((x, y) -> Boolean.compare(
                y.mention.finding() == Finding.CARDIOMEGALY, x.mention.finding() == Finding.CARDIOMEGALY));
        int nl = layers.size();
        BitSet[] masks = new BitSet[nl];
        for (int i = 0; i < nl; i++) {
            masks[i] = new BitSet(size * size);
        }

        double cr = StrictMath.cos(identity.rotation());
        double sr = StrictMath.sin(identity.rotation());
        double gain = 1.6 * acq.exposure();
        double lo = 0.04 + acq.brightness();
        double hi = 0.86 + acq.brightness();
        double contrast = acq.contrast();
        double sigma = acq.noiseSigma();
        long noiseSeed = acq.noiseSeed();
        // small images integrate k×k samples per pixel, as a detector pixel integrates its area:
        // thin ribs, lines and edges stay smooth instead of aliasing
        int k = size <= 128 ? 2 : 1;
        double sub = pixel / k;
        double inv = 1.0 / (k * k);
        // the site's field of view: dividing by exactly 1.0 leaves every coordinate's bits as they were
        double zoom = acq.zoom();
        PixelState st = new PixelState();
        double[] clean = new double[size * size];
        for (int y = 0; y < size; y++) {
            for (int x = 0; x < size; x++) {
                int idx = y * size + x;
                double acc = 0;
                for (int sy = 0; sy < k; sy++) {
                    double v = y * pixel + (sy + 0.5) * sub;
                    double dv = (v - acq.shiftY() - 0.5) / zoom;
                    double exposure = 1 + acq.gradient() * (v - 0.5);
                    for (int sx = 0; sx < k; sx++) {
                        double du = (x * pixel + (sx + 0.5) * sub - acq.shiftX() - 0.5) / zoom;
                        double p = 0.5 + cr * du - sr * dv;
                        double q = 0.5 + sr * du + cr * dv;
                        anatomy.geometry(st, p, q);
                        for (int i = 0; i < nl; i++) {
                            LesionLayer layer = layers.get(i);
                            if (layer.mayCover(p, q) && layer.apply(st)) {
                                masks[i].set(idx);
                            }
                        }
                        double a = anatomy.attenuation(st);
                        double d = 1 - Noise.expNeg(gain * exposure * Math.max(0, a));
                        d = (d - lo) / (hi - lo);
                        d = Math.max(0, Math.min(1, d));
                        acc += d + contrast * (d * d * (3 - 2 * d) - d);
                    }
                }
                clean[idx] = acc * inv;
            }
        }
        if (acq.blur() > 0) {
            // the detector's blur acts on the signal; the quantum noise is added after it
            clean = GaussianBlur.blur(clean, size, size, acq.blur() * size);
        }
        short[] out = new short[size * size];
        for (int idx = 0; idx < out.length; idx++) {
            double d = clean[idx];
            d += sigma * (0.5 + 0.5 * d) * Noise.gaussian(noiseSeed, idx);
            out[idx] = (short) quantize(d);
        }
        GrayImage image = GrayImage.of(size, size, out);
        List<FindingMask> result = new ArrayList<>();
        if (withMasks) {
            for (int i = 0; i < nl; i++) {
                result.add(new FindingMask(layers.get(i).mention.finding(), size, size, masks[i]));
            }
        }
        return new RenderedStudy(image, result);
    }

    private static int quantize(double d) {
        if (!(d > 0)) {
            return 0;
        }
        if (d >= 1) {
            return 0xFFFF;
        }
        return (int) (d * 0xFFFF + 0.5);
    }
}
