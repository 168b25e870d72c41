package dev.causalcxr.core.counterfactual;

import dev.causalcxr.core.findings.Finding;
import dev.causalcxr.core.findings.FindingMention;
import dev.causalcxr.core.imaging.ImageCodec;
import dev.causalcxr.core.phantom.PhantomGenerator;
import dev.causalcxr.core.phantom.PhantomRenderer;
import dev.causalcxr.core.phantom.PhantomSpec;
import dev.causalcxr.core.phantom.PhantomStudy;
import java.io.IOException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The studies the independent effectiveness judge trains on when the data set is a phantom: an
 * evaluation-only cohort rendered from a seed of its own (new patients, seen by no generator), with every
 * rendered finding at {@link #FREQUENCY}, through the same 16-bit PNG round trip as the data set's images,
 * labelled with the phantom's exact findings. A run's validation split holds a handful of studies per tail
 * finding, too few for a judge to learn to see them (its recall on real tail images was 0 in the powered
 * runs); this cohort gives every finding hundreds.
 */
public final class JudgeCohort {
    /** The most studies a cohort may have (rendering is in memory). */
    public static final int MAX_STUDIES = 20_000;
    /** The frequency of every rendered finding in the cohort. */
    static final double FREQUENCY = 0.2;
    /** Keeps the cohort's phantom seed apart from the stage seed it is derived from. */
    private static final long SEED_SALT = 0x6a09_e667_f3bc_c909L;

    /**
     * @param images the images, row-major in [0, 1], of the data set's size
     * @param labels each image's present findings among those asked for
     */
    public record Cohort(List<float[]> images, List<Set<Finding>> labels) {}

    private JudgeCohort() {}

    /** {@code studies} phantom studies at {@code size} px, labelled with the given findings where present. */
    public static Cohort render(int studies, int size, long stageSeed, List<Finding> findings) throws IOException {
        if (studies < 1 || studies > MAX_STUDIES) {
            throw new IllegalArgumentException("judge cohort: studies must be 1.." + MAX_STUDIES + ", got " + studies);
        }
        Map<Finding, Double> frequencies = new EnumMap<>(Finding.class);
        PhantomSpec.defaultFrequencies().keySet().forEach(f -> {
            if (PhantomRenderer.RENDERABLE.contains(f)) {
                frequencies.put(f, FREQUENCY);
            }
        });
        PhantomGenerator generator = new PhantomGenerator(PhantomSpec.defaults()
                .withStudies(studies)
                .withSize(size)
                .withSeed(stageSeed ^ SEED_SALT)
                .withClassFrequencies(frequencies));
        List<float[]> images = new ArrayList<>(studies);
        List<Set<Finding>> labels = new ArrayList<>(studies);
        for (PhantomStudy study : generator.studies()) {
            byte[] png = ImageCodec.encodePng16(generator.render(study).image());
            images.add(ImageCodec.decode(png).toFloat());
            Set<Finding> present = EnumSet.noneOf(Finding.class);
            for (FindingMention m : study.findings()) {
                if (findings.contains(m.finding())) {
                    present.add(m.finding());
                }
            }
            labels.add(present);
        }
        return new Cohort(images, labels);
    }
}
