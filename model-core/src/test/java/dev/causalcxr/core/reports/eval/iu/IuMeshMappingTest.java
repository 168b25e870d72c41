package dev.causalcxr.core.reports.eval.iu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.causalcxr.core.findings.Finding;
import dev.causalcxr.core.findings.FindingMention;
import dev.causalcxr.core.findings.Laterality;
import dev.causalcxr.core.findings.Severity;
import java.util.EnumSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The port of iu_to_findings.py's mapping, on MeSH strings and texts written for the test. */
class IuMeshMappingTest {

    private static IuMeshMapping.Labels labels(String mesh, String text) {
        return IuMeshMapping.labels(new IuReport(11, text, mesh));
    }

    private static FindingMention positive(IuMeshMapping.Labels l, Finding f) {
        return l.positives().stream().filter(m -> m.finding() == f).findFirst().orElseThrow();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                // MeSH terms | text | positives | ambiguous
                "normal|Lungs clear.|No Finding|",
                "Cardiomegaly/mild|The heart is mildly enlarged.|Cardiomegaly|",
                "Cardiomegaly/borderline|Heart size borderline.||Cardiomegaly,No Finding",
                "Cardiac Shadow/enlarged|Enlarged cardiac silhouette.|Cardiomegaly|",
                "Pulmonary Congestion|Central vascular congestion.||Edema,No Finding",
                "Nodule/lung/upper lobe/right|Right upper lobe nodule.|Nodule|",
                "Nodule/breast|Breast nodule.||Nodule,No Finding",
                "Calcified Granuloma/lung/base/left|Calcified left basilar granuloma.||Nodule,No Finding",
                "Opacity/lung/base/left/patchy|Patchy left base opacity.|Lung Opacity|",
                "Opacity/pleura/right|Right pleural opacity.||Pleural Other,No Finding",
                "Hydropneumothorax/right|Right hydropneumothorax.|Pneumothorax|Pleural Effusion",
                "Catheters, Indwelling/right|Right PICC line.|No Finding,Support Devices|",
                "Implanted Medical Device/shoulder/right|Right shoulder prosthesis.||Support Devices,No Finding",
                "Spondylosis/thoracic vertebrae|Thoracic spondylosis.||No Finding",
                "Mediastinum/widened|Widened mediastinum.|Enlarged Cardiomediastinum|",
            })
    void mapsTermsToPositivesAndAmbiguousFindings(String mesh, String text, String positives, String ambiguous) {
        IuMeshMapping.Labels l = labels(mesh, text);
        assertEquals(findings(positives), l.positiveFindings(), mesh);
        assertEquals(findings(ambiguous), l.ambiguous(), mesh);
    }

    private static Set<Finding> findings(String labels) {
        Set<Finding> s = EnumSet.noneOf(Finding.class);
        if (labels != null) {
            for (String x : labels.split(",")) {
                s.add(Finding.fromLabel(x).orElseThrow());
            }
        }
        return s;
    }

    @Test
    void attributesComeFromQualifiersWhereAllTermsAgree() {
        IuMeshMapping.Labels l = labels(
                "Pleural Effusion/left/small;Pleural Effusion/right/small;"
                        + "Pulmonary Atelectasis/lower lobe/left/mild;Pulmonary Atelectasis/upper lobe/left;"
                        + "Cardiomegaly/moderate",
                "Small effusions on both sides. Left lower and upper lobe atelectasis. Moderate cardiomegaly.");
        assertEquals(
                FindingMention.present(Finding.PLEURAL_EFFUSION, Severity.MILD, Laterality.BILATERAL, null),
                positive(l, Finding.PLEURAL_EFFUSION),
                "left + right make bilateral; an effusion has no zone here");
        assertEquals(
                FindingMention.present(Finding.ATELECTASIS, null, Laterality.LEFT, null),
                positive(l, Finding.ATELECTASIS),
                "mild and unstated disagree; two zones disagree");
        assertEquals(
                FindingMention.present(Finding.CARDIOMEGALY, Severity.MODERATE, null, null),
                positive(l, Finding.CARDIOMEGALY));
        assertTrue(l.strict());
    }

    @Test
    void positivesTheTextOnlyHedgesNegatesOrHidesBecomeAmbiguous() {
        IuMeshMapping.Labels hedged = labels("Pneumonia/base/right", "Right basilar opacity, possibly pneumonia.");
        assertEquals(Set.of(), hedged.positiveFindings());
        assertTrue(hedged.ambiguous().contains(Finding.PNEUMONIA));
        assertFalse(hedged.strict());

        IuMeshMapping.Labels negated = labels("Pleural Effusion", "No pleural effusion.");
        assertTrue(negated.ambiguous().contains(Finding.PLEURAL_EFFUSION));

        IuMeshMapping.Labels hidden = labels("Catheters, Indwelling", "Right chest XXXX in good position.");
        assertTrue(hidden.ambiguous().contains(Finding.SUPPORT_DEVICES), "no device word left in the text");

        IuMeshMapping.Labels plain = labels(
                "Pulmonary Atelectasis/base/left",
                "No effusion. There is left basilar atelectasis with no pneumothorax.");
        assertEquals(Set.of(Finding.ATELECTASIS), plain.positiveFindings(), "a clause before 'with' states it plainly");
        assertTrue(plain.strict());
    }

    @Test
    void notIndexedReportsAreRecognized() {
        assertTrue(IuMeshMapping.notIndexed("No Indexing"));
        assertFalse(IuMeshMapping.notIndexed("normal"));
    }
}
