package dev.causalcxr.core.reports.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.causalcxr.core.findings.Finding;
import dev.causalcxr.core.findings.FindingMention;
import dev.causalcxr.core.findings.Laterality;
import dev.causalcxr.core.findings.Severity;
import dev.causalcxr.core.findings.Zone;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Severity, laterality and zone on real-style sentences (written for this test) where a finding shares another's. */
class LocationSharingTest {

    private final RuleBasedReportExtractor extractor = new RuleBasedReportExtractor(LabelConvention.MESH);

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(
            delimiter = '|',
            value = {
                // report | finding | severity | laterality | zone
                // an explanation or alternative shares the location of the finding it explains
                "Streaky right basilar opacity consistent with subsegmental atelectasis.|Atelectasis|unspecified|right|lower",
                "Left upper lobe infiltrate, likely pneumonia.|Pneumonia|unspecified|left|upper",
                "Patchy opacities are present in the left base, consistent with atelectasis.|Atelectasis|unspecified|left|lower",
                // two names for one observation share its size too
                "Minimal right basilar scarring/atelectasis.|Atelectasis|mild|right|lower",
                "Mild bibasilar atelectasis or infiltrate.|Lung Opacity|mild|bilateral|lower",
                // a trailing location belongs to every finding of a coordinated subject
                "Consolidation and atelectasis are present in the left lung base.|Consolidation|unspecified|left|lower",
                // a severity word that heads another noun does not fall back on an earlier finding
                "Mild cardiomegaly and a moderate hiatal hernia.|Cardiomegaly|mild|unspecified|unspecified",
                // sizes, ordinals and de-identified words sit inside the noun phrase
                "Old healed left 5th and 6th rib fractures.|Fracture|unspecified|left|unspecified",
                "A 9 mm right upper lobe nodule.|Nodule|unspecified|right|upper",
                "Small left XXXX effusion.|Pleural Effusion|mild|left|unspecified",
            })
    void attributesAreShared(String report, String finding, String severity, String laterality, String zone) {
        Finding f = Finding.fromLabel(finding).orElseThrow();
        FindingMention m = extractor.extract(report).stream()
                .filter(x -> x.finding() == f)
                .findFirst()
                .orElseThrow();
        assertEquals(Severity.fromLabel(severity), m.severity(), report);
        assertEquals(Laterality.fromLabel(laterality), m.laterality(), report);
        assertEquals(Zone.fromLabel(zone), m.zone(), report);
    }
}
