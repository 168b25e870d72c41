package dev.causalcxr.core.labels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.causalcxr.core.findings.Finding;
import dev.causalcxr.core.findings.FindingMention;
import dev.causalcxr.core.findings.Laterality;
import dev.causalcxr.core.findings.Severity;
import dev.causalcxr.core.findings.Zone;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LabelAgreementTest {

    private static FindingMention effusion(Severity s, Laterality l) {
        return FindingMention.present(Finding.PLEURAL_EFFUSION, s, l, Zone.LOWER);
    }

    @Test
    void presenceIsCountedPerFindingOnTheStudiesBothSourcesLabel() {
        // truth: effusion in s1, s2, s3; nodule in s4. parser: misses s3's effusion, invents one in s5,
        // gets the nodule, cannot parse s6
        StudyLabels truth = new StudyLabels(
                LabelSource.TRUTH,
                Map.of(
                        "s1",
                        List.of(effusion(Severity.MODERATE, Laterality.RIGHT)),
                        "s2",
                        List.of(effusion(Severity.SEVERE, Laterality.LEFT)),
                        "s3",
                        List.of(effusion(Severity.MILD, Laterality.LEFT)),
                        "s4",
                        List.of(FindingMention.present(Finding.NODULE, null, null, null)),
                        "s5",
                        List.of(),
                        "s6",
                        List.of()));
        StudyLabels parsed = new StudyLabels(
                LabelSource.REPORTS,
                Map.of(
                        "s1", List.of(effusion(Severity.MODERATE, Laterality.RIGHT)),
                        "s2", List.of(effusion(Severity.UNSPECIFIED, Laterality.LEFT)),
                        "s3", List.of(),
                        "s4", List.of(FindingMention.present(Finding.NODULE, null, null, null)),
                        "s5", List.of(effusion(Severity.MILD, Laterality.RIGHT))));

        LabelAgreement a = LabelAgreement.compare(parsed, truth, truth.studies().keySet());
        assertEquals(5, a.studies(), "s6 is not labelled by the parser");
        LabelAgreement.FindingAgreement e = a.finding(Finding.PLEURAL_EFFUSION).orElseThrow();
        assertEquals(List.of(2, 1, 1, 1), List.of(e.both(), e.onlyA(), e.onlyB(), e.neither()));
        assertEquals(3 / 5.0, e.agreement(), 1e-12);
        assertEquals(2 / 3.0, e.recall(), 1e-12);
        assertEquals(2 / 3.0, e.precision(), 1e-12);
        // p_o = 0.6, p_e = 0.6·0.6 + 0.4·0.4 = 0.52, κ = 0.08 / 0.48
        assertEquals(0.08 / 0.48, e.kappa(), 1e-12);
        LabelAgreement.FindingAgreement n = a.finding(Finding.NODULE).orElseThrow();
        assertEquals(1.0, n.kappa(), 1e-12);
        assertFalse(a.finding(Finding.FRACTURE).isPresent(), "a finding neither source names is not a row");

        // attributes where both call the effusion present (s1, s2) and the truth states them
        assertEquals(1 / 2.0, a.severity().value(), 1e-12);
        assertEquals(1.0, a.laterality().value(), 1e-12);
        assertEquals(1.0, a.zone().value(), 1e-12);
        assertEquals(0.8, a.overallAgreement(), 1e-12);

        Map<String, Double> summary = a.summary();
        assertEquals(0.8, summary.get("labels_reports_vs_truth_agreement"), 1e-12);
        assertTrue(a.perFinding().containsKey("labels_reports_vs_truth_kappa__pleural_effusion"));
        assertTrue(a.renderTable().contains("Pleural Effusion"));
    }

    @Test
    void labelColumnsWithoutAttributesLeaveAttributeAgreementUndefined() {
        StudyLabels columns = new StudyLabels(
                LabelSource.DATASET,
                Map.of("s1", List.of(FindingMention.present(Finding.PLEURAL_EFFUSION, null, null, null))));
        StudyLabels parsed = new StudyLabels(
                LabelSource.REPORTS, Map.of("s1", List.of(effusion(Severity.MODERATE, Laterality.RIGHT))));
        LabelAgreement a = LabelAgreement.compare(parsed, columns, List.of("s1"));
        assertTrue(Double.isNaN(a.severity().value()));
        assertFalse(a.summary().containsKey("labels_reports_vs_dataset_severity"), "NaN is not logged");
        assertEquals(1.0, a.finding(Finding.PLEURAL_EFFUSION).orElseThrow().kappa(), 1e-12);
    }
}
