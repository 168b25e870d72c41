package dev.causalcxr.core.evaluation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.causalcxr.core.metrics.classification.ClassificationMetrics;
import dev.causalcxr.core.metrics.classification.ClassificationReport;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class PairedBootstrapTest {

    private static final int CLASSES = 3;
    private static final Set<Integer> TAIL = Set.of(2);

    /** 300 studies: classes 0 and 1 common, class 2 (the tail) 30 studies. */
    private static int[] labels() {
        int[] y = new int[300];
        for (int i = 0; i < y.length; i++) {
            y[i] = i < 30 ? 2 : i % 2;
        }
        return y;
    }

    /**
     * Probabilities whose true class gets {@code signal} for head studies and {@code tailSignal} for tail
     * studies, on top of seeded noise: the larger the signal, the better the class separates.
     */
    private static double[][] predictions(int[] y, double signal, double tailSignal, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        double[][] p = new double[y.length][CLASSES];
        for (int i = 0; i < y.length; i++) {
            double sum = 0;
            for (int c = 0; c < CLASSES; c++) {
                p[i][c] = random.nextDouble() + (c == y[i] ? (y[i] == 2 ? tailSignal : signal) : 0);
                sum += p[i][c];
            }
            for (int c = 0; c < CLASSES; c++) {
                p[i][c] /= sum;
            }
        }
        return p;
    }

    private static List<double[][]> seeds(int[] y, double signal, double tailSignal, long base) {
        List<double[][]> runs = new ArrayList<>();
        for (long s = 0; s < 5; s++) {
            runs.add(predictions(y, signal, tailSignal, base + s));
        }
        return runs;
    }

    @Test
    void pointDifferenceAgreesWithTheSeedMeansOfTheClassificationReports() {
        int[] y = labels();
        List<double[][]> real = seeds(y, 0.8, 0.1, 1);
        List<double[][]> arm = seeds(y, 0.8, 0.6, 100);
        Map<String, PairedBootstrap.Difference> d = PairedBootstrap.compare(y, real, arm, CLASSES, TAIL, 50, 7);

        double[] realTail = new double[5];
        double[] armTail = new double[5];
        double[] realBalanced = new double[5];
        double[] armBalanced = new double[5];
        for (int s = 0; s < 5; s++) {
            ClassificationReport r = report(y, real.get(s));
            ClassificationReport a = report(y, arm.get(s));
            realTail[s] = DownstreamEvaluation.meanAuroc(r, TAIL, true);
            armTail[s] = DownstreamEvaluation.meanAuroc(a, TAIL, true);
            realBalanced[s] = r.balancedAccuracy();
            armBalanced[s] = a.balancedAccuracy();
        }
        assertEquals(
                MeanStd.of(armTail).mean() - MeanStd.of(realTail).mean(),
                d.get(PairedBootstrap.TAIL_AUROC).difference(),
                1e-12);
        assertEquals(
                MeanStd.of(armBalanced).mean() - MeanStd.of(realBalanced).mean(),
                d.get(PairedBootstrap.BALANCED_ACCURACY).difference(),
                1e-12);
    }

    @Test
    void aClearlyBetterTailIsSeenAndAnUnchangedHeadIsNot() {
        int[] y = labels();
        List<double[][]> real = seeds(y, 0.8, 0.05, 1);
        List<double[][]> arm = new ArrayList<>();
        for (double[][] p : real) {
            // the same classifier, except that the tail class now gets a strong score on its own studies
            double[][] q = new double[p.length][];
            for (int i = 0; i < p.length; i++) {
                q[i] = p[i].clone();
                if (y[i] == 2) {
                    q[i][2] += 1.0;
                }
            }
            arm.add(q);
        }
        Map<String, PairedBootstrap.Difference> d = PairedBootstrap.compare(y, real, arm, CLASSES, TAIL, 400, 7);
        PairedBootstrap.Difference tail = d.get(PairedBootstrap.TAIL_AUROC);
        assertTrue(tail.difference() > 0.2, "tail AUROC gain " + tail);
        assertEquals(1, tail.direction(), "interval " + tail);
        assertEquals(1, d.get(PairedBootstrap.TAIL_RECALL).direction());
        // head studies score exactly as before: their recall cannot move in any resample
        PairedBootstrap.Difference headRecall = d.get(PairedBootstrap.HEAD_RECALL);
        assertEquals(0.0, headRecall.difference(), 1e-12);
        assertEquals(0.0, headRecall.low(), 1e-12);
        assertEquals(0.0, headRecall.high(), 1e-12);
        assertEquals(400, tail.resamples());
    }

    @Test
    void twoDrawsOfTheSameClassifierDifferOnlyWithinTheInterval() {
        int[] y = labels();
        // both arms: the same quality, different noise (as two arms that do not differ would)
        Map<String, PairedBootstrap.Difference> d =
                PairedBootstrap.compare(y, seeds(y, 0.5, 0.3, 1), seeds(y, 0.5, 0.3, 500), CLASSES, TAIL, 400, 11);
        for (String metric : PairedBootstrap.METRICS) {
            PairedBootstrap.Difference diff = d.get(metric);
            assertTrue(diff.low() < diff.difference() && diff.difference() < diff.high(), metric + " " + diff);
            assertEquals(0, diff.direction(), metric + " " + diff);
        }
    }

    @Test
    void theSameSeedGivesTheSameInterval() {
        int[] y = labels();
        List<double[][]> real = seeds(y, 0.5, 0.2, 1);
        List<double[][]> arm = seeds(y, 0.5, 0.4, 9);
        assertEquals(
                PairedBootstrap.compare(y, real, arm, CLASSES, TAIL, 100, 3),
                PairedBootstrap.compare(y, real, arm, CLASSES, TAIL, 100, 3));
    }

    @Test
    void armsWithDifferentSeedCountsAreRefused() {
        int[] y = labels();
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> PairedBootstrap.compare(
                        y,
                        seeds(y, 0.5, 0.2, 1),
                        List.<double[][]>of(predictions(y, 0.5, 0.2, 3)),
                        CLASSES,
                        TAIL,
                        10,
                        1));
        assertTrue(e.getMessage().contains("same seeds"), e.getMessage());
    }

    @Test
    void seedIntervalUsesStudentsT() {
        MeanStd v = MeanStd.of(new double[] {1, 2, 3});
        assertEquals(4.303 / Math.sqrt(3), v.ci95(), 1e-9);
        assertTrue(Double.isNaN(MeanStd.of(new double[] {1}).ci95()));
    }

    private static ClassificationReport report(int[] y, double[][] p) {
        return ClassificationMetrics.evaluate(y, ClassificationMetrics.argmax(p), p, CLASSES);
    }
}
