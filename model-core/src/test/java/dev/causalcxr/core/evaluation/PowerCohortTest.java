package dev.causalcxr.core.evaluation;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PowerCohortTest {

    /** The quick demo's classes and priority (rarest first), with its four tail classes. */
    private static final PrimaryFindingTarget TARGET = PrimaryFindingTarget.fromLabels(
            List.of(
                    "No Finding",
                    "Cardiomegaly",
                    "Nodule",
                    "Mass",
                    "Edema",
                    "Atelectasis",
                    "Pneumothorax",
                    "Pleural Effusion",
                    "Fracture"),
            List.of(
                    "Fracture",
                    "Pneumothorax",
                    "Mass",
                    "Nodule",
                    "Edema",
                    "Atelectasis",
                    "Cardiomegaly",
                    "Pleural Effusion"));

    private static final Set<Integer> TAIL = Set.of(2, 3, 6, 8);

    @Test
    void everyTailClassGetsTheStudiesTheCohortIsSizedFor() throws Exception {
        PowerCohort.Cohort cohort = PowerCohort.render(1000, 64, 64, 42, TARGET, TAIL);
        assertEquals(1000, cohort.images().count());
        for (int c : TAIL) {
            assertTrue(
                    cohort.classCounts()[c] >= PowerCohort.MIN_STUDIES_PER_TAIL_CLASS,
                    TARGET.classLabels().get(c) + ": " + cohort.classCounts()[c]);
        }
        assertEquals(1000, java.util.Arrays.stream(cohort.classCounts()).sum());
        assertTrue(cohort.classCounts()[0] > 0, "normal studies stay in the cohort");
    }

    @Test
    void theCohortFollowsTheStageSeedAndNotTheDataSetsSeed() throws Exception {
        PowerCohort.Cohort a = PowerCohort.render(120, 64, 32, 7, TARGET, TAIL);
        PowerCohort.Cohort again = PowerCohort.render(120, 64, 32, 7, TARGET, TAIL);
        PowerCohort.Cohort other = PowerCohort.render(120, 64, 32, 8, TARGET, TAIL);
        assertArrayEquals(a.images().labels(), again.images().labels());
        assertArrayEquals(a.images().pixels().get(5), again.images().pixels().get(5));
        assertNotEquals(7L, a.seed(), "its own seed, not the stage seed the data set was rendered with");
        assertTrue(
                !java.util.Arrays.equals(
                        a.images().pixels().get(5), other.images().pixels().get(5)),
                "another stage seed renders other studies");
        assertEquals(32 * 32, a.images().pixels().get(0).length, "prepared at the classifier's size");
    }

    @Test
    void anOversizedCohortIsRefused() {
        assertThrows(
                IllegalArgumentException.class,
                () -> new EvaluationConfig(ClassifierConfig.quick(), 1, 1, 0.05, List.of(), 10, 50, 3, null, 50_000));
        assertThrows(IllegalArgumentException.class, () -> PowerCohort.render(0, 64, 64, 1, TARGET, TAIL));
    }
}
