package dev.causalcxr.core.reports.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.causalcxr.core.findings.Finding;
import dev.causalcxr.core.findings.FindingMention;
import dev.causalcxr.core.findings.Status;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Where the two labelling conventions read a phrase differently, and that they read the rest the same. */
class LabelConventionTest {

    private final RuleBasedReportExtractor chexpert = new RuleBasedReportExtractor();
    private final RuleBasedReportExtractor mesh = new RuleBasedReportExtractor(LabelConvention.MESH);

    private static Status status(RuleBasedReportExtractor x, String report, Finding f) {
        return x.extract(report).stream()
                .filter(m -> m.finding() == f)
                .findFirst()
                .map(FindingMention::status)
                .orElse(null);
    }

    private static Status parse(String s) {
        return s == null ? null : Status.fromLabel(s);
    }

    @ParameterizedTest(name = "{0}: {1} chexpert {2}, mesh {3}")
    @CsvSource(
            delimiter = '|',
            value = {
                // report | finding | CheXpert reading | MeSH reading
                "Mild pulmonary vascular congestion.|Edema|present|",
                "Findings compatible with congestive heart failure.|Edema|present|",
                "Patchy opacity concerning for infection.|Pneumonia|uncertain|",
                "Right lower lobe infiltrate, likely infection.|Pneumonia|uncertain|",
                "Moderate volume loss in the left lower lobe.|Atelectasis|present|",
                "A 7 mm nodular opacity in the right mid lung.|Nodule|present|",
                "A 7 mm nodular opacity in the right mid lung.|Lung Opacity||present",
                "Borderline cardiomegaly.|Cardiomegaly|uncertain|present",
                "The heart size is borderline.|Cardiomegaly|uncertain|present",
                "The cardiac silhouette is mildly enlarged.|Cardiomegaly|present|",
                "The heart is mildly enlarged.|Cardiomegaly|present|present",
                "Left basilar opacity, probably atelectasis.|Atelectasis|uncertain|present",
                "Streaky opacity most likely representing atelectasis.|Atelectasis|uncertain|present",
                "Right basilar atelectasis versus infiltrate.|Atelectasis|uncertain|present",
                "Opacities most suggestive of pulmonary edema.|Edema|uncertain|present",
                "Small left hydropneumothorax.|Pneumothorax|present|",
                "Right hilar mass, consistent with malignancy.|Lung Lesion|present|",
                "Right hilar mass, consistent with malignancy.|Mass|present|present",
                "Prominent interstitial markings, unchanged.|Lung Opacity|present|",
                "Linear scarring in the left apex.|Lung Opacity|present|",
                "Ill-defined density at the right base.|Lung Opacity|present|",
                "Stable prominence of the superior mediastinum.|Enlarged Cardiomediastinum|uncertain|present",
                "Opacity at the left base, favored to represent atelectasis.|Atelectasis|uncertain|present",
                "Findings strongly suggestive of pneumonia.|Pneumonia|uncertain|present",
                // one lesion between the two sizes is indexed as a Nodule; a mass-like opacity as both
                "A 3 cm nodule/mass projects over the right hilum.|Nodule|present|present",
                "A 3 cm nodule/mass projects over the right hilum.|Mass|present|",
                "Ill-defined masslike opacification at the left base.|Mass|present|present",
                "Ill-defined masslike opacification at the left base.|Lung Opacity||present",
                // the same under both: weaker hedges stay uncertain, negation is unchanged
                "Possible small right effusion.|Pleural Effusion|uncertain|uncertain",
                "Atelectasis may represent early pneumonia.|Pneumonia|uncertain|uncertain",
                "Pneumonia cannot be excluded.|Pneumonia|uncertain|uncertain",
                "No pulmonary edema, effusion or pneumothorax.|Edema|absent|absent",
                "No vascular congestion or pleural effusion.|Pleural Effusion|absent|absent",
                "Possibly fibrosis, scarring and/or atelectasis.|Atelectasis|uncertain|uncertain",
                // a chest mass outside the lung is not a lung mass under CheXpert; MeSH indexes it as a Mass
                // with its site (Mass/breast, Mass/right/paratracheal)
                "Anterior mediastinal mass, unchanged.|Mass||present",
                "Right paratracheal mass, possibly adenopathy.|Mass||present",
                "Redemonstrated left chest wall mass.|Mass||present",
                "Large right breast mass overlies the lung base.|Mass||present",
                "No mediastinal mass.|Mass||absent",
                // a mass outside the chest is a Mass under neither; a bone density is not an opacity
                "Known thyroid mass displaces the trachea.|Mass||",
                "Sclerotic density in the humeral head.|Lung Opacity||",
            })
    void conventionsDifferOnlyWhereTheyShould(String report, String finding, String chexpertStatus, String meshStatus) {
        Finding f = Finding.fromLabel(finding).orElseThrow();
        assertEquals(parse(chexpertStatus), status(chexpert, report, f), "chexpert: " + report);
        assertEquals(parse(meshStatus), status(mesh, report, f), "mesh: " + report);
    }

    @Test
    void namesAndDefault() {
        assertEquals(LabelConvention.CHEXPERT, new RuleBasedReportExtractor().convention());
        assertEquals(LabelConvention.MESH, LabelConvention.fromLabel(" MeSH "));
        assertEquals("chexpert", LabelConvention.CHEXPERT.label());
        assertThrows(IllegalArgumentException.class, () -> LabelConvention.fromLabel("radlex"));
    }
}
