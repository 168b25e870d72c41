package dev.causalcxr.core.reports.eval;

import dev.causalcxr.core.findings.Finding;
import dev.causalcxr.core.findings.FindingMention;
import dev.causalcxr.core.findings.Laterality;
import dev.causalcxr.core.findings.Severity;
import dev.causalcxr.core.findings.Status;
import dev.causalcxr.core.findings.Zone;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ParserEvaluationTest {

    private static FindingMention m(Finding f, Status s, Severity sev, Laterality lat, Zone z) {
        return new FindingMention(f, s, sev, lat, z);
    }

    @Test
    void scoresPresentDetectionStatusesAndAttributes() {
        Map<String, List<FindingMention>> gold = Map.of(
                "s1", List.of(m(Finding.PLEURAL_EFFUSION, Status.PRESENT, Severity.MODERATE, Laterality.RIGHT, Zone.LOWER),
                        m(Finding.PNEUMOTHORAX, Status.ABSENT, null, null, null)),
                "s2", List.of(m(Finding.PLEURAL_EFFUSION, Status.PRESENT, Severity.MILD, Laterality.LEFT, null),
                        m(Finding.PNEUMONIA, Status.UNCERTAIN, null, null, null)),
                "s3", List.of(m(Finding.EDEMA, Status.PRESENT, null, null, null)));
        Map<String, List<FindingMention>> pred = new HashMap<>();
        pred.put("s1", List.of(m(Finding.PLEURAL_EFFUSION, Status.PRESENT, Severity.MODERATE, Laterality.LEFT, Zone.LOWER),
                m(Finding.PNEUMOTHORAX, Status.ABSENT, null, null, null),
                m(Finding.ATELECTASIS, Status.PRESENT, null, null, null)));
        pred.put("s2", List.of(m(Finding.PLEURAL_EFFUSION, Status.PRESENT, Severity.MILD, Laterality.LEFT, Zone.UPPER),
                m(Finding.PNEUMONIA, Status.PRESENT, null, null, null)));
        pred.put("s3", null); // the row failed

        ParserEvaluation e = ParserEvaluation.evaluate(gold, pred);

        ParserEvaluation.FindingScore pe = e.perFinding().get(Finding.PLEURAL_EFFUSION.ordinal());
        assertEquals(2, pe.truePositives());
        assertEquals(1.0, pe.f1());
        ParserEvaluation.FindingScore pna = e.perFinding().get(Finding.PNEUMONIA.ordinal());
        assertEquals(1, pna.falsePositives());
        assertEquals(1, e.perFinding().get(Finding.EDEMA.ordinal()).falseNegatives());
        // micro: TP 2, FP 2 (atelectasis, pneumonia), FN 1 (edema)
        assertEquals(0.5, e.microPrecision(), 1e-9);
        assertEquals(2.0 / 3, e.microRecall(), 1e-9);
        assertEquals(new ParserEvaluation.Accuracy(1, 1), e.absent());
        assertEquals(new ParserEvaluation.Accuracy(0, 1), e.uncertain());
        assertEquals(new ParserEvaluation.Accuracy(2, 2), e.severity());
        assertEquals(new ParserEvaluation.Accuracy(1, 2), e.laterality());
        assertEquals(new ParserEvaluation.Accuracy(1, 1), e.zone(), "zone only where gold specifies it");
        assertEquals(1, e.missingPredictions());

        String table = e.renderTable();
        assertTrue(table.contains("Pleural Effusion") && table.contains("absent accuracy"), table);
        assertEquals(0.5, (Double) e.toJsonMap().get("micro_precision"), 1e-9);
    }
}
