package dev.causalcxr.core.evaluation;

import dev.causalcxr.core.findings.Finding;
import dev.causalcxr.core.findings.FindingMention;
import dev.causalcxr.core.phantom.PhantomGenerator;
import dev.causalcxr.core.phantom.PhantomSpec;
import dev.causalcxr.core.phantom.PhantomStudy;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Small phantom image sets for classifier tests: two visible findings, moderate to severe. */
final class PhantomImages {

    private PhantomImages() {}

    static PhantomSpec twoFindingSpec(int studies, long seed) {
        Map<Finding, Double> frequencies = new EnumMap<>(Finding.class);
        frequencies.put(Finding.PLEURAL_EFFUSION, 0.35);
        frequencies.put(Finding.CARDIOMEGALY, 0.35);
        return new PhantomSpec(studies, 2, 3, 64, seed, frequencies, new PhantomSpec.SeverityMix(0, 0.4, 0.6), 0.0);
    }

    static PrimaryFindingTarget twoFindingTarget() {
        Map<Finding, Integer> counts = new EnumMap<>(Finding.class);
        counts.put(Finding.PLEURAL_EFFUSION, 2);
        counts.put(Finding.CARDIOMEGALY, 1);
        return PrimaryFindingTarget.fromCounts(counts, 1);
    }

    /** Images of studies [from, to) of the spec, labelled with {@code target}. */
    static LabeledImages images(PhantomSpec spec, int from, int to, PrimaryFindingTarget target) {
        PhantomGenerator generator = new PhantomGenerator(spec);
        List<PhantomStudy> studies = generator.studies().subList(from, to);
        List<float[]> pixels = new ArrayList<>();
        int[] labels = new int[studies.size()];
        for (int i = 0; i < studies.size(); i++) {
            PhantomStudy study = studies.get(i);
            pixels.add(generator.render(study).image().toFloat());
            Set<Finding> present = EnumSet.noneOf(Finding.class);
            for (FindingMention m : study.findings()) {
                present.add(m.finding());
            }
            labels[i] = target.classOfPresent(present);
        }
        return new LabeledImages(spec.size(), pixels, labels);
    }

    static ClassifierConfig tinyConfig(int epochs) {
        return new ClassifierConfig(64, List.of(8, 16, 32), 1, epochs, 16, 3e-3f, 0f, false, 0, "cpu");
    }
}
