package dev.causalcxr.core.diffusion;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.causalcxr.core.engine.TorchNative;
import dev.causalcxr.core.findings.Finding;
import dev.causalcxr.core.findings.FindingMention;
import dev.causalcxr.core.findings.Laterality;
import dev.causalcxr.core.findings.Severity;
import dev.causalcxr.core.findings.Zone;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@link DiffusionModel#sampleBatch} gives every request the bits {@link DiffusionModel#sample} gives
 * it alone, whatever else is in the batch: the property the counterfactual service's batching rests on.
 * Checked on a model of the quick profile's shape (z_path 16, 256 wide, 3 blocks, T = 1000) and on a
 * tiny one, both with random weights in every layer.
 */
class DiffusionModelBatchTest {
    static final int DIM = 16;
    static DiffusionModel quick;
    static DiffusionModel tiny;

    static final Condition EFFUSION = Condition.of(
            List.of(FindingMention.present(Finding.PLEURAL_EFFUSION, Severity.MODERATE, Laterality.RIGHT, Zone.LOWER)));
    static final Condition TWO = Condition.of(List.of(
            FindingMention.present(Finding.PLEURAL_EFFUSION, Severity.MILD, Laterality.LEFT, null),
            FindingMention.present(Finding.CARDIOMEGALY, Severity.SEVERE, null, null)));
    static final Condition NONE_PRESENT = Condition.ofStudy(List.of());

    @BeforeAll
    static void build() {
        SingleThreadedEngine.request();
        quick = randomModel(new DiffusionConfig(DIM, 256, 3, 64, 1000, 1, 64, 1e-3f, 0.1f, 3L, 0, 1, "cpu"), 3);
        tiny = randomModel(new DiffusionConfig(DIM, 32, 2, 8, 100, 1, 32, 1e-3f, 0.2f, 4L, 0, 1, "cpu"), 4);
    }

