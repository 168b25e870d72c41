package dev.causalcxr.core.evaluation;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Does the generator reproduce training images? The privacy axis of CheXGenBench, adapted to
 * counterfactuals.
 *
 * <p>A generated image is compared with two reference sets of the same size: training images (a seeded
 * sample of the training split) and held-out images (the test split, patient-disjoint from training).
 * A generator that learned the distribution and not its examples is as close to unseen images as to
 * seen ones: the fraction of generated images whose nearest training image is closer than their
 * nearest held-out image is then about one half; memorization pushes it towards 1. A counterfactual
 * keeps its source's identity by design, so the training images of the <b>source's patient</b> are
 * left out of its training reference: closeness to them is the method working, not memorization.
 *
 * <p>A <b>near-copy</b> is a generated image closer to some training image (again not its patient's)
 * than all but 1 % of held-out real images are to their nearest training image: closer than real,
 * different patients' images get. Distances are Euclidean, computed in pixels and in a feature space.
 */
public final class MemorizationCheck {
    /** Real-to-training nearest-neighbour distances below this quantile mark a near-copy. */
    static final double NEAR_COPY_QUANTILE = 0.01;

    private MemorizationCheck() {}

    /**
     * @param closerToTrainingFraction fraction of generated images nearer a training image than any held-out image
     * @param distanceRatio            median nearest-training distance / median nearest-held-out distance
     * @param nearCopies               generated images closer to a training image than 99 % of real held-out images get
     * @param nearCopyThreshold        the distance below which an image counts as a near-copy
     * @param generated                images checked
     * @param referenceSize            images in each reference set
     */
    public record Result(
            double closerToTrainingFraction,
            double distanceRatio,
            int nearCopies,
            double nearCopyThreshold,
            int generated,
            int referenceSize) {
        public double nearCopyFraction() {
            return generated == 0 ? Double.NaN : (double) nearCopies / generated;
        }
    }

    /**
     * @param generated         one vector per generated image (pixels or features)
     * @param generatedPatients the pseudonymous patient of each generated image's source (null: none excluded)
     * @param training          one vector per training image
     * @param trainingPatients  the patient of each training image
     * @param heldOut           one vector per held-out image (patients disjoint from training)
     * @param seed              picks the training sample when the training split is the larger set
     */
    public static Result check(
            List<double[]> generated,
            List<String> generatedPatients,
            List<double[]> training,
            List<String> trainingPatients,
            List<double[]> heldOut,
            long seed) {
        if (generated.size() != generatedPatients.size() || training.size() != trainingPatients.size()) {
            throw new IllegalArgumentException("one patient per image is needed");
        }
        if (generated.isEmpty() || training.isEmpty() || heldOut.isEmpty()) {
            throw new IllegalArgumentException("generated, training and held-out images are all needed");
        }
        int referenceSize = Math.min(training.size(), heldOut.size());
        int[] trainIdx = sample(training.size(), referenceSize, seed);
        int[] heldIdx = sample(heldOut.size(), referenceSize, seed ^ 0x9E3779B97F4A7C15L);

        // what real, unseen images get: each held-out image's nearest training image (of the full split)
        double[] realToTraining = new double[referenceSize];
        for (int i = 0; i < referenceSize; i++) {
            realToTraining[i] = nearest(heldOut.get(heldIdx[i]), training, null, null, null);
        }
        double threshold = quantile(realToTraining, NEAR_COPY_QUANTILE);

        int closer = 0;
        int nearCopies = 0;
        double[] toTraining = new double[generated.size()];
        double[] toHeldOut = new double[generated.size()];
        for (int g = 0; g < generated.size(); g++) {
            double[] v = generated.get(g);
            String patient = generatedPatients.get(g);
            toTraining[g] = nearest(v, training, trainIdx, trainingPatients, patient);
            toHeldOut[g] = nearest(v, heldOut, heldIdx, null, null);
            if (toTraining[g] < toHeldOut[g]) {
                closer++;
            }
            if (nearest(v, training, null, trainingPatients, patient) < threshold) {
                nearCopies++;
            }
        }
        double ratio = median(toTraining) / median(toHeldOut);
        return new Result(
                (double) closer / generated.size(), ratio, nearCopies, threshold, generated.size(), referenceSize);
    }

    /** Float pixel arrays as double vectors (the form {@link #check} takes). */
    public static List<double[]> vectors(List<float[]> pixels) {
        List<double[]> out = new ArrayList<>(pixels.size());
        for (float[] p : pixels) {
            double[] d = new double[p.length];
            for (int i = 0; i < p.length; i++) {
                d[i] = p[i];
            }
            out.add(d);
        }
        return out;
    }

    /** Smallest distance from {@code v} to the indexed rows of {@code set}, skipping rows of {@code excludedPatient}. */
    private static double nearest(
            double[] v, List<double[]> set, int[] indices, List<String> patients, String excludedPatient) {
        double best = Double.POSITIVE_INFINITY;
        int n = indices == null ? set.size() : indices.length;
        for (int k = 0; k < n; k++) {
            int i = indices == null ? k : indices[k];
            if (excludedPatient != null && excludedPatient.equals(patients.get(i))) {
                continue;
            }
            double[] r = set.get(i);
            if (r.length != v.length) {
                throw new IllegalArgumentException("vectors of " + v.length + " and " + r.length + " values");
            }
            double s = 0;
            for (int j = 0; j < v.length && s < best * best; j++) {
                double d = v[j] - r[j];
                s += d * d;
            }
            best = Math.min(best, Math.sqrt(s));
        }
        return best;
    }

    /** {@code k} distinct indices of {@code 0..n-1}, sorted; all of them when k = n. */
    static int[] sample(int n, int k, long seed) {
        int[] all = new int[n];
        for (int i = 0; i < n; i++) {
            all[i] = i;
        }
        if (k >= n) {
            return all;
        }
        SplittableRandom random = new SplittableRandom(seed);
        for (int i = 0; i < k; i++) {
            int j = i + random.nextInt(n - i);
            int t = all[i];
            all[i] = all[j];
            all[j] = t;
        }
        int[] out = Arrays.copyOf(all, k);
        Arrays.sort(out);
        return out;
    }

    private static double median(double[] values) {
        return quantile(values, 0.5);
    }

    /** Linear-interpolated quantile of finite values. */
    static double quantile(double[] values, double q) {
        double[] s = Arrays.stream(values).filter(Double::isFinite).sorted().toArray();
        if (s.length == 0) {
            return Double.NaN;
        }
        double pos = q * (s.length - 1);
        int lo = (int) Math.floor(pos);
        int hi = Math.min(lo + 1, s.length - 1);
        return s[lo] + (pos - lo) * (s[hi] - s[lo]);
    }
}
