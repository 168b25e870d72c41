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

    @Test
    void identityPairsBalancedByFindingSwapARareFindingAsOftenAsACommonOne() {
        // 40 patients with two studies each; finding 0 in one study of 20 patients, finding 1 (rare) in one
        // study of 2 patients, finding 2 in both studies of patient 0 (no contrast pair: never balanced on)
        int n = 80;
        int[] patients = new int[n];
        int[] tuples = new int[n];
        int[][] findings = new int[n][];
        for (int i = 0; i < n; i++) {
            patients[i] = i / 2;
            boolean first = i % 2 == 0;
            List<Integer> f = new ArrayList<>();
            if (first && patients[i] < 20) {
                f.add(0);
            }
            if (first && (patients[i] == 30 || patients[i] == 31)) {
                f.add(1);
            }
            if (patients[i] == 0) {
                f.add(2);
            }
            findings[i] = f.stream().mapToInt(Integer::intValue).toArray();
            tuples[i] = f.hashCode();
        }
        GroupBatchSampler uniform = new GroupBatchSampler(patients, tuples, 16, 4, 11);
        GroupBatchSampler balanced = new GroupBatchSampler(patients, tuples, findings, 0, 16, 4, 11);
        assertEquals(List.of(0, 1), balanced.contrastFindings(), "finding 2 never differs within a patient");
        assertEquals(List.of(), uniform.contrastFindings());
        int rareUniform = 0;
        int rareBalanced = 0;
        int pairs = 0;
        for (int b = 0; b < 500; b++) {
            rareUniform += pairsSwapping(uniform.next(), findings, 1);
            GroupBatchSampler.Batch batch = balanced.next();
            rareBalanced += pairsSwapping(batch, findings, 1);
            for (int[] p : batch.identityPairs()) {
                int a = batch.studies()[p[0]];
                int c = batch.studies()[p[1]];
                assertEquals(patients[a], patients[c], "identity pair of one patient");
                assertNotEquals(a, c);
                pairs++;
            }
        }
        // balanced: one draw in three (finding 0, finding 1, any study) is finding 1; uniform: 4 of 80 anchors
        // (either study of patients 30 and 31)
        assertEquals(pairs / 3.0, rareBalanced, pairs * 0.05, "rare finding in about a third of the pairs");
        assertTrue(
                rareUniform < pairs * 0.08,
                "uniform anchors swap the rare finding in about 5 % of pairs: " + rareUniform + " of " + pairs);
    }

    @Test
    void aBalancedShareOfTheFreeSlotsDrawsEachFindingAlikeAndTheRestWalksTheShuffle() {
        // 60 patients with two studies; finding 0 in 40 studies, finding 1 in 2 (studies 0 and 2)
        int n = 120;
        int[] patients = new int[n];
        int[] tuples = new int[n];
        int[][] findings = new int[n][];
        for (int i = 0; i < n; i++) {
            patients[i] = i / 2;
            findings[i] = i == 0 || i == 2 ? new int[] {1} : i < 80 && i % 2 == 1 ? new int[] {0} : new int[0];
            tuples[i] = findings[i].length == 0 ? -1 : findings[i][0];
        }
        // batch 20, 2 pairs of each kind: 12 free slots, half of them balanced
        GroupBatchSampler s = new GroupBatchSampler(patients, tuples, findings, 0.5, 20, 2, 3);
        int balancedRare = 0;
        int batches = 400;
        for (int b = 0; b < batches; b++) {
            GroupBatchSampler.Batch batch = s.next();
            for (int slot = 8; slot < 14; slot++) {
                balancedRare += batch.studies()[slot] == 0 || batch.studies()[slot] == 2 ? 1 : 0;
            }
        }
        // the 6 balanced slots pick finding 1 half the time: 1,200 of 2,400, where its share of studies is 1.7 %
        assertEquals(batches * 6 / 2.0, balancedRare, batches * 6 * 0.05);
        GroupBatchSampler.Position p = s.position();
        GroupBatchSampler again = new GroupBatchSampler(patients, tuples, findings, 0.5, 20, 2, 3);
        again.restore(p);
        assertArrayEquals(s.next().studies(), again.next().studies(), "balanced slots resume with the sampler");
        assertThrows(
                IllegalArgumentException.class, () -> new GroupBatchSampler(patients, tuples, findings, 1.5, 20, 2, 3));
    }

    /** Identity pairs of the batch in which exactly one study shows {@code finding}. */
    private static int pairsSwapping(GroupBatchSampler.Batch batch, int[][] findings, int finding) {
        int count = 0;
        for (int[] p : batch.identityPairs()) {
            boolean a = java.util.Arrays.stream(findings[batch.studies()[p[0]]]).anyMatch(f -> f == finding);
            boolean c = java.util.Arrays.stream(findings[batch.studies()[p[1]]]).anyMatch(f -> f == finding);
            count += a != c ? 1 : 0;
        }
        return count;
    }
}
