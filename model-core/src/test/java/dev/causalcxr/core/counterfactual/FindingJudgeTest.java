package dev.causalcxr.core.counterfactual;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.causalcxr.core.findings.Finding;
import dev.causalcxr.core.random.SplitMix64;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class FindingJudgeTest {

    private static final int SIZE = 32;

    /** Noise images; "Nodule" ones carry a small bright disc somewhere, "Cardiomegaly" ones a wide bright band. */
    private static void synthetic(int n, long seed, List<float[]> images, List<Set<Finding>> labels) {
        SplitMix64 r = new SplitMix64(seed);
        for (int i = 0; i < n; i++) {
            float[] px = new float[SIZE * SIZE];
            for (int k = 0; k < px.length; k++) {
                px[k] = 0.3f + 0.1f * (float) r.nextDouble();
            }
            Set<Finding> present = EnumSet.noneOf(Finding.class);
            if (i % 3 == 1) {
                int cx = 4 + r.nextInt(SIZE - 8);
                int cy = 4 + r.nextInt(SIZE - 8);
                for (int y = cy - 2; y <= cy + 2; y++) {
                    for (int x = cx - 2; x <= cx + 2; x++) {
                        if ((x - cx) * (x - cx) + (y - cy) * (y - cy) <= 4) {
                            px[y * SIZE + x] = 0.9f;
                        }
                    }
                }
                present.add(Finding.NODULE);
            }
            if (i % 4 == 2) {
                for (int y = 12; y < 20; y++) {
                    for (int x = 0; x < SIZE; x++) {
                        px[y * SIZE + x] += 0.3f;
                    }
                }
                present.add(Finding.CARDIOMEGALY);
            }
            images.add(px);
            labels.add(present);
        }
    }

    /** Four stride-2 layers (a 2 × 2 last map at 32 px) or two (8 × 8, the rest at full width). */
    @ParameterizedTest
    @ValueSource(ints = {4, 2})
    void aJudgeTrainedOnImagesSeesASmallLesionAnywhereAndAWideOneAndNotOnImagesWithout(int downsamplings) {
        List<float[]> train = new ArrayList<>();
        List<Set<Finding>> trainLabels = new ArrayList<>();
        synthetic(240, 1, train, trainLabels);
        List<float[]> test = new ArrayList<>();
        List<Set<Finding>> testLabels = new ArrayList<>();
        synthetic(120, 2, test, testLabels);
        List<Finding> findings = List.of(Finding.CARDIOMEGALY, Finding.NODULE);
        try (FindingJudge judge = FindingJudge.train(
                train,
                trainLabels,
                findings,
                SIZE,
                new FindingJudge.Config(8, 250, 16, 3e-3, 5, true, downsamplings))) {
            assertEquals(240, judge.trainingImages());
            assertArrayEquals(new int[] {60, 80}, judge.positives());
            float[][] p = judge.probabilities(test);
            for (int k = 0; k < findings.size(); k++) {
                int pos = 0;
                int hit = 0;
                int neg = 0;
                int falseHit = 0;
                for (int i = 0; i < test.size(); i++) {
                    boolean has = testLabels.get(i).contains(findings.get(k));
                    boolean called = p[i][k] > 0.5f;
                    if (has) {
                        pos++;
                        hit += called ? 1 : 0;
                    } else {
                        neg++;
                        falseHit += called ? 1 : 0;
                    }
                }
                assertTrue(hit >= 0.9 * pos, findings.get(k) + ": recall " + hit + "/" + pos);
                assertTrue(falseHit <= 0.1 * neg, findings.get(k) + ": false positives " + falseHit + "/" + neg);
            }
        }
    }

    @Test
    void theSameSeedTrainsTheSameJudge() {
        List<float[]> train = new ArrayList<>();
        List<Set<Finding>> labels = new ArrayList<>();
        synthetic(64, 3, train, labels);
        FindingJudge.Config cfg = new FindingJudge.Config(4, 20, 16, 3e-3, 9, false, 4);
        float[][] a;
        float[][] b;
        float[][] c;
        try (FindingJudge j = FindingJudge.train(train, labels, List.of(Finding.NODULE), SIZE, cfg)) {
            a = j.probabilities(train.subList(0, 10));
        }
        try (FindingJudge j = FindingJudge.train(train, labels, List.of(Finding.NODULE), SIZE, cfg)) {
            b = j.probabilities(train.subList(0, 10));
        }
        try (FindingJudge j = FindingJudge.train(
                train, labels, List.of(Finding.NODULE), SIZE, new FindingJudge.Config(4, 20, 16, 3e-3, 10, false, 4))) {
            c = j.probabilities(train.subList(0, 10));
        }
        for (int i = 0; i < a.length; i++) {
            assertArrayEquals(a[i], b[i], 0f, "image " + i);
        }
        boolean differs = false;
        for (int i = 0; i < a.length; i++) {
            differs |= a[i][0] != c[i][0];
        }
        assertTrue(differs, "another seed, another judge");
    }

    @Test
    void aJudgeWithoutADownsamplingOrWithMoreThanItsLayersIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new FindingJudge.Config(4, 5, 16, 1e-3, 1, true, 0));
        assertThrows(IllegalArgumentException.class, () -> new FindingJudge.Config(4, 5, 16, 1e-3, 1, true, 5));
        FindingJudge.Config budget = FindingJudge.Config.quick(3).withBudget(9_000, 3);
        assertEquals(9_000, budget.steps());
        assertEquals(3, budget.downsamplings());
        assertEquals(FindingJudge.Config.quick(3).width(), budget.width());
    }

    @Test
    void tooFewImagesForABatchAreRefused() {
        List<float[]> train = new ArrayList<>();
        List<Set<Finding>> labels = new ArrayList<>();
        synthetic(8, 3, train, labels);
        assertThrows(
                IllegalArgumentException.class,
                () -> FindingJudge.train(
                        train,
                        labels,
                        List.of(Finding.NODULE),
                        SIZE,
                        new FindingJudge.Config(4, 5, 16, 1e-3, 1, false, 4)));
    }
}
