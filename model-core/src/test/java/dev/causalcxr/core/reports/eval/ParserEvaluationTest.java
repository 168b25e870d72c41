package dev.causalcxr.core.reports.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.causalcxr.core.findings.Finding;
import dev.causalcxr.core.findings.FindingMention;
import dev.causalcxr.core.findings.Laterality;
import dev.causalcxr.core.findings.Severity;
import dev.causalcxr.core.findings.Status;
import dev.causalcxr.core.findings.Zone;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ParserEvaluationTest {

    private static FindingMention m(Finding f, Status s, Severity sev, Laterality lat, Zone z) {
        return new FindingMention(f, s, sev, lat, z);
    }

    @Test
    void scoresPresentDetectionStatusesAndAttributes() {
        Map<String, List<FindingMention>> gold = Map.of(
                "s1",
                        List.of(
                                m(
                                        Finding.PLEURAL_EFFUSION,
                                        Status.PRESENT,
                                        Severity.MODERATE,
                                        Laterality.RIGHT,
                                        Zone.LOWER),
                                m(Finding.PNEUMOTHORAX, Status.ABSENT, null, null, null)),
                "s2",
                        List.of(
                                m(Finding.PLEURAL_EFFUSION, Status.PRESENT, Severity.MILD, Laterality.LEFT, null),
                                m(Finding.PNEUMONIA, Status.UNCERTAIN, null, null, null)),
                "s3", List.of(m(Finding.EDEMA, Status.PRESENT, null, null, null)));
        Map<String, List<FindingMention>> pred = new HashMap<>();
        pred.put(
                "s1",
                List.of(
                        m(Finding.PLEURAL_EFFUSION, Status.PRESENT, Severity.MODERATE, Laterality.LEFT, Zone.LOWER),
                        m(Finding.PNEUMOTHORAX, Status.ABSENT, null, null, null),
                        m(Finding.ATELECTASIS, Status.PRESENT, null, null, null)));
        pred.put(
                "s2",
                List.of(
                        m(Finding.PLEURAL_EFFUSION, Status.PRESENT, Severity.MILD, Laterality.LEFT, Zone.UPPER),
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
        // two of two is a precision of 1 that two cases cannot pin down: the table and the JSON say how far
        assertEquals(0.3424, pe.precisionInterval().low(), 5e-5);
        assertTrue(table.contains("0.342-1.000"), table);
        @SuppressWarnings("unchecked")
        Map<String, Map<String, Object>> per =
                (Map<String, Map<String, Object>>) e.toJsonMap().get("per_finding");
        assertEquals(
                List.of(pe.precisionInterval().low(), 1.0),
                per.get("Pleural Effusion").get("precision_ci95"));
    }

    private static FindingMention present(Finding f) {
        return FindingMention.present(f, null, null, null);
    }

    @Test
    void positivesOnlyGoldScoresAChosenSetOfFindingsWithMacroAverages() {
        // coded gold: positives only; an unlisted finding is not present
        Map<String, List<FindingMention>> gold = Map.of(
                "a", List.of(present(Finding.PLEURAL_EFFUSION)),
                "b", List.of(present(Finding.PLEURAL_EFFUSION), present(Finding.EDEMA)),
                "c", List.of());
        Map<String, List<FindingMention>> pred = Map.of(
                "a", List.of(present(Finding.PLEURAL_EFFUSION), present(Finding.FRACTURE)),
                "b", List.of(present(Finding.PLEURAL_EFFUSION), m(Finding.EDEMA, Status.UNCERTAIN, null, null, null)),
                "c", List.of(present(Finding.EDEMA), m(Finding.PNEUMOTHORAX, Status.ABSENT, null, null, null)));

        ParserEvaluation e = ParserEvaluation.evaluate(
                gold,
                pred,
                ParserEvaluation.Scope.positivesOnly(
                        EnumSet.of(Finding.PLEURAL_EFFUSION, Finding.EDEMA, Finding.PNEUMOTHORAX)));

        assertEquals(
                List.of(Finding.EDEMA, Finding.PNEUMOTHORAX, Finding.PLEURAL_EFFUSION),
                e.perFinding().stream()
                        .map(ParserEvaluation.FindingScore::finding)
                        .toList(),
                "scored findings only");
        // effusion: TP 2; edema: TP 0, FP 1 (c), FN 1 (b: uncertain is not present); fracture not scored
        assertEquals(2.0 / 3, e.microPrecision(), 1e-9);
        assertEquals(2.0 / 3, e.microRecall(), 1e-9);
        // macro over findings with a gold positive (effusion F1 1, edema F1 0); pneumothorax has none
        assertEquals(0.5, e.macroF1(), 1e-9);
        assertEquals(0.5, e.macroPrecision(), 1e-9);
        assertEquals(0.5, e.macroRecall(), 1e-9);
        assertTrue(e.positivesOnly());
        assertFalse(e.renderTable().contains("absent accuracy"), "no absent gold to score");
        assertTrue(e.renderTable().contains("macro (present)"));
        assertFalse(e.toJsonMap().containsKey("absent_accuracy"));
        assertEquals(0.5, (Double) e.toJsonMap().get("macro_f1"), 1e-9);
    }

    @Test
    void ignoredFindingsCountNeitherWay() {
        Map<String, List<FindingMention>> gold = Map.of("a", List.of(present(Finding.NODULE)), "b", List.of());
        Map<String, List<FindingMention>> pred = Map.of("a", List.of(), "b", List.of(present(Finding.NODULE)));
        ParserEvaluation.Scope scope = ParserEvaluation.Scope.positivesOnly(EnumSet.of(Finding.NODULE));

        ParserEvaluation.FindingScore all =
                ParserEvaluation.evaluate(gold, pred, scope).perFinding().get(0);
        assertEquals(List.of(0, 1, 1), List.of(all.truePositives(), all.falsePositives(), all.falseNegatives()));

        ParserEvaluation.FindingScore ignoring = ParserEvaluation.evaluate(
                        gold, pred, scope.ignoring(Map.of("a", Set.of(Finding.NODULE), "b", Set.of(Finding.NODULE))))
                .perFinding()
                .get(0);
        assertEquals(
                List.of(0, 0, 0),
                List.of(ignoring.truePositives(), ignoring.falsePositives(), ignoring.falseNegatives()));
    }
}
