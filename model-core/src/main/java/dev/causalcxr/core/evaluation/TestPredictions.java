package dev.causalcxr.core.evaluation;

import dev.causalcxr.core.files.Digests;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Every downstream classifier's class probabilities on the test split, per arm and seed, with what it takes to
 * compare two evaluations study by study: the test labels and a digest of the test images and labels (no study
 * id: the digest says whether two evaluations saw the same studies in the same order). The evaluate stage
 * publishes it (output {@code test-predictions}) so that a retrain can compare champion and challenger with a
 * paired bootstrap instead of two means.
 *
 * @param testDigest  SHA-256 over the test split's images and labels, in order
 * @param classLabels the classification target's classes
 * @param tailClasses indices of the tail classes
 * @param seeds       classifier seeds, in the order of each arm's list
 * @param labels      true class of each test study
 * @param byArm       per arm ({@code real}, {@code augmented}, …), per seed: study × class probabilities
 */
public record TestPredictions(
        String testDigest,
        List<String> classLabels,
        Set<Integer> tailClasses,
        List<Long> seeds,
        int[] labels,
        Map<String, List<double[][]>> byArm) {

    public TestPredictions {
        classLabels = List.copyOf(classLabels);
        tailClasses = Set.copyOf(tailClasses);
        seeds = List.copyOf(seeds);
        labels = labels.clone();
        byArm = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(byArm));
    }

    /** SHA-256 over the images' pixels (float bits) and labels, in order. */
    public static String digest(LabeledImages test) {
        MessageDigest sha = Digests.sha256();
        sha.update(("size " + test.size() + " n " + test.labels().length).getBytes(StandardCharsets.UTF_8));
        for (int i = 0; i < test.labels().length; i++) {
            float[] p = test.pixels().get(i);
            ByteBuffer b = ByteBuffer.allocate(4 * p.length + 4);
            for (float v : p) {
                b.putFloat(v);
            }
            b.putInt(test.labels()[i]);
            sha.update(b.array());
        }
        return HexFormat.of().formatHex(sha.digest());
    }

    /**
     * Whether {@code other} scored the same test studies, in the same order, with the same classes and seeds: the
     * condition for pairing the two study by study.
     */
    public boolean comparableWith(TestPredictions other) {
        return testDigest.equals(other.testDigest)
                && classLabels.equals(other.classLabels)
                && tailClasses.equals(other.tailClasses)
                && seeds.equals(other.seeds);
    }
}
