package dev.causalcxr.core.disentangle;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.util.Pair;
import dev.causalcxr.core.engine.Engines;
import dev.causalcxr.core.findings.Finding;
import dev.causalcxr.core.stage.RecordingStageContext;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DisentanglerNetTest {

    @TempDir
    Path dir;

    @Test
    void gradientReversalIsTheIdentityForwardAndFlipsTheGradient() {
        try (NDManager m = NDManager.newBaseManager(Engines.PYTORCH)) {
            NDArray x = m.create(new float[]{0.5f, -1f, 2f, 3f});
            NDArray w = m.create(new float[]{1f, 2f, -3f, 0.25f});
            x.setRequiresGradient(true);
            float lambda = 0.7f;
            float[] forward;
            try (GradientCollector gc = Engines.pytorch().newGradientCollector()) {
                NDArray y = GradientReversal.apply(x, lambda);
                forward = y.toFloatArray();
                gc.backward(y.mul(w).sum());
            }
            assertArrayEquals(new float[]{0.5f, -1f, 2f, 3f}, forward, 1e-6f);
            float[] grad = x.getGradient().toFloatArray();
            for (int i = 0; i < grad.length; i++) {
                assertEquals(-lambda * w.toFloatArray()[i], grad[i], 1e-6f, "gradient " + i);
            }
        }
    }

    @Test
    void nearestUpsamplingCopiesEachPixelIntoATwoByTwoBlockAndSumsItsGradient() {
        try (NDManager m = NDManager.newBaseManager(Engines.PYTORCH)) {
            int b = 2;
            int c = 3;
            int h = 4;
            int w = 5;
            NDArray x = m.randomUniform(-1f, 1f, new Shape(b, c, h, w));
            NDArray upstream = m.randomUniform(-1f, 1f, new Shape(b, c, 2 * h, 2 * w));
            x.setRequiresGradient(true);
            float[] up;
            try (GradientCollector gc = Engines.pytorch().newGradientCollector()) {
                NDArray y = FilmDecoder.upsampleNearest(x);
                assertEquals(new Shape(b, c, 2 * h, 2 * w), y.getShape());
                up = y.toFloatArray();
                gc.backward(y.mul(upstream).sum());
            }
            float[] in = x.toFloatArray();
            float[] g = upstream.toFloatArray();
            float[] grad = x.getGradient().toFloatArray();
            for (int plane = 0; plane < b * c; plane++) {
                for (int i = 0; i < h; i++) {
                    for (int j = 0; j < w; j++) {
                        float expectedGrad = 0f;
                        for (int di = 0; di < 2; di++) {
                            for (int dj = 0; dj < 2; dj++) {
                                int o = plane * 4 * h * w + (2 * i + di) * 2 * w + 2 * j + dj;
                                assertEquals(in[plane * h * w + i * w + j], up[o], 0f, "output " + o);
                                expectedGrad += g[o];
                            }
                        }
                        assertEquals(expectedGrad, grad[plane * h * w + i * w + j], 1e-5f, "gradient");
                    }
                }
            }
        }
    }

    @Test
    void gradientsReachEveryParameterGroup() throws Exception {
        gradientsReachEveryParameterGroup(DisentanglerConfig.tiny());
    }

    @Test
    void gradientsReachEveryParameterGroupWithCyclesSpatialProbeAndPathologyEncoder() throws Exception {
        gradientsReachEveryParameterGroup(DisentanglerConfig.tiny().withCycle(3, 1.0, 0.5).withSpatialProbe(true)
                .withPathologyEncoder(true));
    }

    @Test
    void aModelFileWrittenBeforeTheCycleFieldsLoadsWithThemOff() throws Exception {
        com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
        var fields = json.convertValue(DisentanglerConfig.quick().withCycle(8, 1, 1).withSpatialProbe(true)
                        .withPathologyEncoder(true),
                new com.fasterxml.jackson.core.type.TypeReference<java.util.Map<String, Object>>() { });
        for (String f : List.of("cycleSwaps", "cycleWeight", "cycleIdentityWeight", "spatialProbe", "pathologyEncoder",
                "learningRateSchedule")) {
            fields.remove(f);
        }
        DisentanglerConfig old = json.readValue(json.writeValueAsString(fields), DisentanglerConfig.class);
        assertEquals(0, old.cycleSwaps());
        assertEquals(0.0, old.cycleWeight());
        assertEquals(false, old.spatialProbe());
        assertEquals(false, old.pathologyEncoder());
        assertTrue(old.problems().isEmpty(), old.problems().toString());
        assertEquals(old.learningRate(), old.learningRateAt(old.steps() - 1), "no schedule = constant");
    }

    @Test
    void theCosineScheduleFallsFromTheLearningRateToZeroAndUnknownSchedulesAreRejected() {
        DisentanglerConfig cosine = DisentanglerConfig.tiny().withSteps(100).withLearningRateSchedule("cosine");
        assertEquals(cosine.learningRate(), cosine.learningRateAt(0), 1e-15);
        assertEquals(cosine.learningRate() / 2, cosine.learningRateAt(50), 1e-15);
        assertEquals(0.0, cosine.learningRateAt(100), 1e-15);
        for (int s = 1; s < 100; s++) {
            assertTrue(cosine.learningRateAt(s) < cosine.learningRateAt(s - 1), "falls at step " + s);
        }
        DisentanglerConfig constant = cosine.withLearningRateSchedule("constant");
        assertEquals(constant.learningRate(), constant.learningRateAt(99));
        assertEquals(List.of("learningRateSchedule: must be one of [constant, cosine], was linear"),
                cosine.withLearningRateSchedule("linear").problems());
    }

    private void gradientsReachEveryParameterGroup(DisentanglerConfig cfg) throws Exception {
        DisentanglerDataset data = TinyData.small();
        RecordingStageContext ctx = RecordingStageContext.under(dir, 1);
        try (DisentanglerModel model = DisentanglerModel.create(cfg, data.vocabulary(), data.size());
             DisentanglerTrainer trainer = new DisentanglerTrainer(model, data, ctx, "main", 0, "")) {
            assertTrue(model.net().findingCount() > 0, "the phantom has findings");
            trainer.accumulateGradients(trainer.sampler().next());
            for (Map.Entry<String, Block> group : model.net().parameterGroups().entrySet()) {
                List<String> dead = new ArrayList<>();
                double norm = 0;
                for (Pair<String, Parameter> p : group.getValue().getParameters()) {
                    double g = p.getValue().getArray().getGradient().abs().sum().getFloat();
                    norm += g;
                    if (!(g > 0)) {
                        dead.add(p.getKey());
                    }
                }
                assertTrue(norm > 0, group.getKey() + " gets no gradient");
                // every weight of the group moves; biases of a layer feeding a leaky ReLU always do too
                assertTrue(dead.isEmpty(), group.getKey() + ": no gradient for " + dead);
            }
        }
    }

    @Test
    void shapesFor64And256Pixels() {
        for (int size : new int[]{64, 256}) {
          for (DisentanglerConfig cfg : List.of(DisentanglerConfig.tiny(),
                  DisentanglerConfig.tiny().withPathologyEncoder(true).withSpatialProbe(true))) {
            try (DisentanglerModel model = DisentanglerModel.create(cfg, List.of(Finding.EDEMA, Finding.MASS), size)) {
                float[] a = new float[size * size];
                float[] b = new float[size * size];
                java.util.Arrays.fill(b, 0.5f);
                DisentanglerModel.Encoding e = model.encode(List.of(a, b));
                int grid = size / 4;
                assertArrayEquals(new int[]{cfg.idChannels(), grid, grid}, model.identityShape());
                assertEquals(cfg.idChannels() * grid * grid, e.identity()[0].length);
                assertEquals(cfg.pathDim(), e.pathMean()[1].length);
                assertEquals(cfg.pathDim(), e.pathLogVar()[1].length);
                assertEquals(cfg.idChannels(), e.pooledIdentity()[0].length);
                var images = model.decode(e.identity(), new float[][]{e.pathMean()[1], e.pathMean()[0]});
                assertEquals(2, images.size());
                assertEquals(size, images.get(0).width());
                assertEquals(size, images.get(0).height());
                try (NDManager m = model.manager().newSubManager()) {
                    NDArray out = model.net().forward(model.parameterStore(),
                            new ai.djl.ndarray.NDList(m.zeros(new Shape(2, 1, size, size))), false).head();
                    assertEquals(new Shape(2, 1, size, size), out.getShape());
                }
            }
          }
        }
    }

    @Test
    void savedModelLoadsWithTheSameWeightsAndCodes() throws Exception {
        DisentanglerDataset data = TinyData.small();
        Path file = dir.resolve("m.model");
        List<float[]> images = List.of(data.studies().get(0).pixels(), data.studies().get(1).pixels());
        DisentanglerModel.Encoding before;
        try (DisentanglerModel model = DisentanglerModel.create(DisentanglerConfig.tiny().withSeed(99),
                data.vocabulary(), data.size())) {
            before = model.encode(images);
            model.save(file);
        }
        try (DisentanglerModel loaded = DisentanglerModel.load(file)) {
            assertEquals(data.vocabulary(), loaded.vocabulary());
            assertEquals(99, loaded.config().seed());
            DisentanglerModel.Encoding after = loaded.encode(images);
            assertArrayEquals(before.pathMean()[1], after.pathMean()[1], 0f);
            assertArrayEquals(before.identity()[0], after.identity()[0], 0f);
        }
    }
}
