package dev.causalcxr.core.reports.rules;

import dev.causalcxr.core.findings.Finding;
import dev.causalcxr.core.findings.FindingMention;
import dev.causalcxr.core.findings.Status;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Negation and uncertainty scope on real-style sentences (written for this test, not taken from any
 * data set): coordinated lists, pre- and post-triggers, normal-frames, double negation,
 * pseudo-negation, clause boundaries and de-identification tokens.
 */
class NegationScopeTest {

    private final RuleBasedReportExtractor extractor = new RuleBasedReportExtractor();

    private Status status(String report, Finding f) {
        return extractor.extract(report).stream()
                .filter(m -> m.finding() == f)
                .findFirst()
                .map(FindingMention::status)
                .orElse(null);
    }

    private void check(String report, String finding, String expected) {
        Finding f = Finding.fromLabel(finding).orElseThrow();
        org.junit.jupiter.api.Assertions.assertEquals(
                expected == null ? null : Status.fromLabel(expected), status(report, f), report);
    }

    @ParameterizedTest(name = "{0} -> {1} {2}")
    @CsvSource(
            delimiter = '|',
            value = {
                // a negation governs every item of a list joined by commas and a final "or"/"nor"/"and",
                // whatever adjectives the items carry
                "No focal airspace disease, sizable pleural effusion, or pneumothorax.|Pneumothorax|absent",
                "No focal airspace disease, sizable pleural effusion, or pneumothorax.|Pleural Effusion|absent",
                "No pneumothorax, large effusion or suspicious lung nodule.|Nodule|absent",
                "No pneumothorax, large effusion or suspicious lung nodule.|Pleural Effusion|absent",
                "Without confluent consolidation, significant effusion, or pneumothorax.|Pleural Effusion|absent",
                "Lungs are clear without focal opacity, large effusion, or visible pneumothorax.|Pneumothorax|absent",
                "There is no edema, effusion, lymphadenopathy, nodule or mass.|Mass|absent",
                "There is no edema, effusion, lymphadenopathy, nodule or mass.|Nodule|absent",
                "Negative for pneumothorax, pneumomediastinum, or large effusion.|Pleural Effusion|absent",
                "No consolidation, pneumothorax, or large pleural effusion is identified.|Pleural Effusion|absent",
                "Neither effusion nor pneumothorax.|Pneumothorax|absent",
                "No effusion, consolidation or XXXX pneumothorax.|Pneumothorax|absent",
                // a list without a final conjunction ends at an item with its own severity (as before)
                "No pneumothorax, small left effusion.|Pleural Effusion|present",
                // a new statement after the list is not negated
                "No pneumothorax, the heart is enlarged.|Cardiomegaly|present",
                "No effusion or pneumothorax, but there is right lower lobe consolidation.|Consolidation|present",
                // post-triggers reach back over a coordinated subject
                "Consolidation, atelectasis, and effusion in the left base have resolved.|Atelectasis|absent",
                "Consolidation, atelectasis, and effusion in the left base have resolved.|Consolidation|absent",
                "Pneumothorax and effusion are no longer seen.|Pneumothorax|absent",
                "The previously noted nodule is not seen.|Nodule|absent",
                "Small effusions are absent on this study.|Pleural Effusion|absent",
                // ...over a predicate coordinated before the cue, and over a reduced relative in the subject
                "The nodules are smaller and no longer seen.|Nodule|absent",
                "The right effusion is smaller and not definitely visualized.|Pleural Effusion|absent",
                "The opacities seen on the prior exam are not seen.|Lung Opacity|absent",
                "Left basilar atelectasis noted previously has resolved.|Atelectasis|absent",
                // ...but not over an earlier clause
                "The heart is enlarged, effusion has resolved.|Cardiomegaly|present",
                "The heart is enlarged and the effusion is not seen.|Cardiomegaly|present",
                "The heart is enlarged and the effusion is not seen.|Pleural Effusion|absent",
                "A small effusion is seen and the atelectasis has resolved.|Pleural Effusion|present",
                "The nodule seen on the prior exam is unchanged.|Nodule|present",
                // normal-frames
                "Heart size and pulmonary vascular congestion appear within limits of normal.|Edema|absent",
                "Heart size and pulmonary vascular congestion appear within limits of normal.|Cardiomegaly|absent",
                "Mild edema with normal heart size.|Edema|present",
            })
    void listsAndTriggers(String report, String finding, String expected) {
        check(report, finding, expected);
    }

