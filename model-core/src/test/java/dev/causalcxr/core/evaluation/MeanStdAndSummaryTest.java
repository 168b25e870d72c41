package dev.causalcxr.core.evaluation;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.causalcxr.core.metrics.classification.ClassificationMetrics;
import dev.causalcxr.core.metrics.classification.ClassificationReport;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class MeanStdAndSummaryTest {

    @Test
    void meanAndSampleStdSkipNaN() {
        MeanStd v = MeanStd.of(new double[] {1, 2, 3, Double.NaN});
        assertEquals(2.0, v.mean(), 1e-12);
        assertEquals(1.0, v.std(), 1e-12);
        assertEquals(3, v.count());
        assertEquals(0.0, MeanStd.of(new double[] {0.7}).std());
        assertTrue(Double.isNaN(MeanStd.of(new double[] {Double.NaN}).mean()));
    }

    @Test
    void armSummaryAveragesSeedsAndSumsConfusions() {
        // class 2 is the tail; seed 1 finds it, seed 2 does not
        int[] truth = {0, 0, 1, 1, 2};
        ClassificationReport first = ClassificationMetrics.evaluate(truth, new int[] {0, 0, 1, 0, 2}, null, 3);
        ClassificationReport second = ClassificationMetrics.evaluate(truth, new int[] {0, 1, 1, 1, 0}, null, 3);
        DownstreamArmResult arm = DownstreamEvaluation.summarize("real", List.of(first, second), Set.of(2), 3);
        assertEquals((0.8 + 0.6) / 2, arm.accuracy().mean(), 1e-12);
        assertEquals(Math.sqrt(0.02), arm.accuracy().std(), 1e-12);
        assertEquals(0.5, arm.tailRecall().mean(), 1e-12);
        // head: seed 1 (1 + 0.5) / 2, seed 2 (0.5 + 1) / 2
        assertEquals(0.75, arm.headRecall().mean(), 1e-12);
        assertEquals(0.5, arm.recall().get(2).mean(), 1e-12);
        assertArrayEquals(new int[] {3, 1, 0}, arm.confusion()[0]);
        assertArrayEquals(new int[] {1, 0, 1}, arm.confusion()[2]);
    }
}
