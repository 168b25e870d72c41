package dev.causalcxr.core.diffusion;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.causalcxr.core.findings.Finding;
import dev.causalcxr.core.findings.FindingMention;
import dev.causalcxr.core.findings.Laterality;
import dev.causalcxr.core.findings.Severity;
import dev.causalcxr.core.findings.Zone;
import dev.causalcxr.core.stage.RecordingStageContext;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link DiffusionModel#sampleBatch} gives every request the bits {@link DiffusionModel#sample} gives
 * it alone, whatever else is in the batch: the property the counterfactual service's batching rests on.
 * Checked on a model of the quick profile's shape (z_path 16, 256 wide, 3 blocks, T = 1000) whose
 * weights were moved away from their zero initialization, and on a tiny one.
 */
class DiffusionModelBatchTest {
    static final int DIM = 16;
    static DiffusionModel quick;
    static DiffusionModel tiny;

    static final Condition EFFUSION = Condition.of(List.of(FindingMention.present(Finding.PLEURAL_EFFUSION,
            Severity.MODERATE, Laterality.RIGHT, Zone.LOWER)));
    static final Condition TWO = Condition.of(List.of(
            FindingMention.present(Finding.PLEURAL_EFFUSION, Severity.MILD, Laterality.LEFT, null),
            FindingMention.present(Finding.CARDIOMEGALY, Severity.SEVERE, null, null)));
    static final Condition NONE_PRESENT = Condition.ofStudy(List.of());

    @BeforeAll
    static void train(@TempDir Path dir) {
        SingleThreadedEngine.request();
        quick = trained(dir.resolve("quick"), new DiffusionConfig(DIM, 256, 3, 64, 1000, 40, 64, 1e-2f, 0.1f, 3L, 0, 20, "cpu"));
        tiny = trained(dir.resolve("tiny"), new DiffusionConfig(DIM, 32, 2, 8, 100, 40, 32, 1e-2f, 0.2f, 4L, 0, 20, "cpu"));
    }

    private static DiffusionModel trained(Path dir, DiffusionConfig config) {
        SplittableRandom rng = new SplittableRandom(9);
        int rows = 240;
        float[][] z = new float[rows][DIM];
        List<Condition> conditions = new ArrayList<>();
        Condition[] kinds = {EFFUSION, TWO, NONE_PRESENT, Condition.of(Finding.PNEUMOTHORAX)};
        for (int i = 0; i < rows; i++) {
            for (int k = 0; k < DIM; k++) {
                z[i][k] = (float) (rng.nextGaussian() + (i % kinds.length) * (k % 3));
            }
            conditions.add(kinds[i % kinds.length]);
        }
        RecordingStageContext ctx = new RecordingStageContext(dir, 5);
        DiffusionTraining.runWithConditions(config, z, conditions, ctx);
        return DiffusionModel.load(ctx.output(DiffusionTraining.OUTPUT_MODEL));
    }

    @AfterAll
    static void close() {
        if (quick != null) {
            quick.close();
        }
        if (tiny != null) {
            tiny.close();
        }
    }

    private static float[][] noise(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[][] out = new float[n][DIM];
        for (float[] row : out) {
            for (int k = 0; k < DIM; k++) {
                row[k] = (float) (0.5 + 0.8 * r.nextGaussian());
            }
        }
        return out;
    }

    /** Guided, purely conditional, unconditional, null, several findings, given noise, n from 1 to 16. */
    private static List<DiffusionModel.BatchRequest> mixedRequests() {
        return List.of(
                new DiffusionModel.BatchRequest(EFFUSION, 8, 11, 2f, null),
                new DiffusionModel.BatchRequest(TWO, 3, 12, 3.5f, null),
                new DiffusionModel.BatchRequest(EFFUSION, 1, 13, 1f, null),
                new DiffusionModel.BatchRequest(Condition.NULL, 2, 14, 2f, null),
                new DiffusionModel.BatchRequest(NONE_PRESENT, 5, 15, 2f, null),
                new DiffusionModel.BatchRequest(Condition.of(Finding.PNEUMOTHORAX), 16, 16, 0f, null),
                new DiffusionModel.BatchRequest(EFFUSION, 4, 17, 2f, noise(4, 99)),
                new DiffusionModel.BatchRequest(EFFUSION, 1, 18, 2f, null));
    }

