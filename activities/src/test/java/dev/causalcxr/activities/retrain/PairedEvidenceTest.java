package dev.causalcxr.activities.retrain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.causalcxr.activities.runner.StageManifest;
import dev.causalcxr.core.evaluation.EvaluationStage;
import dev.causalcxr.core.evaluation.TestPredictions;
import dev.causalcxr.core.retrain.ChampionComparison;
import dev.causalcxr.infra.objectstore.EmbeddedS3Server;
import dev.causalcxr.infra.objectstore.ObjectRef;
import dev.causalcxr.infra.objectstore.ObjectStore;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Two evaluate manifests in the embedded S3 store, paired the way the retrain's decision reads them. */
class PairedEvidenceTest {
    @TempDir
    static Path dir;

    static EmbeddedS3Server server;
    static ObjectStore store;

    @BeforeAll
    static void start() {
        server = EmbeddedS3Server.start(dir.resolve("s3"), "testkey", "testsecret0123456789", "test-bucket");
        store = new ObjectStore(server.endpoint());
        store.ensureBucket();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    /** An evaluate manifest whose test-predictions output has the augmented arm right on a share of studies. */
    private static String evaluateManifest(String testDigest, double right, boolean withPredictions) {
        int studies = 60;
        int[] labels = new int[studies];
        double[][] augmented = new double[studies][2];
        double[][] real = new double[studies][2];
        for (int i = 0; i < studies; i++) {
            labels[i] = i % 2;
            int guess = (i * 7919 % 100) < right * 100 ? labels[i] : 1 - labels[i];
            augmented[i][guess] = 0.9;
            augmented[i][1 - guess] = 0.1;
            real[i][0] = 0.5;
            real[i][1] = 0.5;
        }
        TestPredictions p = new TestPredictions(
                testDigest,
                List.of("No Finding", "Mass"),
                Set.of(1),
                List.of(5L, 6L),
                labels,
                Map.of("real", List.of(real, real), "augmented", List.of(augmented, augmented)));
        Map<String, StageManifest.Entry> outputs = Map.of();
        if (withPredictions) {
            ObjectRef ref = store.putJson(p);
            outputs =
                    Map.of(EvaluationStage.OUTPUT_TEST_PREDICTIONS, new StageManifest.Entry(ref.digest(), ref.size()));
        }
        StageManifest m = new StageManifest(
                "evaluate",
                "key-" + right + testDigest,
                "{}",
                1,
                Map.of(),
                outputs,
                Map.of(),
                Map.of(),
                Map.of(),
                Map.of());
        return store.putJson(m).digest();
    }

    @Test
    void theDecisionPairsTheTwoRunsPublishedPredictions() {
        Map<String, Double> d = PairedEvidence.read(
                store, evaluateManifest("t", 0.5, true), evaluateManifest("t", 0.95, true), "site-b");
        String key = "balanced_accuracy_augmented" + ChampionComparison.SUFFIX;
        assertEquals(0.45, d.get(key), 0.05, d.toString());
        assertTrue(d.get(key + "_ci_low") > 0.2, d.toString());
    }

    @Test
    void nothingToPairGivesNoEvidenceRatherThanAnError() {
        String champion = evaluateManifest("t", 0.5, true);
        assertEquals(Map.of(), PairedEvidence.read(store, champion, null, "site-b"), "no evaluate stage");
        assertEquals(
                Map.of(),
                PairedEvidence.read(store, champion, evaluateManifest("t", 0.9, false), "site-b"),
                "a manifest from before test predictions");
        assertEquals(
                Map.of(),
                PairedEvidence.read(store, champion, evaluateManifest("other", 0.9, true), "site-b"),
                "other test studies");
    }
}
