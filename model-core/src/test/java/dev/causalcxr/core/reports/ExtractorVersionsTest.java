package dev.causalcxr.core.reports;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.causalcxr.core.findings.Finding;
import dev.causalcxr.core.findings.FindingMention;
import dev.causalcxr.core.reports.rules.RuleBasedReportExtractor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ExtractorVersionsTest {

    @Test
    void theRuleBasedVersionIsAStableFingerprintOfItsAnswers() {
        String v = ExtractorVersions.rules();
        assertTrue(v.matches("rules:[0-9a-f]{12}"), v);
        assertEquals(v, "rules:" + ExtractorVersions.fingerprint(new RuleBasedReportExtractor()));
        assertEquals(v, ExtractorVersions.of("rules", Map.of()));
    }

    @Test
    void anExtractorThatAnswersOneReportDifferentlyIsAnotherVersion() {
        RuleBasedReportExtractor rules = new RuleBasedReportExtractor();
        ReportExtractor edited = new ReportExtractor() {
            private boolean first = true;

            @Override
            public List<FindingMention> extract(String reportText) {
                List<FindingMention> out = new ArrayList<>(rules.extract(reportText));
                if (first) {
                    first = false;
                    out.add(FindingMention.present(Finding.FRACTURE, null, null, null));
                }
                return out;
            }

            @Override
            public String name() {
                return "edited";
            }
        };
        assertNotEquals(ExtractorVersions.fingerprint(rules), ExtractorVersions.fingerprint(edited));
    }

    @Test
    void theLlmVersionNamesItsModelAndItsRuleBasedFallback() {
        assertEquals(
                "llm:m-1+" + ExtractorVersions.rules(),
                ExtractorVersions.of("llm", Map.of("CAUSALCXR_LLM_MODEL", "m-1")));
        assertTrue(ExtractorVersions.of("llm", Map.of()).contains("CAUSALCXR_LLM_MODEL unset"));
        assertThrows(ReportTextException.class, () -> ExtractorVersions.of("regex", Map.of()));
    }
}