    private static void assertEachAsAlone(DiffusionModel model, List<DiffusionModel.BatchRequest> requests, int steps,
                                          float eta) {
        List<float[][]> batched = model.sampleBatch(requests, steps, eta);
        assertEquals(requests.size(), batched.size());
        for (int i = 0; i < requests.size(); i++) {
            DiffusionModel.BatchRequest r = requests.get(i);
            float[][] alone = model.sample(r.condition(), r.n(), r.seed(), new SamplerConfig(steps, eta, r.guidance()),
                    r.initialNoise());
            assertEquals(r.n(), batched.get(i).length);
            for (int row = 0; row < r.n(); row++) {
                assertArrayEquals(alone[row], batched.get(i)[row], "request " + i + " (" + r.condition().describe()
                        + ", n " + r.n() + ", g " + r.guidance() + ") row " + row + ": batched differs from alone");
            }
        }
    }

    @Test
    void everyRequestOfAMixedBatchGetsTheBitsItGetsAlone() {
        assertEachAsAlone(quick, mixedRequests(), 12, 0f);
        assertEachAsAlone(tiny, mixedRequests(), 12, 0f);
    }

    @Test
    void stochasticStepsDrawEachRequestsNoiseFromItsOwnSeed() {
        assertEachAsAlone(quick, mixedRequests(), 6, 0.7f);
        assertEachAsAlone(tiny, mixedRequests(), 6, 1f);
    }

    @Test
    void aRequestsCodesDoNotDependOnHowManyRowsShareItsBatch() {
        DiffusionModel.BatchRequest probe = new DiffusionModel.BatchRequest(EFFUSION, 8, 42, 2f, null);
        float[][] alone = quick.sample(EFFUSION, 8, 42, new SamplerConfig(5, 0f, 2f), null);
        // from 0 to 60 other requests of 1..16 rows before and after it: up to ~1,000 rows per pass
        SplittableRandom r = new SplittableRandom(7);
        for (int others : new int[] {0, 1, 2, 3, 5, 8, 13, 21, 34, 60}) {
            List<DiffusionModel.BatchRequest> batch = new ArrayList<>();
            int at = others == 0 ? 0 : r.nextInt(others + 1);
            for (int i = 0; i < others; i++) {
                if (i == at) {
                    batch.add(probe);
                }
                batch.add(new DiffusionModel.BatchRequest(i % 2 == 0 ? EFFUSION : TWO, 1 + r.nextInt(16), r.nextLong(),
                        i % 3 == 0 ? 1f : 2f, null));
            }
            if (at == others) {
                batch.add(probe);
            }
            float[][] got = quick.sampleBatch(batch, 5, 0f).get(batch.indexOf(probe));
            for (int row = 0; row < 8; row++) {
                assertArrayEquals(alone[row], got[row], "with " + others + " other requests, row " + row);
            }
        }
    }

    @Test
    void requestsOfEverySizeFromOneToThirtyTwoRowsMatchTheirSoloPass() {
        List<DiffusionModel.BatchRequest> batch = new ArrayList<>();
        for (int n = 1; n <= 32; n++) {
            batch.add(new DiffusionModel.BatchRequest(EFFUSION, n, 1000 + n, 1f, null));
            if (n <= 16) {
                batch.add(new DiffusionModel.BatchRequest(TWO, n, 2000 + n, 2f, null));
            }
        }
        assertEachAsAlone(quick, batch, 3, 0f);
        assertEachAsAlone(tiny, batch, 3, 0f);
    }

    @Test
    void aBatchRejectsAFindingTheModelNeverSaw() {
        List<DiffusionModel.BatchRequest> batch = List.of(new DiffusionModel.BatchRequest(EFFUSION, 1, 1, 2f, null),
                new DiffusionModel.BatchRequest(Condition.of(Finding.FRACTURE), 1, 1, 2f, null));
        assertThrows(IllegalArgumentException.class, () -> quick.sampleBatch(batch, 3, 0f));
        assertThrows(IllegalArgumentException.class, () -> new DiffusionModel.BatchRequest(EFFUSION, 0, 1, 2f, null));
        assertEquals(List.of(), quick.sampleBatch(List.of(), 3, 0f));
    }
}
