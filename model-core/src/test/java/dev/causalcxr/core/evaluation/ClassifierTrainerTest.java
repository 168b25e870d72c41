package dev.causalcxr.core.evaluation;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.causalcxr.core.engine.LiveArrays;
import dev.causalcxr.core.metrics.classification.ClassificationMetrics;
import dev.causalcxr.core.metrics.classification.ClassificationReport;
import dev.causalcxr.core.phantom.PhantomSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClassifierTrainerTest {

    private static PrimaryFindingTarget target;
    private static LabeledImages train;
    private static LabeledImages validation;
    private static LabeledImages test;

    @BeforeAll
    static void images() {
        PhantomSpec spec = PhantomImages.twoFindingSpec(400, 11);
        target = PhantomImages.twoFindingTarget();
        train = PhantomImages.images(spec, 0, 240, target);
        validation = PhantomImages.images(spec, 300, 340, target);
        test = PhantomImages.images(spec, 340, 400, target);
    }

    private static TrainedClassifier train(ClassifierConfig config, LabeledImages images, long seed) {
        return ClassifierTrainer.train(
                config,
                target,
                images,
                ClassifierTrainer.stepsPerEpoch(images.count(), config.batchSize()),
                validation,
                seed,
                "test",
                (e, n, loss, score) -> {},
                () -> false);
    }

    @Test
    void sameSeedGivesIdenticalParametersAndPredictions() {
        ClassifierConfig config = PhantomImages.tinyConfig(1);
        LabeledImages few =
                new LabeledImages(64, train.pixels().subList(0, 48), java.util.Arrays.copyOf(train.labels(), 48));
        try (TrainedClassifier a = train(config, few, 5);
                TrainedClassifier b = train(config, few, 5);
                TrainedClassifier c = train(config, few, 6)) {
            assertEquals(a.parameterDigest(), b.parameterDigest());
            double[][] pa = a.predictProbabilities(test.pixels());
            double[][] pb = b.predictProbabilities(test.pixels());
            for (int i = 0; i < pa.length; i++) {
                assertArrayEquals(pa[i], pb[i], 0.0);
            }
            assertNotEquals(a.parameterDigest(), c.parameterDigest(), "another seed gives another network");
        }
    }

    @Test
    void moreEpochsLeaveNoMoreArraysAliveAndClosingFreesThemAll() {
        ClassifierConfig config = PhantomImages.tinyConfig(1);
        LabeledImages few =
                new LabeledImages(64, train.pixels().subList(0, 48), java.util.Arrays.copyOf(train.labels(), 48));
        int before = LiveArrays.count();
        int afterOneEpoch;
        try (TrainedClassifier one = train(config, few, 5)) {
            afterOneEpoch = LiveArrays.count();
        }
        assertEquals(before, LiveArrays.count(), "arrays alive after closing a one-epoch classifier");
        try (TrainedClassifier four = train(PhantomImages.tinyConfig(4), few, 5)) {
            // each epoch is 3 steps and a validation pass: a per-step or per-pass leak shows here
            assertEquals(afterOneEpoch, LiveArrays.count(), "arrays alive with a four-epoch classifier");
        }
        assertEquals(before, LiveArrays.count(), "arrays alive after closing a four-epoch classifier");
    }

    @Test
    void fineTuningStartsFromTheGivenParameters() {
        ClassifierConfig config = PhantomImages.tinyConfig(1);
        LabeledImages few =
                new LabeledImages(64, train.pixels().subList(0, 48), java.util.Arrays.copyOf(train.labels(), 48));
        ClassifierConfig gentle = config.withLearningRate(1e-6f);
        try (TrainedClassifier pretrained = train(PhantomImages.tinyConfig(4), train, 8);
                TrainedClassifier tuned = ClassifierTrainer.train(
                        gentle,
                        target,
                        few,
                        ClassifierTrainer.stepsPerEpoch(few.count(), gentle.batchSize()),
                        validation,
                        5,
                        "tuned",
                        (e, n, loss, score) -> {},
                        () -> false,
                        pretrained.snapshotParameters());
                TrainedClassifier scratch = train(gentle, few, 5)) {
            double[][] p = pretrained.predictProbabilities(test.pixels());
            double tunedGap = meanAbsoluteDifference(p, tuned.predictProbabilities(test.pixels()));
            double scratchGap = meanAbsoluteDifference(p, scratch.predictProbabilities(test.pixels()));
            // one gentle epoch from the pretrained network stays next to it; the same epoch from scratch does not
            assertTrue(tunedGap < 0.02 && scratchGap > 5 * tunedGap, "tuned " + tunedGap + ", scratch " + scratchGap);
        }
    }

    private static double meanAbsoluteDifference(double[][] a, double[][] b) {
        double sum = 0;
        int n = 0;
        for (int i = 0; i < a.length; i++) {
            for (int c = 0; c < a[i].length; c++) {
                sum += Math.abs(a[i][c] - b[i][c]);
                n++;
            }
        }
        return sum / n;
    }

    @Test
    void learnsThePhantomFindingsWellAboveChance(@TempDir Path dir) throws IOException {
        ClassifierConfig config = PhantomImages.tinyConfig(12);
        try (TrainedClassifier classifier = train(config, train, 3)) {
            double[][] probabilities = classifier.predictProbabilities(test.pixels());
            ClassificationReport report = ClassificationMetrics.evaluate(
                    test.labels(), ClassificationMetrics.argmax(probabilities), probabilities, target.classCount());
            assertTrue(
                    report.balancedAccuracy() > 0.6,
                    "balanced accuracy " + report.balancedAccuracy() + " (chance 0.33)");

            // save / load keeps the digest and the predictions
            Path file = dir.resolve("classifier.bin");
            String digest = classifier.save(file);
            assertEquals(64, digest.length());
            assertEquals(digest, classifier.featureSpace().digest());
            try (TrainedClassifier loaded = TrainedClassifier.load(file)) {
                assertEquals(digest, loaded.digest());
                assertEquals(classifier.parameterDigest(), loaded.parameterDigest());
                assertEquals(classifier.target(), loaded.target());
                double[][] again = loaded.predictProbabilities(test.pixels());
                for (int i = 0; i < again.length; i++) {
                    assertArrayEquals(probabilities[i], again[i], 0.0);
                }
                double[][] features = loaded.features(test.pixels().subList(0, 3));
                assertEquals(32, features[0].length);
                // re-saving the loaded network gives the same bytes
                assertEquals(digest, loaded.save(dir.resolve("again.bin")));
            }
        }
    }

    @Test
    void stopsAfterPatienceAndKeepsTheBestValidationEpoch() {
        LabeledImages few =
                new LabeledImages(64, train.pixels().subList(0, 32), java.util.Arrays.copyOf(train.labels(), 32));
        LabeledImages oneClassValidation =
                new LabeledImages(64, validation.pixels().subList(0, 6), new int[6]);
        ClassifierConfig config = PhantomImages.tinyConfig(10).withPatience(1);
        List<Double> scores = new java.util.ArrayList<>();
        try (TrainedClassifier classifier = ClassifierTrainer.train(
                config,
                target,
                few,
                2,
                oneClassValidation,
                8,
                "patience",
                (e, n, loss, score) -> scores.add(score),
                () -> false)) {
            // scores are 0 or 1 here, so at most two epochs can improve before one does not
            assertTrue(scores.size() <= 3, "trained " + scores.size() + " epochs with patience 1: " + scores);
            double best = scores.stream().mapToDouble(Double::doubleValue).max().orElseThrow();
            assertEquals(
                    best,
                    ClassifierTrainer.balancedAccuracy(classifier, oneClassValidation, target.classCount()),
                    0.0,
                    "the returned network is the best epoch's (weights and batch-norm statistics)");
        }
    }

    @Test
    void refusesFilesThatAreNotClassifiers(@TempDir Path dir) throws IOException {
        Path junk = dir.resolve("junk.bin");
        Files.writeString(junk, "hello");
        IOException e = assertThrows(IOException.class, () -> TrainedClassifier.load(junk));
        assertTrue(e.getMessage().contains("not a " + TrainedClassifier.FORMAT), e.getMessage());
        assertThrows(java.nio.file.NoSuchFileException.class, () -> TrainedClassifier.load(dir.resolve("missing")));
    }

    @Test
    void worksAt256Pixels() {
        ClassifierConfig config = new ClassifierConfig(256, List.of(4, 8, 8, 16), 1, 1, 2, 1e-3f, 0f, true, 0, "cpu");
        float[] image = new float[256 * 256];
        LabeledImages big = new LabeledImages(256, List.of(image, image, image, image), new int[] {0, 1, 2, 0});
        try (TrainedClassifier classifier = ClassifierTrainer.train(
                config, target, big, 1, LabeledImages.empty(256), 1, "big", (e, n, loss, score) -> {}, () -> false)) {
            assertEquals(16, classifier.features(List.of(image)).length == 1 ? 16 : -1);
            assertEquals(3, classifier.predictProbabilities(List.of(image))[0].length);
        }
    }
}
