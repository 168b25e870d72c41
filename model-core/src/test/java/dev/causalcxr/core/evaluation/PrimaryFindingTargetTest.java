package dev.causalcxr.core.evaluation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.causalcxr.core.dataset.DatasetEntry;
import dev.causalcxr.core.dataset.DatasetManifest;
import dev.causalcxr.core.dataset.Split;
import dev.causalcxr.core.findings.Finding;
import dev.causalcxr.core.findings.Status;
import dev.causalcxr.core.labels.StudyLabels;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PrimaryFindingTargetTest {

    private static DatasetEntry entry(String study, Map<String, String> labels) {
        return new DatasetEntry(study, "p", study, study, "images/x.png", null, null, Split.TRAIN, labels, 64, 64);
    }

    /** Effusion in 4 studies, cardiomegaly in 2, pneumothorax in 1, fracture only uncertain. */
    private static StudyLabels training() {
        List<DatasetEntry> entries = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            entries.add(entry(
                    "s" + i, Map.of("Pleural Effusion", "present", "Cardiomegaly", i < 2 ? "present" : "absent")));
        }
        entries.add(entry("s4", Map.of("Pneumothorax", "present", "Fracture", "uncertain")));
        entries.add(entry("s5", Map.of("No Finding", "present")));
        entries.add(entry("s6", Map.of()));
        return StudyLabels.fromManifest(new DatasetManifest("t", 64, entries));
    }

    private static PrimaryFindingTarget target(int minimumCount) {
        return PrimaryFindingTarget.fromTraining(
                training(), List.of("s0", "s1", "s2", "s3", "s4", "s5", "s6"), minimumCount);
    }

    /** The class of a study labelled like a label-column row. */
    private static int classOf(PrimaryFindingTarget target, Map<String, String> labels) {
        return target.classOf(StudyLabels.fromManifest(new DatasetManifest("t", 64, List.of(entry("x", labels)))), "x");
    }

    @Test
    void classesAreNoFindingThenTrainingFindingsInVocabularyOrderAndTheRarestWins() {
        PrimaryFindingTarget target = target(1);
        assertEquals(List.of("No Finding", "Cardiomegaly", "Pneumothorax", "Pleural Effusion"), target.classLabels());
        assertEquals(List.of("Pneumothorax", "Cardiomegaly", "Pleural Effusion"), target.priorityLabels());
        // effusion + cardiomegaly: cardiomegaly is rarer in training
        assertEquals(1, classOf(target, Map.of("Pleural Effusion", "present", "Cardiomegaly", "present")));
        assertEquals(3, classOf(target, Map.of("Pleural Effusion", "present", "Cardiomegaly", "absent")));
        assertEquals(2, classOf(target, Map.of("Pleural Effusion", "present", "Pneumothorax", "present")));
        // uncertain is not present; findings that are not classes are ignored
        assertEquals(0, classOf(target, Map.of("Pneumothorax", "uncertain")));
        assertEquals(0, classOf(target, Map.of("Fracture", "present")));
        assertEquals(0, classOf(target, Map.of("No Finding", "present")));
        assertEquals(0, classOf(target, Map.of()));
        assertEquals(
                3, target.classOf(Map.of(Finding.PLEURAL_EFFUSION, Status.PRESENT, Finding.FRACTURE, Status.PRESENT)));
    }

    @Test
    void counterfactualConditionsMapByTheSameRule() {
        PrimaryFindingTarget target = target(1);
        assertEquals(2, target.classOfPresent(Set.of(Finding.PNEUMOTHORAX)));
        assertEquals(2, target.classOfPresent(Set.of(Finding.PNEUMOTHORAX, Finding.PLEURAL_EFFUSION)));
        assertEquals(0, target.classOfPresent(Set.of()));
        AugmentedSample sample =
                AugmentedSample.of(dev.causalcxr.core.imaging.GrayImage.of(1, 1, new short[1]), Finding.CARDIOMEGALY);
        assertEquals(1, target.classOfPresent(sample.condition()));
    }

    @Test
    void minimumCountDropsRareFindingsAndTiesKeepVocabularyOrder() {
        PrimaryFindingTarget target = target(2);
        assertEquals(List.of("No Finding", "Cardiomegaly", "Pleural Effusion"), target.classLabels());
        assertEquals(0, classOf(target, Map.of("Pneumothorax", "present")));
        PrimaryFindingTarget tie = PrimaryFindingTarget.fromCounts(Map.of(Finding.FRACTURE, 3, Finding.EDEMA, 3), 1);
        assertEquals(List.of("Edema", "Fracture"), tie.priorityLabels());
    }

    @Test
    void storedLabelsRebuildTheSameTargetAndBadOnesAreRefused() {
        PrimaryFindingTarget target = target(1);
        assertEquals(target, PrimaryFindingTarget.fromLabels(target.classLabels(), target.priorityLabels()));
        assertThrows(
                IllegalArgumentException.class,
                () -> PrimaryFindingTarget.fromLabels(List.of("Cardiomegaly"), List.of()));
        assertThrows(
                IllegalArgumentException.class,
                () -> PrimaryFindingTarget.fromLabels(List.of("No Finding", "Cardiomegaly"), List.of("Edema")));
        assertThrows(IllegalArgumentException.class, () -> target.indexOf(Finding.MASS));
    }
}
