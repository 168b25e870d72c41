package dev.causalcxr.core.metrics.classification;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Set;
import org.junit.jupiter.api.Test;

class ClassificationMetricsTest {

    // confusion (rows true, columns predicted): [2 1 0] [0 1 1] [0 0 1]
    private static final int[] TRUE = {0, 0, 0, 1, 1, 2};
    private static final int[] PREDICTED = {0, 0, 1, 1, 2, 2};

    @Test
    void handCheckedThreeClassExample() {
        ClassificationReport report = ClassificationMetrics.evaluate(TRUE, PREDICTED, null, 3);
        assertArrayEquals(new int[] {2, 1, 0}, report.confusion()[0]);
        assertArrayEquals(new int[] {0, 1, 1}, report.confusion()[1]);
        assertArrayEquals(new int[] {0, 0, 1}, report.confusion()[2]);
        assertEquals(4.0 / 6, report.accuracy(), 1e-15);
        assertArrayEquals(new double[] {2.0 / 3, 0.5, 1.0}, report.recall(), 1e-15);
        assertArrayEquals(new double[] {1.0, 0.5, 0.5}, report.precision(), 1e-15);
        assertArrayEquals(new double[] {0.8, 0.5, 2.0 / 3}, report.f1(), 1e-15);
        assertEquals(13.0 / 18, report.balancedAccuracy(), 1e-15);
        assertEquals((0.8 + 0.5 + 2.0 / 3) / 3, report.macroF1(), 1e-15);
        assertTrue(Double.isNaN(report.macroAuroc()));
    }

    @Test
    void classesAbsentEverywhereDoNotDiluteAverages() {
        // class 3 exists in the vocabulary but in neither labels nor predictions
        ClassificationReport report = ClassificationMetrics.evaluate(TRUE, PREDICTED, null, 4);
        assertEquals(13.0 / 18, report.balancedAccuracy(), 1e-15);
        assertEquals((0.8 + 0.5 + 2.0 / 3) / 3, report.macroF1(), 1e-15);
        assertEquals(0, report.support()[3]);
    }

    @Test
    void headAndTailRecall() {
        ClassificationReport report = ClassificationMetrics.evaluate(TRUE, PREDICTED, null, 4);
        HeadTailRecall recall = report.headTailRecall(Set.of(2, 3));
        assertEquals((2.0 / 3 + 0.5) / 2, recall.headMeanRecall(), 1e-15);
        assertEquals(1.0, recall.tailMeanRecall(), 1e-15); // class 3 has no support and is skipped
        assertEquals(1, recall.tailClasses());
        assertThrows(IllegalArgumentException.class, () -> report.headTailRecall(Set.of(7)));
    }

    @Test
    void aurocWithTiesCountsHalf() {
        // positives 0.8, 0.5; negatives 0.5, 0.2: pairs 1 + 1 + ½ + 1 = 3.5 of 4
        assertEquals(
                0.875,
                Auroc.binary(new boolean[] {true, true, false, false}, new double[] {0.8, 0.5, 0.5, 0.2}),
                1e-15);
        assertEquals(1.0, Auroc.binary(new boolean[] {false, true}, new double[] {0.1, 0.9}), 0.0);
        assertEquals(0.5, Auroc.binary(new boolean[] {false, true, true}, new double[] {3, 3, 3}), 0.0);
        assertTrue(Double.isNaN(Auroc.binary(new boolean[] {true, true}, new double[] {0.1, 0.2})));
    }

    @Test
    void macroAurocSkipsClassesAbsentFromTruth() {
        double[][] scores = {{0.7, 0.2, 0.1}, {0.6, 0.3, 0.1}, {0.2, 0.7, 0.1}, {0.3, 0.6, 0.1}};
        int[] truth = {0, 0, 1, 1}; // class 2 never occurs
        ClassificationReport report =
                ClassificationMetrics.evaluate(truth, ClassificationMetrics.argmax(scores), scores, 3);
        assertEquals(1.0, report.auroc()[0], 0.0);
        assertEquals(1.0, report.auroc()[1], 0.0);
        assertTrue(Double.isNaN(report.auroc()[2]));
        assertEquals(1.0, report.macroAuroc(), 0.0);
        assertEquals(1.0, report.accuracy(), 0.0);
    }

    @Test
    void labelsOutsideTheVocabularyAreRejected() {
        assertThrows(
                IllegalArgumentException.class,
                () -> ClassificationMetrics.evaluate(new int[] {0, 3}, new int[] {0, 1}, null, 3));
    }
}
