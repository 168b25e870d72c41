package dev.causalcxr.core.reports;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.causalcxr.core.findings.Finding;
import dev.causalcxr.core.findings.FindingMention;
import dev.causalcxr.core.findings.Laterality;
import dev.causalcxr.core.findings.Severity;
import dev.causalcxr.core.findings.Zone;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConditionVocabularyTest {

    @Test
    void aFindingIsATailClassBelowTheSpecsThresholdAndUnparsedStudiesAreNotCounted() {
        Map<String, List<FindingMention>> predicted = new HashMap<>();
        for (int i = 0; i < 100; i++) {
            List<FindingMention> findings = new ArrayList<>();
            if (i < 40) {
                findings.add(
                        FindingMention.present(Finding.PLEURAL_EFFUSION, Severity.MILD, Laterality.LEFT, Zone.LOWER));
            }
            if (i < 6) {
                findings.add(
                        FindingMention.present(Finding.PNEUMOTHORAX, Severity.SEVERE, Laterality.RIGHT, Zone.UPPER));
            }
            predicted.put("s" + i, findings);
        }
        predicted.put("unparsed", null);
        Map<String, Object> at5 = ConditionVocabulary.of(predicted, 0.05);
        Map<String, Object> at8 = ConditionVocabulary.of(predicted, 0.08);
        assertEquals(100L, at5.get("studies"));
        assertEquals(0.08, at8.get("tail_frequency"));
        assertEquals(false, finding(at5, "Pneumothorax").get("tail"), "6 % is not below 5 %");
        assertEquals(true, finding(at8, "Pneumothorax").get("tail"), "6 % is below 8 %");
        assertEquals(false, finding(at8, "Pleural Effusion").get("tail"));
        assertEquals(0.06, (Double) finding(at8, "Pneumothorax").get("frequency"), 1e-12);
        assertEquals(java.util.Set.of("right"), finding(at8, "Pneumothorax").get("lateralities"));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> finding(Map<String, Object> vocabulary, String label) {
        return ((Map<String, Map<String, Object>>) vocabulary.get("findings")).get(label);
    }
}
