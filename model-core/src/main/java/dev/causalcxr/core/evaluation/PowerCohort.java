package dev.causalcxr.core.evaluation;

import dev.causalcxr.core.findings.Finding;
import dev.causalcxr.core.findings.FindingMention;
import dev.causalcxr.core.imaging.ImageCodec;
import dev.causalcxr.core.phantom.PhantomGenerator;
import dev.causalcxr.core.phantom.PhantomSpec;
import dev.causalcxr.core.phantom.PhantomStudy;
import java.io.IOException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * An evaluation-only phantom cohort for comparisons with power. A phantom run's own test split holds about
 * ten studies of each tail class, too few to tell an augmentation's effect from chance; this cohort is
 * rendered by the evaluate stage from a seed of its own (so new patients, never seen by any stage), with the
 * same renderer and the same PNG round trip as the data set's images, and with every tail class made common:
 * each tail finding's frequency is raised so that about {@link #MIN_STUDIES_PER_TAIL_CLASS} studies per tail
 * class are expected after the primary-finding rule (a study counts for its highest-priority finding, so the
 * frequencies are set in priority order, each making up for the studies that the findings before it take). Classes come from the phantom's
 * exact findings (the truth), not from parsed reports. No classifier trains or selects on it.
 */
public final class PowerCohort {

    /** The studies per tail class the cohort is sized for. */
    public static final int MIN_STUDIES_PER_TAIL_CLASS = 100;
    /** A bound on the cohort (rendering is in memory). */
    public static final int MAX_STUDIES = 20_000;
    /** Keeps the cohort's seed apart from every stage seed it is derived from. */
    private static final long SEED_SALT = 0x9e37_79b9_7f4a_7c15L;
    /** Frequency margin over the bare expectation: the priority rule moves some studies to rarer classes. */
    private static final double MARGIN = 1.3;
    /** No finding is made more common than this, or the cohort stops resembling the phantom. */
    private static final double MAX_FREQUENCY = 0.5;

    /**
     * @param images      model inputs and primary-finding classes
     * @param classCounts studies per class
     * @param seed        the phantom seed it was rendered with
     */
    public record Cohort(LabeledImages images, int[] classCounts, long seed) {
        /** The fewest studies of any tail class (0 when a tail class is missing). */
        public int fewestTailStudies(Set<Integer> tailClasses) {
            return tailClasses.stream().mapToInt(c -> classCounts[c]).min().orElse(0);
        }
    }

    private PowerCohort() {}

    /**
     * Renders {@code studies} phantom studies at {@code renderSize} px for a stage seed, raising the
     * frequency of each tail class's finding, and prepares them as classifier inputs of {@code modelSize} px.
     */
    public static Cohort render(
            int studies,
            int renderSize,
            int modelSize,
            long stageSeed,
            PrimaryFindingTarget target,
            Set<Integer> tailClasses)
            throws IOException {
        if (studies < 1 || studies > MAX_STUDIES) {
            throw new IllegalArgumentException("power cohort: studies must be 1.." + MAX_STUDIES + ", got " + studies);
        }
        Map<Finding, Double> frequencies = new EnumMap<>(PhantomSpec.defaultFrequencies());
        Set<String> tailLabels =
                tailClasses.stream().map(c -> target.classLabels().get(c)).collect(Collectors.toSet());
        // in priority order (rarest first): a study counts for its highest-priority finding, so a tail class
        // keeps only the studies that have none of the findings before it; its frequency makes up for that
        double noneBefore = 1.0;
        for (String label : target.priorityLabels()) {
            Finding f = Finding.fromLabel(label)
                    .orElseThrow(() -> new IllegalArgumentException("class " + label + " is not a finding"));
            if (!frequencies.containsKey(f)) {
                continue;
            }
            if (tailLabels.contains(label)) {
                double wanted = MARGIN * MIN_STUDIES_PER_TAIL_CLASS / (studies * noneBefore);
                frequencies.put(f, Math.min(MAX_FREQUENCY, Math.max(frequencies.get(f), wanted)));
            }
            noneBefore *= 1.0 - frequencies.get(f);
        }
        long seed = stageSeed ^ SEED_SALT;
        PhantomGenerator generator = new PhantomGenerator(PhantomSpec.defaults()
                .withStudies(studies)
                .withSize(renderSize)
                .withSeed(seed)
                .withClassFrequencies(frequencies));
        List<float[]> pixels = new ArrayList<>(studies);
        int[] classes = new int[generator.studies().size()];
        int[] counts = new int[target.classCount()];
        int i = 0;
        for (PhantomStudy study : generator.studies()) {
            // through the data set's own encoding, so the cohort's images are quantized like the real split's
            byte[] png = ImageCodec.encodePng16(generator.render(study).image());
            pixels.add(LabeledImages.toModelInput(ImageCodec.decode(png), modelSize));
            Set<Finding> present =
                    study.findings().stream().map(FindingMention::finding).collect(Collectors.toSet());
            classes[i] = target.classOfPresent(present);
            counts[classes[i]]++;
            i++;
        }
        return new Cohort(new LabeledImages(modelSize, pixels, classes), counts, seed);
    }
}
