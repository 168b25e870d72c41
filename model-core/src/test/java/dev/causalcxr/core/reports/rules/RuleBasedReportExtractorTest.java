package dev.causalcxr.core.reports.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.causalcxr.core.findings.Finding;
import dev.causalcxr.core.findings.FindingMention;
import dev.causalcxr.core.findings.Laterality;
import dev.causalcxr.core.findings.Severity;
import dev.causalcxr.core.findings.Status;
import dev.causalcxr.core.findings.Zone;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RuleBasedReportExtractorTest {

    private final RuleBasedReportExtractor extractor = new RuleBasedReportExtractor();

    private Optional<FindingMention> find(String report, Finding f) {
        return extractor.extract(report).stream().filter(m -> m.finding() == f).findFirst();
    }

    private Status status(String report, Finding f) {
        return find(report, f).map(FindingMention::status).orElse(null);
    }

    @ParameterizedTest(name = "{0} -> {1} {2}")
    @CsvSource(
            delimiter = '|',
            value = {
                "No pneumothorax, pleural effusion, or focal consolidation.|Consolidation|absent",
                "No pneumothorax, pleural effusion, or focal consolidation.|Pleural Effusion|absent",
                "No change in the small pneumothorax.|Pneumothorax|present",
                "No interval change in the moderate right effusion.|Pleural Effusion|present",
                "Stable small left effusion.|Pleural Effusion|present",
                "Persistent left basilar atelectasis.|Atelectasis|present",
                "The pneumothorax has resolved.|Pneumothorax|absent",
                "The pneumothorax is no longer seen.|Pneumothorax|absent",
                "Resolved right pleural effusion.|Pleural Effusion|absent",
                "The ET tube has been removed.|Support Devices|absent",
                "Interval removal of the NG tube.|Support Devices|absent",
                "Negative for pneumothorax.|Pneumothorax|absent",
                "Lungs are free of consolidation.|Consolidation|absent",
                "Cardiomegaly without pulmonary edema.|Edema|absent",
                "Cardiomegaly without pulmonary edema.|Cardiomegaly|present",
                "Possible small left effusion.|Pleural Effusion|uncertain",
                "Opacity may represent atelectasis.|Atelectasis|uncertain",
                "Opacity may represent atelectasis.|Lung Opacity|present",
                "Pneumonia cannot be excluded.|Pneumonia|uncertain",
                "Findings suspicious for pneumonia.|Pneumonia|uncertain",
                "Opacity concerning for pneumonia.|Pneumonia|uncertain",
                "Left basilar opacity, likely atelectasis.|Atelectasis|uncertain",
                "Atelectasis versus pneumonia.|Atelectasis|uncertain",
                "Atelectasis versus pneumonia.|Pneumonia|uncertain",
                "Questionable small nodule.|Nodule|uncertain",
                "The opacity could reflect infection.|Pneumonia|uncertain",
                "No focal consolidation to suggest pneumonia.|Pneumonia|absent",
                "No pneumothorax, small left effusion.|Pleural Effusion|present",
                "No effusion, but there is a small pneumothorax.|Pneumothorax|present",
                "No effusion; however, mild edema is present.|Edema|present",
                "No pneumonia, although atelectasis is possible.|Atelectasis|uncertain",
                "Heart size is normal.|Cardiomegaly|absent",
                "The heart is not enlarged.|Cardiomegaly|absent",
                "Enlarged cardiac silhouette.|Cardiomegaly|present",
                "The heart is mildly enlarged.|Cardiomegaly|present",
                "Borderline cardiomegaly.|Cardiomegaly|uncertain",
                "The cardiomediastinal silhouette is within normal limits.|Enlarged Cardiomediastinum|absent",
                "Widened mediastinum.|Enlarged Cardiomediastinum|present",
                "Costophrenic angles are sharp.|Pleural Effusion|absent",
                "Blunting of the right costophrenic angle.|Pleural Effusion|present",
                "Blunting of the left costophrenic angle, likely due to pleural thickening.|Pleural Effusion|uncertain",
                "Nodular opacity which may represent a nipple shadow.|Nodule|uncertain",
                "Airspace disease in the right lower lobe.|Lung Opacity|present",
                "Left lower lobe collapse.|Atelectasis|present",
                "PICC line tip in the SVC.|Support Devices|present",
                "Sternotomy wires are intact.|Support Devices|present",
                "Left chest wall pacemaker.|Support Devices|present",
                "Old healed left rib fractures.|Fracture|present",
                "Bilateral calcified pleural plaques.|Pleural Other|present",
                "Hydropneumothorax on the right.|Pleural Effusion|present",
                "No pericardial effusion.|Pleural Effusion|",
                "No mass effect.|Mass|",
                "Congestive heart failure.|Edema|present",
                "The patient is status post median sternotomy.|Support Devices|",
                "Pulmonary nodule in the left lower lobe was not seen on prior.|Nodule|present",
                "The left lower lobe opacity is not seen on the current exam.|Lung Opacity|absent",
                "Unremarkable heart size and mediastinal contours.|Enlarged Cardiomediastinum|absent",
                "There is no pneumothorax and the endotracheal tube is in good position.|Support Devices|present",
                "No residual pneumothorax after chest tube removal.|Support Devices|absent",
                "Median sternotomy wires are intact.|Support Devices|present",
                "Large masslike opacity in the right middle zone.|Mass|present",
                "There is a consolidative opacity.|Consolidation|present",
            })
    void statusOfMentions(String report, String finding, String expected) {
        Finding f = Finding.fromLabel(finding).orElseThrow();
        assertEquals(expected == null ? null : Status.fromLabel(expected), status(report, f), report);
    }

    @Test
    void severityLateralityAndZoneAttachToTheirFinding() {
        String r = "Small right pleural effusion and moderate left pneumothorax. Opacity in the right lower lobe.";
        FindingMention pe = find(r, Finding.PLEURAL_EFFUSION).orElseThrow();
        assertEquals(Severity.MILD, pe.severity());
        assertEquals(Laterality.RIGHT, pe.laterality());
        FindingMention ptx = find(r, Finding.PNEUMOTHORAX).orElseThrow();
        assertEquals(Severity.MODERATE, ptx.severity());
        assertEquals(Laterality.LEFT, ptx.laterality());
        FindingMention lo = find(r, Finding.LUNG_OPACITY).orElseThrow();
        assertEquals(Laterality.RIGHT, lo.laterality());
        assertEquals(Zone.LOWER, lo.zone());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "Trace left effusion.|mild|left|unspecified",
                "Minimal bibasilar atelectasis.|mild|bilateral|lower",
                "Large right apical pneumothorax.|severe|right|upper",
                "Extensive consolidation in the lingula.|severe|left|middle",
                "Marked RUL consolidation.|severe|right|upper",
                "Moderate consolidation at both bases.|moderate|bilateral|lower",
                "Mild consolidation in the right middle lobe.|mild|right|middle",
                "Severe consolidation in the mid lung zones bilaterally.|severe|bilateral|middle",
                "Retrocardiac consolidation.|unspecified|left|lower",
                "There is a displaced left lower rib fracture.|severe|left|lower",
                "Nondisplaced right mid rib fracture.|mild|right|middle",
                "Moderate left middle zone plate-like atelectasis.|moderate|left|middle",
                "Moderate volume loss in the right lung base.|moderate|right|lower",
            })
    void modifierVocabulary(String report, String sev, String lat, String zone) {
        FindingMention m = extractor.extract(report).stream()
                .filter(x -> x.finding() != Finding.NO_FINDING)
                .findFirst()
                .orElseThrow();
        assertEquals(Severity.fromLabel(sev), m.severity(), report);
        assertEquals(Laterality.fromLabel(lat), m.laterality(), report);
        assertEquals(Zone.fromLabel(zone), m.zone(), report);
    }

    @Test
    void onlyFindingsAndImpressionSectionsCount() {
        String r = "EXAMINATION: Chest PA and lateral\nINDICATION: History of pneumonia, evaluate for pneumothorax.\n"
                + "TECHNIQUE: Two views.\nCOMPARISON: Prior with right effusion.\n"
                + "FINDINGS: Lungs are clear.\nIMPRESSION: Mild cardiomegaly.";
        List<FindingMention> out = extractor.extract(r);
        assertTrue(find(r, Finding.PNEUMONIA).isEmpty(), out::toString);
        assertTrue(find(r, Finding.PNEUMOTHORAX).isEmpty(), out::toString);
        assertTrue(find(r, Finding.PLEURAL_EFFUSION).isEmpty(), out::toString);
        assertEquals(Status.PRESENT, status(r, Finding.CARDIOMEGALY));
    }

    @Test
    void reportLevelAggregationPrefersPresentAndKeepsItsAttributes() {
        String r =
                "FINDINGS: Possible left effusion. IMPRESSION: Moderate right pleural effusion. No effusion on the left.";
        FindingMention pe = find(r, Finding.PLEURAL_EFFUSION).orElseThrow();
        assertEquals(Status.PRESENT, pe.status());
        assertEquals(Severity.MODERATE, pe.severity());
        assertEquals(Laterality.RIGHT, pe.laterality());
    }

    @Test
    void noFindingIgnoresDevicesAndAbsentFindings() {
        assertEquals(Status.PRESENT, status("ET tube in place. No pneumothorax.", Finding.NO_FINDING));
        assertTrue(find("Possible small effusion.", Finding.NO_FINDING).isEmpty());
        assertEquals(Status.PRESENT, status("Normal chest.", Finding.NO_FINDING));
    }

    @Test
    void absentFindingsCarryNoAttributes() {
        FindingMention m = find("No large right pleural effusion.", Finding.PLEURAL_EFFUSION)
                .orElseThrow();
        assertEquals(new FindingMention(Finding.PLEURAL_EFFUSION, Status.ABSENT, null, null, null), m);
    }

    @Test
    void terseLinesWithoutPeriodsAreSeparateSentences() {
        String r = "ETT in good position\nNo ptx\nLeft lower lobe atelectasis";
        assertEquals(Status.ABSENT, status(r, Finding.PNEUMOTHORAX));
        assertEquals(Status.PRESENT, status(r, Finding.ATELECTASIS));
        assertEquals(Status.PRESENT, status(r, Finding.SUPPORT_DEVICES));
    }

    @Test
    void severalFindingsPerSentence() {
        List<FindingMention> out = extractor.extract(
                "Mild cardiomegaly with moderate pulmonary edema, small bilateral effusions and bibasilar atelectasis.");
        assertEquals(
                List.of(Finding.CARDIOMEGALY, Finding.EDEMA, Finding.ATELECTASIS, Finding.PLEURAL_EFFUSION),
                out.stream().map(FindingMention::finding).toList());
        assertTrue(out.stream().allMatch(m -> m.status() == Status.PRESENT));
    }

    @Test
    void emptyOrBlankReportHasOnlyNoFinding() {
        assertEquals(
                List.of(Finding.NO_FINDING),
                extractor.extract("  ").stream().map(FindingMention::finding).toList());
        assertFalse(extractor.extract("Lungs clear.").isEmpty());
    }
}
