package dev.causalcxr.core.labels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.causalcxr.core.dataset.DatasetEntry;
import dev.causalcxr.core.dataset.DatasetManifest;
import dev.causalcxr.core.dataset.PhantomDatasetWriter;
import dev.causalcxr.core.dataset.PhantomGroundTruth;
import dev.causalcxr.core.dataset.Split;
import dev.causalcxr.core.findings.Finding;
import dev.causalcxr.core.findings.FindingMention;
import dev.causalcxr.core.findings.Laterality;
import dev.causalcxr.core.findings.Severity;
import dev.causalcxr.core.findings.Status;
import dev.causalcxr.core.findings.Zone;
import dev.causalcxr.core.phantom.PhantomSpec;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StudyLabelsTest {

    private static final FindingMention EFFUSION =
            FindingMention.present(Finding.PLEURAL_EFFUSION, Severity.MODERATE, Laterality.RIGHT, Zone.LOWER);

    @Test
    void parsedReportsKeepPresentFindingsWithTheirAttributesAndUnparsedRowsAreUnlabelled() {
        Map<String, List<FindingMention>> parsed = new HashMap<>();
        parsed.put(
                "s1",
                List.of(
                        new FindingMention(Finding.PNEUMOTHORAX, Status.ABSENT, null, null, null),
                        EFFUSION,
                        new FindingMention(Finding.EDEMA, Status.UNCERTAIN, null, null, null)));
        parsed.put("s2", List.of(FindingMention.present(Finding.NO_FINDING, null, null, null)));
        parsed.put("s3", null);
        StudyLabels labels = StudyLabels.fromReports(parsed);

        assertEquals(LabelSource.REPORTS, labels.source());
        assertEquals(List.of(EFFUSION), labels.findings("s1"));
        assertEquals(List.of(), labels.findings("s2"), "No Finding is the absence of labels, not a label");
        assertTrue(labels.labelled("s2"));
        assertFalse(labels.labelled("s3"), "a report that could not be parsed labels nothing");
        assertEquals(List.of(), labels.findings("s3"));
    }

    @Test
    void labelColumnsGivePresenceOnlyAndRowsWithoutColumnsAreUnlabelled() {
        DatasetManifest manifest = new DatasetManifest(
                "t",
                64,
                List.of(
                        entry("s1", Map.of("Cardiomegaly", "present", "Edema", "uncertain", "Fracture", "absent")),
                        entry("s2", Map.of())));
        StudyLabels labels = StudyLabels.fromManifest(manifest);
        assertEquals(List.of(FindingMention.present(Finding.CARDIOMEGALY, null, null, null)), labels.findings("s1"));
        assertFalse(labels.labelled("s2"));
    }

    @Test
    void phantomTruthLabelsAreTheRenderedFindingsAndSurviveAWriteAndRead(@TempDir Path dir) throws Exception {
        PhantomDatasetWriter.Summary written = PhantomDatasetWriter.write(
                PhantomSpec.defaults().withStudies(40).withSize(64).withSeed(5), dir.resolve("phantom"));
        PhantomGroundTruth truth = written.groundTruth();
        StudyLabels labels = StudyLabels.fromTruth(truth);
        assertEquals(40, labels.studies().size());
        PhantomGroundTruth.StudyTruth first = truth.studies().get(0);
        assertEquals(StudyLabels.present(first.findingMentions()), labels.findings(first.studyId()));
        assertTrue(
                labels.studies().values().stream()
                        .flatMap(List::stream)
                        .anyMatch(m -> m.severity() != Severity.UNSPECIFIED),
                "the truth knows severities");

        Path file = dir.resolve("labels.json");
        labels.write(file);
        assertEquals(labels, StudyLabels.read(file));
    }

    @Test
    void countsAndRareFindingsCountEveryGivenStudy() {
        StudyLabels labels = StudyLabels.fromReports(Map.of(
                "a",
                List.of(EFFUSION),
                "b",
                List.of(EFFUSION, FindingMention.present(Finding.FRACTURE, null, null, null)),
                "c",
                List.of()));
        assertEquals(
                Map.of(Finding.PLEURAL_EFFUSION, 2, Finding.FRACTURE, 1), labels.presentCounts(List.of("a", "b", "c")));
        assertEquals(List.of(Finding.FRACTURE), labels.rareFindings(List.of("a", "b", "c"), 0.5));
        assertEquals(List.of(), labels.rareFindings(List.of(), 0.5));
    }

    private static DatasetEntry entry(String study, Map<String, String> labels) {
        return new DatasetEntry(study, "p", study, study, "images/x.png", null, null, Split.TRAIN, labels, 64, 64);
    }
}