    /**
     * A model of the given shape with random weights everywhere, the layers that training starts at
     * zero included (so that every operation of the network changes the result), knowing the findings
     * of the test conditions. Its samples mean nothing; their bits are what is compared.
     */
    private static DiffusionModel randomModel(DiffusionConfig config, long seed) {
        ai.djl.ndarray.NDManager manager =
                dev.causalcxr.core.engine.Engines.pytorch().newBaseManager();
        ParameterStore params = ParameterStore.initialize(manager, Denoiser.layout(config), seed);
        SplittableRandom rng = new SplittableRandom(seed);
        for (java.util.Map.Entry<String, ai.djl.ndarray.NDArray> e :
                params.arrays().entrySet()) {
            float[] v = new float[(int) e.getValue().size()];
            double bound = 1.0 / Math.sqrt((double) e.getValue().getShape().get(0));
            for (int i = 0; i < v.length; i++) {
                v[i] = (float) ((rng.nextDouble() * 2 - 1) * bound)
                        + (e.getKey().endsWith("ln_g") ? 1f : 0f);
            }
            dev.causalcxr.core.engine.ArrayValues.overwrite(e.getValue(), v);
        }
        float[] mean = new float[DIM];
        float[] std = new float[DIM];
        for (int k = 0; k < DIM; k++) {
            mean[k] = (float) rng.nextGaussian();
            std[k] = 0.5f + (float) rng.nextDouble();
        }
        java.util.Map<Finding, Integer> counts = new java.util.EnumMap<>(Finding.class);
        counts.put(Finding.PLEURAL_EFFUSION, 60);
        counts.put(Finding.CARDIOMEGALY, 30);
        counts.put(Finding.PNEUMOTHORAX, 20);
        return new DiffusionModel(config, manager, params, mean, std, 4f, 0, counts);
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

    private static void assertEachAsAlone(
            DiffusionModel model, List<DiffusionModel.BatchRequest> requests, int steps, float eta) {
        List<float[][]> batched = model.sampleBatch(requests, steps, eta);
        assertEquals(requests.size(), batched.size());
        for (int i = 0; i < requests.size(); i++) {
            DiffusionModel.BatchRequest r = requests.get(i);
            float[][] alone = model.sample(
                    r.condition(), r.n(), r.seed(), new SamplerConfig(steps, eta, r.guidance()), r.initialNoise());
            assertEquals(r.n(), batched.get(i).length);
            for (int row = 0; row < r.n(); row++) {
                assertArrayEquals(
                        alone[row],
                        batched.get(i)[row],
                        "request " + i + " (" + r.condition().describe() + ", n " + r.n() + ", g " + r.guidance()
                                + ") row " + row + ": batched differs from alone");
            }
        }
    }

    @Test
    void everyRequestOfAMixedBatchGetsTheBitsItGetsAlone() {
        assertEachAsAlone(quick, mixedRequests(), 6, 0f);
        assertEachAsAlone(tiny, mixedRequests(), 6, 0f);
    }

    @Test
    void stochasticStepsDrawEachRequestsNoiseFromItsOwnSeed() {
        assertEachAsAlone(quick, mixedRequests(), 4, 0.7f);
        assertEachAsAlone(tiny, mixedRequests(), 4, 1f);
    }

    @Test
    void aRequestsCodesDoNotDependOnHowManyRowsShareItsBatch() {
        DiffusionModel.BatchRequest probe = new DiffusionModel.BatchRequest(EFFUSION, 8, 42, 2f, null);
        float[][] alone = quick.sample(EFFUSION, 8, 42, new SamplerConfig(3, 0f, 2f), null);
        // from 0 to 60 other requests of 1..16 rows before and after it: up to ~1,000 rows per pass
        SplittableRandom r = new SplittableRandom(7);
        for (int others : new int[] {0, 1, 3, 8, 21, 60}) {
            List<DiffusionModel.BatchRequest> batch = new ArrayList<>();
            int at = others == 0 ? 0 : r.nextInt(others + 1);
            for (int i = 0; i < others; i++) {
                if (i == at) {
                    batch.add(probe);
                }
                batch.add(new DiffusionModel.BatchRequest(
                        i % 2 == 0 ? EFFUSION : TWO, 1 + r.nextInt(16), r.nextLong(), i % 3 == 0 ? 1f : 2f, null));
            }
            if (at == others) {
                batch.add(probe);
            }
            float[][] got = quick.sampleBatch(batch, 3, 0f).get(batch.indexOf(probe));
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

    /**
     * How the engine's matrix product splits rows into kernels depends on its thread count (on AMD EPYC
     * two threads gave the last rows of a 5–11-row product other bits, one thread did not): the
     * property must hold whatever the count a machine runs with.
     */
    @Test
    void everyRequestGetsTheBitsItGetsAloneWhateverTheEngineThreadCount() {
        int before = TorchNative.intraOpThreads();
        try {
            for (int threads : new int[] {1, 2, 3, 4, 8, 16}) {
                TorchNative.setIntraOpThreads(threads);
                List<DiffusionModel.BatchRequest> sizes = new ArrayList<>();
                for (int n = 1; n <= 12; n++) {
                    sizes.add(new DiffusionModel.BatchRequest(n % 2 == 0 ? EFFUSION : TWO, n, 3000 + n, 2f, null));
                    sizes.add(new DiffusionModel.BatchRequest(EFFUSION, n, 4000 + n, 0f, null));
                }
                assertEachAsAlone(quick, sizes, 2, 0f);
                assertEachAsAlone(tiny, mixedRequests(), 3, 0.5f);
            }
        } finally {
            TorchNative.setIntraOpThreads(before);
        }
    }

    @Test
    void aBatchRejectsAFindingTheModelNeverSaw() {
        List<DiffusionModel.BatchRequest> batch = List.of(
                new DiffusionModel.BatchRequest(EFFUSION, 1, 1, 2f, null),
                new DiffusionModel.BatchRequest(Condition.of(Finding.FRACTURE), 1, 1, 2f, null));
        assertThrows(IllegalArgumentException.class, () -> quick.sampleBatch(batch, 3, 0f));
        assertThrows(IllegalArgumentException.class, () -> new DiffusionModel.BatchRequest(EFFUSION, 0, 1, 2f, null));
        assertEquals(List.of(), quick.sampleBatch(List.of(), 3, 0f));
    }
}