    @ParameterizedTest(name = "{0} -> {1} {2}")
    @CsvSource(
            delimiter = '|',
            value = {
                // double negation: a negated exclusion is a hedge, in every verb form and word order
                "Cannot exclude a small left effusion.|Pleural Effusion|uncertain",
                "Early edema cannot be entirely excluded.|Edema|uncertain",
                "A tiny pneumothorax is not completely excluded.|Pneumothorax|uncertain",
                "Mild interstitial edema, difficult to entirely exclude.|Edema|uncertain",
                "It is difficult to rule out an underlying pneumonia.|Pneumonia|uncertain",
                "Unable to exclude a retrocardiac consolidation.|Consolidation|uncertain",
                // pseudo-negations affirm
                "No change in the small right effusion.|Pleural Effusion|present",
                "No significant interval change in the left basilar atelectasis.|Atelectasis|present",
                "Almost completely resolved apical pneumothorax.|Pneumothorax|present",
                "The nodule was not seen on prior.|Nodule|present",
                // other post-triggers
                "The previously described nodule is not well seen today.|Nodule|absent",
                "Pneumonia is in the differential.|Pneumonia|uncertain",
                // requests and differentials are not findings
                "Please correlate clinically for pneumonia.|Pneumonia|uncertain",
                "Differential diagnosis includes infection, hemorrhage, atypical pulmonary edema.|Edema|uncertain",
                "There is a suggestion of minimal basilar atelectasis.|Atelectasis|uncertain",
                "Evaluation for pneumothorax is limited.|Pneumothorax|uncertain",
                // adjectives joined by a comma stay inside the negated noun phrase
                "No acute, displaced rib fractures.|Fracture|absent",
                // clause boundaries end a scope
                "No pneumothorax; however, a small effusion persists.|Pleural Effusion|present",
                "Possible early pneumonia, although the heart is enlarged.|Cardiomegaly|present",
                // de-identification tokens inside phrases do not break them
                "Blunting of the left costophrenic XXXX, XXXX small effusion.|Pleural Effusion|present",
                "No XXXX focal consolidation or effusion.|Consolidation|absent",
                "Right chest XXXX with tip in the SVC.|Support Devices|present",
                // an organ called large
                "The heart is slightly large.|Cardiomegaly|present",
            })
    void doubleNegationPseudoNegationAndBoundaries(String report, String finding, String expected) {
        check(report, finding, expected);
    }

    @ParameterizedTest(name = "{0} -> {1} {2}")
    @CsvSource(
            delimiter = '|',
            value = {
                // hedges that follow the finding
                "A small early nodule in the left apex is a possibility.|Nodule|uncertain",
                "Pneumonia superimposed on old scarring would be a consideration.|Pneumonia|uncertain",
                "Atelectasis or interstitial edema are also possible.|Edema|uncertain",
                // a differential introduced by "including" covers its whole list
                "Reticular pattern, differential diagnosis including drug toxicity, atypical infection, "
                        + "hemorrhage, interstitial edema.|Edema|uncertain",
                // a condition on the reading, on either side of the finding; what is described stays present
                "In the right clinical setting, the basilar opacity would be read as an early pneumonia."
                        + "|Pneumonia|uncertain",
                "In the right clinical setting, the basilar opacity would be read as an early pneumonia."
                        + "|Lung Opacity|present",
                "Lingular airspace disease, which fits pneumonia in the right clinical context.|Pneumonia|uncertain",
                "Lingular airspace disease, which fits pneumonia in the right clinical context.|Lung Opacity|present",
                // what a further study is for is not a finding
                "A dedicated CT would help to identify any underlying nodule.|Nodule|uncertain",
                // a finding named as past is not asserted on this study...
                "Scarring at the right apex, in keeping with a history of lung mass.|Mass|uncertain",
                "Scarring at the right apex, in keeping with a history of lung mass.|Lung Opacity|present",
                "Apical scarring from prior tuberculous pneumonia.|Pneumonia|uncertain",
                "Calcified hilar nodes from a previous fungal infection.|Pneumonia|uncertain",
                // ...but a past fracture or operation leaves what is seen today
                "Healed left rib deformity, consistent with history of rib fracture.|Fracture|present",
                // "prior" naming an earlier study, or an earlier sighting, leaves the finding as it is
                "Compared with prior exam the effusion is larger.|Pleural Effusion|present",
                "Since the prior study, a small left effusion has developed.|Pleural Effusion|present",
                "The previously seen nodule has grown.|Nodule|present",
                "No prior pneumothorax.|Pneumothorax|absent",
                // a finding seen on another, cross-sectional study is that study's finding
                "Two tiny nodules were described on the outside CT from last year.|Nodule|uncertain",
                "Pneumonia seen on the abdominal CT scan is not visible here.|Pneumonia|uncertain",
                "Right paramediastinal opacity consistent with treatment change described on the outside CT."
                        + "|Lung Opacity|present",
                "Left hilar opacity corresponding with a shrinking mass noted on the recent CT.|Lung Opacity|present",
                "Left hilar opacity corresponding with a shrinking mass noted on the recent CT.|Mass|uncertain",
                "A small nodule is seen on the lateral view.|Nodule|present",
            })
    void hedgesHistoryAndOtherStudies(String report, String finding, String expected) {
        check(report, finding, expected);
    }
}
