package dev.causalcxr.core.reports;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.causalcxr.core.findings.Finding;
import dev.causalcxr.core.findings.FindingMention;
import dev.causalcxr.core.findings.Status;
import dev.causalcxr.core.phantom.PhantomGenerator;
import dev.causalcxr.core.phantom.PhantomSpec;
import dev.causalcxr.core.phantom.PhantomStudy;
import dev.causalcxr.core.reports.rules.RuleBasedReportExtractor;
import java.util.Comparator;
import java.util.List;
import org.junit.jupiter.api.Test;

/** On the phantom's own reports the rule-based extractor is exact: every mention, every attribute. */
class PhantomReportsExactnessTest {

    @Test
    void ruleBasedExtractorReproducesThePhantomsGroundTruthExactly() {
        RuleBasedReportExtractor extractor = new RuleBasedReportExtractor();
        for (long seed : new long[] {1, 2, 3}) {
            PhantomGenerator generator = new PhantomGenerator(
                    PhantomSpec.defaults().withStudies(1500).withSeed(seed));
            for (PhantomStudy s : generator.studies()) {
                List<FindingMention> expected = normalized(s.report().mentions());
                List<FindingMention> actual =
                        normalized(extractor.extract(s.report().text()));
                assertEquals(
                        expected,
                        actual,
                        () -> "seed " + seed + ", study " + s.studyId() + ":\n"
                                + s.report().text());
            }
        }
    }

    /** Sorted by finding; absent and uncertain findings are compared on status alone. */
    private static List<FindingMention> normalized(List<FindingMention> mentions) {
        return mentions.stream()
                .filter(m -> m.finding() != Finding.NO_FINDING)
                .map(m -> m.status() == Status.PRESENT
                        ? m
                        : new FindingMention(m.finding(), m.status(), null, null, null))
                .sorted(Comparator.comparing(FindingMention::finding))
                .toList();
    }
}
