package dev.causalcxr.core.disentangle;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class GroupBatchSamplerTest {

    // 12 studies: patients 0..5 with two studies each; tuples shared across patients in pairs
    private static final int[] PATIENTS = {0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5};
    private static final int[] TUPLES = {0, 1, 0, 2, 3, 1, 4, 5, 3, 6, 7, 8};

    @Test
    void everyBatchHoldsTheRequestedPairsOfBothKinds() {
        GroupBatchSampler s = new GroupBatchSampler(PATIENTS, TUPLES, 10, 2, 3);
        for (int b = 0; b < 200; b++) {
            GroupBatchSampler.Batch batch = s.next();
            assertEquals(10, batch.studies().length);
            assertEquals(2, batch.identityPairs().length);
            assertEquals(2, batch.pathologyPairs().length);
            for (int[] p : batch.identityPairs()) {
                int a = batch.studies()[p[0]];
                int c = batch.studies()[p[1]];
                assertNotEquals(a, c, "an identity pair needs two different studies");
                assertEquals(PATIENTS[a], PATIENTS[c], "identity pair of one patient");
            }
            for (int[] p : batch.pathologyPairs()) {
                int a = batch.studies()[p[0]];
                int c = batch.studies()[p[1]];
                assertEquals(TUPLES[a], TUPLES[c], "pathology pair shares the finding tuple");
                assertNotEquals(PATIENTS[a], PATIENTS[c], "pathology pair of two patients");
            }
        }
    }

    @Test
    void sameSeedSameBatchesAndARestoredPositionContinuesTheSequence() {
        GroupBatchSampler a = new GroupBatchSampler(PATIENTS, TUPLES, 8, 1, 5);
        GroupBatchSampler b = new GroupBatchSampler(PATIENTS, TUPLES, 8, 1, 5);
        for (int i = 0; i < 7; i++) {
            assertArrayEquals(a.next().studies(), b.next().studies());
        }
        GroupBatchSampler.Position saved = a.position();
        List<int[]> expected = new ArrayList<>();
        for (int i = 0; i < 9; i++) {
            expected.add(a.next().studies());
        }
        GroupBatchSampler restored = new GroupBatchSampler(PATIENTS, TUPLES, 8, 1, 5);
        restored.restore(saved);
        for (int[] e : expected) {
            assertArrayEquals(e, restored.next().studies());
        }
        assertTrue(saved.epoch() > 0, "7 batches of 6 fill studies pass an epoch boundary of 12");
    }

    @Test
    void aPositionBeyondThisSamplersStudiesDoesNotFit() {
        GroupBatchSampler s = new GroupBatchSampler(PATIENTS, TUPLES, 8, 1, 5);
        assertTrue(s.fits(new GroupBatchSampler.Position(0, s.studyCount(), 1)));
        assertFalse(s.fits(new GroupBatchSampler.Position(3, s.studyCount() + 1, 1)));
        assertThrows(
                IllegalArgumentException.class,
                () -> s.restore(new GroupBatchSampler.Position(3, s.studyCount() + 1, 1)));
    }

    @Test
    void identityPairsDifferInFindingsWheneverThePatientAllows() {
        // patient 0: tuples 0, 0, 1 (only pairs with study 2 differ); patient 1: one tuple twice; 2, 3 for the
        // pathology groups
        int[] patients = {0, 0, 0, 1, 1, 2, 3};
        int[] tuples = {0, 0, 1, 5, 5, 0, 5};
        GroupBatchSampler s = new GroupBatchSampler(patients, tuples, 8, 2, 4);
        int sameTuplePairs = 0;
        for (int b = 0; b < 300; b++) {
            GroupBatchSampler.Batch batch = s.next();
            for (int[] p : batch.identityPairs()) {
                int a = batch.studies()[p[0]];
                int c = batch.studies()[p[1]];
                assertNotEquals(a, c);
                assertEquals(patients[a], patients[c]);
                if (patients[a] == 0) {
                    assertNotEquals(tuples[a], tuples[c], "patient 0 always has a partner with other findings");
                } else {
                    sameTuplePairs++;
                }
            }
        }
        assertTrue(sameTuplePairs > 0, "a patient whose studies share one tuple still gives identity pairs");
    }

    @Test
    void fillSlotsCoverEveryStudyOncePerEpoch() {
        GroupBatchSampler s = new GroupBatchSampler(PATIENTS, TUPLES, 6, 0, 9);
        int[] seen = new int[PATIENTS.length];
        for (int b = 0; b < 2; b++) {
            for (int st : s.next().studies()) {
                seen[st]++;
            }
        }
        for (int c : seen) {
            assertEquals(1, c);
        }
    }

    @Test
    void impossibleGroupsFailClearly() {
        int[] singlePatients = {0, 1, 2, 3};
        IllegalArgumentException noIdentity = assertThrows(
                IllegalArgumentException.class,
                () -> new GroupBatchSampler(singlePatients, new int[] {0, 0, 1, 1}, 4, 1, 1));
        assertTrue(noIdentity.getMessage().contains("identity pairs"), noIdentity.getMessage());
        IllegalArgumentException noPathology = assertThrows(
                IllegalArgumentException.class,
                () -> new GroupBatchSampler(new int[] {0, 0, 1, 1}, new int[] {0, 1, 2, 3}, 4, 1, 1));
        assertTrue(noPathology.getMessage().contains("pathology pairs"), noPathology.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new GroupBatchSampler(PATIENTS, TUPLES, 7, 2, 1));
    }
}
