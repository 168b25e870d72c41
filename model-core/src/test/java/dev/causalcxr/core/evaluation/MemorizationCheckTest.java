package dev.causalcxr.core.evaluation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class MemorizationCheckTest {
    static final int DIM = 16;

    static double[] gaussian(SplittableRandom r) {
        double[] v = new double[DIM];
        for (int i = 0; i < DIM; i++) {
            // Box-Muller from two uniforms
            v[i] = Math.sqrt(-2 * Math.log(1 - r.nextDouble())) * Math.cos(2 * Math.PI * r.nextDouble());
        }
        return v;
    }

    static List<double[]> draw(int n, SplittableRandom r) {
        List<double[]> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(gaussian(r));
        }
        return out;
    }

    static List<String> patients(int n, String prefix) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(prefix + i);
        }
        return out;
    }

    @Test
    void samplesFromTheDistributionAreAsCloseToUnseenImagesAsToTrainingOnesAndNoneIsANearCopy() {
        SplittableRandom r = new SplittableRandom(1);
        List<double[]> train = draw(400, r);
        List<double[]> heldOut = draw(200, r);
        List<double[]> generated = draw(300, r);
        MemorizationCheck.Result result = MemorizationCheck.check(
                generated, Collections.nCopies(300, null), train, patients(400, "t"), heldOut, 7);
        assertEquals(200, result.referenceSize(), "the training reference is sampled down to the held-out size");
        assertEquals(0.5, result.closerToTrainingFraction(), 0.08);
        assertEquals(1.0, result.distanceRatio(), 0.08);
        assertTrue(result.nearCopies() <= 9, "about 1 % by construction: " + result.nearCopies());
    }

    @Test
    void copiesOfTrainingImagesAreCaughtAsMemorizationAndNearCopies() {
        SplittableRandom r = new SplittableRandom(2);
        List<double[]> train = draw(200, r);
        List<double[]> heldOut = draw(200, r);
        List<double[]> generated = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            double[] copy = train.get(i).clone();
            copy[0] += 1e-3; // a near-exact copy
            generated.add(copy);
        }
        MemorizationCheck.Result result = MemorizationCheck.check(
                generated, Collections.nCopies(100, null), train, patients(200, "t"), heldOut, 7);
        assertEquals(1.0, result.closerToTrainingFraction(), 1e-12);
        assertEquals(100, result.nearCopies());
        assertTrue(result.distanceRatio() < 0.01, "ratio " + result.distanceRatio());
    }

    @Test
    void closenessToTheSourcePatientsOwnImagesIsNotMemorization() {
        SplittableRandom r = new SplittableRandom(3);
        List<double[]> train = draw(200, r);
        List<double[]> heldOut = draw(200, r);
        List<String> trainPatients = patients(200, "t");
        List<double[]> generated = new ArrayList<>();
        List<String> sources = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            double[] edit = train.get(i).clone();
            edit[1] += 0.05; // a counterfactual: its source with a small change
            generated.add(edit);
            sources.add(trainPatients.get(i));
        }
        MemorizationCheck.Result naive =
                MemorizationCheck.check(generated, Collections.nCopies(100, null), train, trainPatients, heldOut, 7);
        MemorizationCheck.Result bySource =
                MemorizationCheck.check(generated, sources, train, trainPatients, heldOut, 7);
        assertTrue(naive.closerToTrainingFraction() > 0.95, "without the source rule every edit looks memorized");
        assertEquals(0.5, bySource.closerToTrainingFraction(), 0.12);
        assertTrue(bySource.nearCopies() <= 5, "about 1 % by chance: " + bySource.nearCopies());
    }

    @Test
    void missingReferencesOrPatientsAreRefused() {
        List<double[]> one = List.of(new double[DIM]);
        assertThrows(
                IllegalArgumentException.class,
                () -> MemorizationCheck.check(one, List.of(), one, List.of("p"), one, 1));
        assertThrows(
                IllegalArgumentException.class,
                () -> MemorizationCheck.check(one, Collections.nCopies(1, null), List.of(), List.of(), one, 1));
    }
}
