package dev.causalcxr.core.disentangle;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.util.Pair;
import dev.causalcxr.core.engine.Engines;
import dev.causalcxr.core.engine.GarbageCollectionPressure;
import dev.causalcxr.core.findings.Finding;
import dev.causalcxr.core.findings.FindingMention;
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
            NDArray x = m.create(new float[] {0.5f, -1f, 2f, 3f});
            NDArray w = m.create(new float[] {1f, 2f, -3f, 0.25f});
            x.setRequiresGradient(true);
            float lambda = 0.7f;
            float[] forward;
            try (GradientCollector gc = Engines.pytorch().newGradientCollector()) {
                NDArray y = GradientReversal.apply(x, lambda);
                forward = y.toFloatArray();
                gc.backward(y.mul(w).sum());
            }
            assertArrayEquals(new float[] {0.5f, -1f, 2f, 3f}, forward, 1e-6f);
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
            NDArray upstream = m.randomUniform(-1f, 1f, new Shape(b, c, 2L * h, 2L * w));
            x.setRequiresGradient(true);
            float[] up;
            try (GradientCollector gc = Engines.pytorch().newGradientCollector()) {
                NDArray y = FilmDecoder.upsampleNearest(x);
                assertEquals(new Shape(b, c, 2L * h, 2L * w), y.getShape());
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
        gradientsReachEveryParameterGroup(DisentanglerConfig.tiny()
                .withCycle(3, 1.0, 0.5)
                .withSpatialProbe(true)
                .withPathologyEncoder(true));
    }

    /** tiny() with its own pathology encoder and an 8 × 8 pathology map of 2 channels. */
    static DisentanglerConfig tinyMap() {
        return DisentanglerConfig.tiny().toBuilder()
                .pathologyEncoder(true)
                .spatialProbe(true)
                .pathGrid(8)
                .pathDim(128)
                .build();
    }

    @Test
    void gradientsReachEveryParameterGroupWithAPathologyMap() throws Exception {
        gradientsReachEveryParameterGroup(tinyMap().withCycle(3, 1.0, 0.5));
    }

    /** tiny() with a decoder map projected from the vector z_path, mask-weighted items and balanced pairs. */
    static DisentanglerConfig tinyDecoderMap() {
        return DisentanglerConfig.tiny().toBuilder()
                .pathologyEncoder(true)
                .decoderMapGrid(4)
                .findingMaskWeight(1.0)
                .identityPairsByFinding(true)
                .findingBalancedShare(0.5)
                .build();
    }

    @Test
    void gradientsReachEveryParameterGroupWithADecoderMapMaskWeightsAndBatchesBalancedByFinding() throws Exception {
        gradientsReachEveryParameterGroup(tinyDecoderMap().withCycle(3, 1.0, 0.5));
    }

    @Test
    void aDecoderMapNeedsAPowerOfTwoGridAndAVectorCode() {
        assertTrue(
                tinyDecoderMap().problems().isEmpty(),
                tinyDecoderMap().problems().toString());
        assertEquals(
                1,
                tinyDecoderMap().toBuilder()
                        .decoderMapGrid(6)
                        .build()
                        .problems()
                        .size());
        assertEquals(
                1,
                tinyMap().toBuilder().decoderMapGrid(4).build().problems().size(),
                "a pathology map and a decoder map at once");
        assertEquals(
                1,
                tinyDecoderMap().toBuilder()
                        .findingMaskWeight(-1)
                        .build()
                        .problems()
                        .size());
        assertEquals(
                1,
                tinyDecoderMap().toBuilder()
                        .findingBalancedShare(2)
                        .build()
                        .problems()
                        .size());
        assertEquals(
                1,
                tinyDecoderMap().toBuilder()
                        .identityPairsByFinding(false)
                        .build()
                        .problems()
                        .size(),
                "balanced slots need the sampler's findings");
    }

    @Test
    void theFindingMaskTermAddsTheErrorInsideTheLesionsToTheReconstructionAndIdentitySwaps() throws Exception {
        DisentanglerDataset data = TinyData.small();
        RecordingStageContext ctx = RecordingStageContext.under(dir, 1);
        // pairs balanced by finding, so the identity pairs hold lesions
        DisentanglerConfig off = DisentanglerConfig.tiny().toBuilder()
                .identityPairsByFinding(true)
                .build();
        double[] withoutMask;
        double[] withMask;
        try (DisentanglerModel model = DisentanglerModel.create(off, data.vocabulary(), data.size());
                DisentanglerTrainer trainer = new DisentanglerTrainer(model, data, ctx, "main", 0, "")) {
            DisentanglerTrainer.Losses l =
                    trainer.accumulateGradients(trainer.sampler().next());
            withoutMask = new double[] {l.reconstruction(), l.identitySwap(), l.pathologySwap()};
        }
        DisentanglerConfig on = off.toBuilder().findingMaskWeight(5.0).build();
        try (DisentanglerModel model = DisentanglerModel.create(on, data.vocabulary(), data.size());
                DisentanglerTrainer trainer = new DisentanglerTrainer(model, data, ctx, "main", 0, "")) {
            DisentanglerTrainer.Losses l =
                    trainer.accumulateGradients(trainer.sampler().next());
            withMask = new double[] {l.reconstruction(), l.identitySwap(), l.pathologySwap()};
        }
        // same seed: same weights, same batch; only the mask term differs
        assertTrue(withMask[0] > withoutMask[0] + 1e-4, "reconstruction " + withoutMask[0] + " → " + withMask[0]);
        assertTrue(withMask[1] > withoutMask[1] + 1e-4, "identity swap " + withoutMask[1] + " → " + withMask[1]);
        assertEquals(withoutMask[2], withMask[2], 1e-6, "the pathology swap pays no mask term");
    }

    @Test
    void anExactSwapOfAStudyWithItselfIsThatStudyAndOtherwiseShowsTheOtherStudysFindingsOnTheAnatomy() {
        DisentanglerDataset data = TinyData.small();
        List<DisentanglerDataset.Study> withFindings = data.studies().stream()
                .filter(s -> !s.truthFindings().isEmpty())
                .toList();
        DisentanglerDataset.Study a = withFindings.get(0);
        DisentanglerDataset.Study b = withFindings.stream()
                .filter(s -> s.patient() != a.patient() && !s.truthFindings().equals(a.truthFindings()))
                .findFirst()
                .orElseThrow();
        // B's own draw places B's findings: swapping B with itself re-renders B
        assertArrayEquals(b.pixels(), data.exactSwap(b, b).image().toFloat(), 1f / 255);
        DisentanglerDataset.Counterfactual swap = data.exactSwap(a, b);
        DisentanglerDataset.Counterfactual bare = data.counterfactual(a, List.of());
        boolean[] aMask = data.counterfactual(a, a.truthFindings()).findingMask();
        float[] swapped = swap.image().toFloat();
        float[] anatomy = bare.image().toFloat();
        int inside = 0;
        double change = 0;
        for (int i = 0; i < swapped.length; i++) {
            if (swap.findingMask()[i]) {
                inside++;
                change += Math.abs(swapped[i] - anatomy[i]);
            } else {
                // outside the findings' masks the swap is A's anatomy, acquisition and noise without findings
                assertEquals(anatomy[i], swapped[i], 1e-6f, "pixel " + i);
            }
        }
        assertTrue(inside > 0 && change / inside > 0.01, "B's findings are drawn: " + inside + " px, " + change);
        assertTrue(!java.util.Arrays.equals(swap.findingMask(), aMask), "not A's own findings");
        // B's own findings land where B's own render put them
        assertArrayEquals(
                data.counterfactual(b, b.truthFindings()).findingMask(),
                data.exactSwap(b, b).findingMask());
    }

    @Test
    void exactSwapsAddAPixelLossAgainstThePhantomsSwapAndAreSkippedWithoutGroundTruth() throws Exception {
        DisentanglerDataset data = TinyData.small();
        DisentanglerConfig cfg = DisentanglerConfig.tiny().toBuilder()
                .exactSwaps(3)
                .exactSwapWeight(2.0)
                .findingMaskWeight(1.0)
                .build();
        assertTrue(cfg.problems().isEmpty(), cfg.problems().toString());
        DisentanglerTrainer.Losses l = firstBatchLosses(cfg, data);
        assertTrue(l.exactSwap() > 0 && Double.isFinite(l.exactSwap()), "exact swap loss " + l.exactSwap());
        gradientsReachEveryParameterGroup(cfg);
        // the same studies as real data (no phantom truth): no exact swaps, nothing to fail on
        assertEquals(0.0, firstBatchLosses(cfg, withoutGroundTruth(data)).exactSwap());
        assertEquals(1, cfg.toBuilder().exactSwaps(-1).build().problems().size());
        assertEquals(
                1,
                cfg.toBuilder()
                        .exactSwaps(cfg.batchSize() + 1)
                        .build()
                        .problems()
                        .size());
        assertEquals(
                1,
                cfg.toBuilder().exactSwapWeight(Double.NaN).build().problems().size());
    }

    @Test
    void translatingMovesEveryImageOfTheBatchAndRepeatsTheEdges() {
        // two 3 × 3 images back to back
        float[] images = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 20, 30, 40, 50, 60, 70, 80, 90};
        assertArrayEquals(
                new float[] {1, 1, 2, 1, 1, 2, 4, 4, 5, 10, 10, 20, 10, 10, 20, 40, 40, 50},
                DisentanglerTrainer.translate(images, 3, 1, 1),
                "right and down by one: the first row and column repeat");
        assertArrayEquals(
                new float[] {3, 3, 3, 6, 6, 6, 9, 9, 9, 30, 30, 30, 60, 60, 60, 90, 90, 90},
                DisentanglerTrainer.translate(images, 3, -2, 0));
        assertSame(images, DisentanglerTrainer.translate(images, 3, 0, 0));
    }

    @Test
    void theBatchShiftIsAFunctionOfSeedAndStepAndCoversItsRange() {
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (long step = 0; step < 400; step++) {
            int[] s = DisentanglerTrainer.batchShift(42L, 2, step);
            assertTrue(Math.abs(s[0]) <= 2 && Math.abs(s[1]) <= 2, java.util.Arrays.toString(s));
            assertArrayEquals(
                    s, DisentanglerTrainer.batchShift(42L, 2, step), "resumable: the same step, the same shift");
            seen.add(s[0] + "," + s[1]);
            assertArrayEquals(new int[] {0, 0}, DisentanglerTrainer.batchShift(42L, 0, step), "off");
        }
        assertEquals(25, seen.size(), "every (dx, dy) in [-2, 2]² occurs");
    }

    @Test
    void aShiftedStepTrainsOnTheShiftedBatchAndAnUnshiftedStepIsUnchanged() throws Exception {
        DisentanglerDataset data = TinyData.small();
        RecordingStageContext ctx = RecordingStageContext.under(dir, 1);
        // step 0's shift depends on the seed: one seed that moves the batch, one that does not
        long moved = -1;
        long still = -1;
        for (long seed = 1; seed < 200 && (moved < 0 || still < 0); seed++) {
            int[] s = DisentanglerTrainer.batchShift(seed, 2, 0);
            if (s[0] == 0 && s[1] == 0) {
                still = still < 0 ? seed : still;
            } else if (Math.abs(s[0]) == 2 && Math.abs(s[1]) == 2) {
                moved = moved < 0 ? seed : moved;
            }
        }
        for (long seed : new long[] {moved, still}) {
            DisentanglerConfig plain = DisentanglerConfig.tiny().toBuilder()
                    .seed(seed)
                    .findingMaskWeight(1.0)
                    .exactSwaps(2)
                    .exactSwapWeight(1.0)
                    .build();
            DisentanglerConfig shifted = plain.toBuilder().augmentShift(2).build();
            assertTrue(shifted.problems().isEmpty(), shifted.problems().toString());
            double[] totals = new double[2];
            int i = 0;
            for (DisentanglerConfig cfg : List.of(plain, shifted)) {
                try (DisentanglerModel model = DisentanglerModel.create(cfg, data.vocabulary(), data.size());
                        DisentanglerTrainer trainer = new DisentanglerTrainer(model, data, ctx, "main", 0, "")) {
                    DisentanglerTrainer.Losses l =
                            trainer.accumulateGradients(trainer.sampler().next());
                    assertTrue(Double.isFinite(l.total()), l.toString());
                    totals[i++] = l.total();
                }
            }
            if (seed == still) {
                assertEquals(totals[0], totals[1], "no shift this step: the same loss");
            } else {
                assertNotEquals(totals[0], totals[1], "a shift of (±2, ±2): the network saw other pixels");
            }
        }
        DisentanglerConfig cfg = DisentanglerConfig.tiny();
        assertEquals(1, cfg.toBuilder().augmentShift(-1).build().problems().size());
        assertEquals(
                1,
                cfg.toBuilder()
                        .augmentShift(DisentanglerConfig.MAX_AUGMENT_SHIFT + 1)
                        .build()
                        .problems()
                        .size());
    }

    @Test
    void findingSlotsAreGatedByTheirFindingsLabelsAndTheSharedCodeIsNot() {
        DisentanglerConfig cfg =
                DisentanglerConfig.tiny().toBuilder().pathDim(9).findingSlots(2).build();
        try (NDManager m = NDManager.newBaseManager()) {
            DisentanglerNet net = new DisentanglerNet(cfg, 3);
            assertTrue(net.hasFindingSlots());
            assertEquals(3, net.slotStart(), "9 - 2 x 3 shared dimensions");
            NDArray gate = net.slotGate(m.create(new float[] {1, 0, 0.5f, 0, 1, 0}, new Shape(2, 3)));
            assertArrayEquals(
                    new float[] {1, 1, 1, 1, 1, 0, 0, 0.5f, 0.5f, 1, 1, 1, 0, 0, 1, 1, 0, 0}, gate.toFloatArray());
            assertFalse(new DisentanglerNet(cfg, 0).hasFindingSlots(), "no labels, no slots");
            assertEquals(9, new DisentanglerNet(cfg.toBuilder().findingSlots(0).build(), 3).slotStart());
            IllegalArgumentException full =
                    assertThrows(IllegalArgumentException.class, () -> new DisentanglerNet(cfg, 5));
            assertTrue(full.getMessage().contains("leaves no shared dimension"), full.getMessage());
        }
        assertEquals(1, cfg.toBuilder().findingSlots(-1).build().problems().size());
        assertEquals(1, cfg.toBuilder().findingSlots(10).build().problems().size(), "more than pathDim");
        assertEquals(
                List.of("findingSlots: needs a vector z_path (pathGrid 0), pathGrid was 2"),
                cfg.toBuilder()
                        .pathDim(8)
                        .pathGrid(2)
                        .pathologyEncoder(true)
                        .findingSlots(1)
                        .build()
                        .problems());
    }

    @Test
    void codesForTheDiffusionModelKeepOnlyTheSlotsOfTheStudysOwnFindings() {
        DisentanglerConfig cfg =
                DisentanglerConfig.tiny().toBuilder().pathDim(9).findingSlots(2).build();
        List<Finding> vocabulary = List.of(Finding.MASS, Finding.EDEMA, Finding.NODULE);
        float[][] codes = {{1, 2, 3, 4, 5, 6, 7, 8, 9}, {1, 2, 3, 4, 5, 6, 7, 8, 9}};
        List<List<FindingMention>> findings = List.of(
                List.of(FindingMention.present(Finding.EDEMA, null, null, null)),
                List.of(
                        FindingMention.present(Finding.MASS, null, null, null),
                        FindingMention.present(Finding.NODULE, null, null, null)));
        try (DisentanglerModel model = DisentanglerModel.create(cfg, vocabulary, 64)) {
            float[][] gated = model.gateFindingSlots(codes, findings);
            assertArrayEquals(new float[] {1, 2, 3, 0, 0, 6, 7, 0, 0}, gated[0], "edema's slot only");
            assertArrayEquals(new float[] {1, 2, 3, 4, 5, 0, 0, 8, 9}, gated[1], "mass and nodule");
            assertEquals(9, codes[0][8], "the input is not changed");
            assertThrows(IllegalArgumentException.class, () -> model.gateFindingSlots(codes, findings.subList(0, 1)));
            // a counterfactual "source + mass" changes the mass slot only
            float[] own = model.keepFindingSlots(codes[0], List.of(Finding.EDEMA, Finding.MASS));
            assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6, 7, 0, 0}, own);
            float[] sampled = {-1, -2, -3, -4, -5, -6, -7, -8, -9};
            assertArrayEquals(
                    new float[] {1, 2, 3, -4, -5, 6, 7, 0, 0},
                    model.transplantFindingSlots(own, sampled, List.of(Finding.MASS)));
        }
        try (DisentanglerModel plain =
                DisentanglerModel.create(cfg.toBuilder().findingSlots(0).build(), vocabulary, 64)) {
            assertSame(codes, plain.gateFindingSlots(codes, findings), "no slots: the codes as they are");
            assertSame(codes[0], plain.keepFindingSlots(codes[0], List.of()));
            assertSame(codes[1], plain.transplantFindingSlots(codes[0], codes[1], List.of(Finding.MASS)), "the sample");
        }
    }

    @Test
    void anAbsentFindingsSlotIsHeldToANarrowPriorAndEveryOtherDimensionToTheStandardOne() {
        try (NDManager m = NDManager.newBaseManager()) {
            float s2 = DisentanglerTrainer.ABSENT_SLOT_SCALE * DisentanglerTrainer.ABSENT_SLOT_SCALE;
            NDArray mean = m.create(new float[] {0, 0, 0.5f, 0.5f}, new Shape(1, 4));
            NDArray logVar = m.create(new float[] {0, (float) Math.log(s2), 0, (float) Math.log(s2)}, new Shape(1, 4));
            float[] standard = DisentanglerTrainer.klToPrior(mean, logVar, null).toFloatArray();
            // 2 KL(N(mu, v) || N(0, p)) = (mu² + v) / p - 1 - ln(v / p)
            assertEquals(0, standard[0], 1e-6, "the standard prior itself");
            assertEquals(s2 - 1 - Math.log(s2), standard[1], 1e-5);
            assertEquals(0.25, standard[2], 1e-6);
            float[] absent = DisentanglerTrainer.klToPrior(mean, logVar, m.zeros(new Shape(1, 4)))
                    .toFloatArray();
            assertEquals(1 / s2 - 1 + Math.log(s2), absent[0], 1e-4);
            assertEquals(0, absent[1], 1e-5, "the narrow prior itself");
            assertEquals(0.25 / s2, absent[3], 1e-3, "a mean of 0.5 costs 100 times more where the finding is absent");
            float[] gated = DisentanglerTrainer.klToPrior(
                            mean, logVar, m.create(new float[] {1, 0, 1, 0}, new Shape(1, 4)))
                    .toFloatArray();
            assertArrayEquals(new float[] {standard[0], absent[1], standard[2], absent[3]}, gated, 1e-5f);
        }
    }

    @Test
    void withFindingSlotsALogVariancePastItsClipStillGetsAGradientBackAndTheValuesStayClipped() throws Exception {
        DisentanglerDataset data = TinyData.small();
        DisentanglerConfig slots = TinyData.tinyConfigWithSlots(data);
        for (DisentanglerConfig cfg :
                List.of(slots, slots.toBuilder().findingSlots(0).build())) {
            try (DisentanglerModel model = DisentanglerModel.create(cfg, data.vocabulary(), data.size());
                    NDManager m = NDManager.newBaseManager(Engines.PYTORCH)) {
                // the pathology head's last layer outputs 100 whatever its input: every raw log-variance lies far
                // above the clip
                ai.djl.nn.ParameterList head =
                        model.net().parameterGroups().get("pathologyHead").getParameters();
                Parameter weight = head.get(head.size() - 2).getValue();
                Parameter bias = head.get(head.size() - 1).getValue();
                assertTrue(
                        head.get(head.size() - 1).getKey().endsWith("bias"),
                        head.get(head.size() - 1).getKey());
                weight.getArray().set(new float[(int) weight.getArray().size()]);
                bias.getArray().set(m.full(bias.getArray().getShape(), 100f).toFloatArray());
                NDArray x = m.create(data.studies().get(0).pixels(), new Shape(1, 1, data.size(), data.size()));
                float[] logVar;
                try (GradientCollector gc = Engines.pytorch().newGradientCollector()) {
                    NDArray lv =
                            model.net().encode(model.parameterStore(), x, true).pathLogVar();
                    logVar = lv.toFloatArray();
                    gc.backward(lv.sum());
                }
                for (float v : logVar) {
                    assertEquals(6f, v, 1e-6f, "clipped at the upper bound");
                }
                double gradient = bias.getArray().getGradient().abs().sum().getFloat();
                if (cfg.findingSlots() > 0) {
                    assertTrue(gradient > 0, "the gradient of the unclipped value");
                } else {
                    assertEquals(0.0, gradient, "without slots the clip is as before: no gradient past it");
                }
            }
        }
    }

    @Test
    void gradientsReachEveryParameterGroupWithFindingSlots() throws Exception {
        gradientsReachEveryParameterGroup(TinyData.tinyConfigWithSlots(TinyData.small()));
    }

    @Test
    void withFindingLayersEachSlotAddsItsOwnDrawingToTheLogitsAndAZeroSlotAddsNothing() {
        DisentanglerDataset data = TinyData.small();
        DisentanglerConfig slots = TinyData.tinyConfigWithSlots(data);
        DisentanglerConfig layers = slots.toBuilder().findingLayers(true).build();
        assertTrue(layers.problems().isEmpty(), layers.problems().toString());
        // the identity: logit(D(a + b)) − logit(D(0)) = [logit(D(a)) − logit(D(0))] + [logit(D(b)) − logit(D(0))]
        // for codes a, b that differ from 0 in two different slots: the trunk ignores the slots, each adds its own
        assertTrue(slotNonAdditivity(layers, data) < 1e-4, "finding layers add up: " + slotNonAdditivity(layers, data));
        assertTrue(slotNonAdditivity(slots, data) > 1e-3, "through FiLM alone slots do not add up");
        assertEquals(
                List.of("findingLayers: draw each finding from its slot, and finding slots are off (findingSlots 0)"),
                DisentanglerConfig.tiny().toBuilder()
                        .findingLayers(true)
                        .build()
                        .problems());
    }

    /**
     * The largest |logit(D(a + b)) − logit(D(a)) − logit(D(b)) + logit(D(0))| over the pixels, a and b turning on the
     * first and last findings' slots of one shared code, and how much turning on one slot changes the logits at all
     * (which must be non-zero for the first number to mean anything).
     */
    private static double slotNonAdditivity(DisentanglerConfig cfg, DisentanglerDataset data) {
        try (DisentanglerModel model = DisentanglerModel.create(cfg, data.vocabulary(), data.size());
                NDManager m = NDManager.newBaseManager(Engines.PYTORCH)) {
            DisentanglerNet net = model.net();
            float[] pixels = data.studies().get(0).pixels();
            NDArray zId = net.encode(
                            model.parameterStore(), m.create(pixels, new Shape(1, 1, data.size(), data.size())), false)
                    .zId();
            int width = cfg.findingSlots();
            int last = net.slotStart() + (net.findingCount() - 1) * width;
            float[] none = new float[cfg.pathDim()];
            for (int i = 0; i < net.slotStart(); i++) {
                none[i] = (float) Math.sin(i + 1.0);
            }
            float[] a = none.clone();
            float[] b = none.clone();
            for (int i = 0; i < width; i++) {
                a[net.slotStart() + i] = 1.5f;
                b[last + i] = -1.2f;
            }
            float[] both = a.clone();
            System.arraycopy(b, last, both, last, width);
            float[][] logits = new float[4][];
            float[][] codes = {none, a, b, both};
            for (int c = 0; c < 4; c++) {
                NDArray p =
                        net.decode(model.parameterStore(), zId, m.create(codes[c], new Shape(1, cfg.pathDim())), false);
                logits[c] = p.div(p.neg().add(1f)).log().toFloatArray();
            }
            double worst = 0;
            double change = 0;
            for (int i = 0; i < logits[0].length; i++) {
                worst = Math.max(worst, Math.abs(logits[3][i] - logits[1][i] - logits[2][i] + logits[0][i]));
                change = Math.max(change, Math.abs(logits[1][i] - logits[0][i]));
            }
            assertTrue(change > 1e-3, "turning on a slot changes the image: " + change);
            return worst;
        }
    }

    @Test
    void gradientsReachEveryParameterGroupWithFindingLayers() throws Exception {
        gradientsReachEveryParameterGroup(TinyData.tinyConfigWithSlots(TinyData.small()).toBuilder()
                .findingLayers(true)
                .build());
    }

    @Test
    void aLentFindingIsDrawnOnTheStudyBesideItsOwnFindingsWhereTheLenderShowsIt() {
        DisentanglerDataset data = TinyData.small();
        DisentanglerDataset.Study a = null;
        DisentanglerDataset.Study b = null;
        Finding lent = null;
        search:
        for (DisentanglerDataset.Study x : data.studies()) {
            for (DisentanglerDataset.Study y : data.studies()) {
                for (FindingMention m : y.truthFindings()) {
                    if (x.patient() != y.patient()
                            && !x.truthFindings().isEmpty()
                            && x.truthFindings().stream().noneMatch(o -> o.finding() == m.finding())) {
                        a = x;
                        b = y;
                        lent = m.finding();
                        break search;
                    }
                }
            }
        }
        assertTrue(lent != null, "the tiny phantom has a study with findings and another with one it lacks");
        DisentanglerDataset.Counterfactual borrowed = data.lendFinding(a, b, lent);
        boolean[] own = data.counterfactual(a, a.truthFindings()).findingMask();
        boolean[] swapped = data.exactSwap(a, b).findingMask();
        float[] bare = data.counterfactual(a, List.of()).image().toFloat();
        float[] ownImage = data.counterfactual(a, a.truthFindings()).image().toFloat();
        float[] image = borrowed.image().toFloat();
        int lentPixels = 0;
        double change = 0;
        for (int i = 0; i < image.length; i++) {
            boolean inLent = borrowed.findingMask()[i] && !own[i];
            assertTrue(!own[i] || borrowed.findingMask()[i], "A's own findings stay, pixel " + i);
            assertTrue(!inLent || swapped[i], "the lent finding lies where the exact swap puts B's, pixel " + i);
            if (!borrowed.findingMask()[i]) {
                assertEquals(bare[i], image[i], 1e-6f, "outside the findings the anatomy is A's, pixel " + i);
            }
            if (inLent) {
                lentPixels++;
                change += Math.abs(image[i] - ownImage[i]);
            }
        }
        assertTrue(lentPixels > 0 && change / lentPixels > 0.01, "the lent finding is drawn: " + lentPixels + " px");
        DisentanglerDataset.Study anatomy = a;
        Finding absent = lent;
        IllegalArgumentException notShown =
                assertThrows(IllegalArgumentException.class, () -> data.lendFinding(anatomy, anatomy, absent));
        assertTrue(notShown.getMessage().contains("the lender shows"), notShown.getMessage());
    }

    @Test
    void aSlotSwapTakesExactlyTheLentFindingsSlotFromTheLender() {
        // path code of 9 = 3 shared + 3 slots of 2: finding 2's slot is [7, 9), finding 0's is [3, 5)
        DisentanglerConfig cfg =
                DisentanglerConfig.tiny().toBuilder().pathDim(9).findingSlots(2).build();
        try (NDManager m = NDManager.newBaseManager(Engines.PYTORCH)) {
            assertArrayEquals(
                    new float[] {0, 0, 0, 0, 0, 0, 0, 1, 1, 0, 0, 0, 1, 1, 0, 0, 0, 0},
                    new DisentanglerNet(cfg, 3)
                            .slotIndicator(m, new int[] {2, 0})
                            .toFloatArray());
        }
    }

    @Test
    void slotSwapsAddAPixelLossAgainstThePhantomsRenderAndAreSkippedWithoutGroundTruth() throws Exception {
        DisentanglerDataset data = TinyData.small();
        DisentanglerConfig cfg = TinyData.tinyConfigWithSlots(data).toBuilder()
                .slotSwaps(4)
                .slotSwapWeight(2.0)
                .findingMaskWeight(1.0)
                .build();
        assertTrue(cfg.problems().isEmpty(), cfg.problems().toString());
        DisentanglerTrainer.Losses l = firstBatchLosses(cfg, data);
        assertTrue(l.slotSwap() > 0 && Double.isFinite(l.slotSwap()), "slot swap loss " + l.slotSwap());
        assertEquals(0.0, l.exactSwap(), "exact swaps stay off");
        gradientsReachEveryParameterGroup(cfg);
        assertEquals(0.0, firstBatchLosses(cfg, withoutGroundTruth(data)).slotSwap(), "no phantom truth, no swaps");
        assertEquals(
                List.of("slotSwaps: swap finding slots, which are off (findingSlots 0)"),
                cfg.toBuilder().findingSlots(0).build().problems());
        assertEquals(1, cfg.toBuilder().slotSwaps(-1).build().problems().size());
        assertEquals(
                1,
                cfg.toBuilder()
                        .slotSwaps(cfg.batchSize() + 1)
                        .build()
                        .problems()
                        .size());
        assertEquals(1, cfg.toBuilder().slotSwapWeight(-1).build().problems().size());
    }

    @Test
    void theRenderedFindingTermReadsTheSlotSwapsRendersAndAddsExactlyItsWeightedLoss() throws Exception {
        DisentanglerDataset data = TinyData.small();
        DisentanglerConfig off = TinyData.tinyConfigWithSlots(data).toBuilder()
                .slotSwaps(4)
                .slotSwapWeight(2.0)
                .findingPositiveWeight(5)
                .build();
        DisentanglerConfig on = off.toBuilder().renderedFindingWeight(3.0).build();
        assertTrue(on.problems().isEmpty(), on.problems().toString());
        DisentanglerTrainer.Losses without = firstBatchLosses(off, data);
        DisentanglerTrainer.Losses with = firstBatchLosses(on, data);
        assertEquals(0.0, without.renderedFinding(), "off by default");
        assertTrue(
                with.renderedFinding() > 0 && Double.isFinite(with.renderedFinding()),
                "the renders' finding loss " + with.renderedFinding());
        // same seed, weights and batch: every other term is the same and the total grows by w × the term
        assertEquals(without.slotSwap(), with.slotSwap(), 1e-6);
        assertEquals(without.finding(), with.finding(), 1e-6);
        assertEquals(without.total() + 3.0 * with.renderedFinding(), with.total(), 1e-4);
        gradientsReachEveryParameterGroup(on);
        assertEquals(0.0, firstBatchLosses(on, withoutGroundTruth(data)).renderedFinding(), "no renders, no term");
        assertEquals(
                List.of("renderedFindingWeight: reads the slot swaps' renders, and slot swaps are off (slotSwaps 0)"),
                on.toBuilder().slotSwaps(0).build().problems());
        assertEquals(
                1, on.toBuilder().renderedFindingWeight(-1).build().problems().size());
    }

    @Test
    void theSlotChangeTermComparesEachSwapsChangeWithThePhantomsAndAddsExactlyItsWeightedLoss() throws Exception {
        DisentanglerDataset data = TinyData.small();
        DisentanglerConfig off = TinyData.tinyConfigWithSlots(data).toBuilder()
                .slotSwaps(4)
                .slotSwapWeight(2.0)
                .build();
        DisentanglerConfig on = off.toBuilder().slotChangeWeight(3.0).build();
        assertTrue(on.problems().isEmpty(), on.problems().toString());
        DisentanglerTrainer.Losses without = firstBatchLosses(off, data);
        DisentanglerTrainer.Losses with = firstBatchLosses(on, data);
        assertEquals(0.0, without.slotChange(), "off by default");
        assertTrue(with.slotChange() > 0 && Double.isFinite(with.slotChange()), "the change loss " + with.slotChange());
        // same seed, weights and batch: every other term is the same and the total grows by w × the term
        assertEquals(without.slotSwap(), with.slotSwap(), 1e-6);
        assertEquals(without.total() + 3.0 * with.slotChange(), with.total(), 1e-4);
        gradientsReachEveryParameterGroup(on);
        assertEquals(0.0, firstBatchLosses(on, withoutGroundTruth(data)).slotChange(), "no renders, no term");
        assertEquals(
                List.of("slotChangeWeight: compares the slot swaps' change with their renders', and slot swaps are off"
                        + " (slotSwaps 0)"),
                on.toBuilder().slotSwaps(0).build().problems());
        assertEquals(1, on.toBuilder().slotChangeWeight(-1).build().problems().size());
    }

    @Test
    void theRenderedIdentityTermHoldsTheRendersIdentityToTheAnatomysAndAddsExactlyItsWeightedLoss() throws Exception {
        DisentanglerDataset data = TinyData.small();
        DisentanglerConfig off = TinyData.tinyConfigWithSlots(data).toBuilder()
                .slotSwaps(4)
                .slotSwapWeight(2.0)
                .build();
        DisentanglerConfig on = off.toBuilder().renderedIdentityWeight(3.0).build();
        assertTrue(on.problems().isEmpty(), on.problems().toString());
        DisentanglerTrainer.Losses without = firstBatchLosses(off, data);
        DisentanglerTrainer.Losses with = firstBatchLosses(on, data);
        assertEquals(0.0, without.renderedIdentity(), "off by default");
        // a render differs from its anatomy study by the lent finding, so an untrained encoder moves z_id a little
        assertTrue(
                with.renderedIdentity() > 0 && with.renderedIdentity() < 1,
                "the renders' relative identity drift " + with.renderedIdentity());
        assertEquals(without.slotSwap(), with.slotSwap(), 1e-6);
        assertEquals(without.total() + 3.0 * with.renderedIdentity(), with.total(), 1e-4);
        gradientsReachEveryParameterGroup(on);
        assertEquals(0.0, firstBatchLosses(on, withoutGroundTruth(data)).renderedIdentity(), "no renders, no term");
        assertEquals(
                List.of("renderedIdentityWeight: holds the slot swaps' renders' identity codes, and slot swaps are off"
                        + " (slotSwaps 0)"),
                on.toBuilder().slotSwaps(0).build().problems());
        assertEquals(
                1, on.toBuilder().renderedIdentityWeight(-1).build().problems().size());
    }

    @Test
    void theRenderedIdentitySwapTermDecodesTheRendersIdentityWithTheStudysCodeAndAddsExactlyItsWeightedLoss()
            throws Exception {
        DisentanglerDataset data = TinyData.small();
        DisentanglerConfig off = TinyData.tinyConfigWithSlots(data).toBuilder()
                .slotSwaps(4)
                .slotSwapWeight(2.0)
                .build();
        DisentanglerConfig on = off.toBuilder().renderedIdentitySwapWeight(3.0).build();
        assertTrue(on.problems().isEmpty(), on.problems().toString());
        DisentanglerTrainer.Losses without = firstBatchLosses(off, data);
        DisentanglerTrainer.Losses with = firstBatchLosses(on, data);
        assertEquals(0.0, without.renderedIdentitySwap(), "off by default");
        assertTrue(
                with.renderedIdentitySwap() > 0 && Double.isFinite(with.renderedIdentitySwap()),
                "the render identity's drawing " + with.renderedIdentitySwap());
        assertEquals(without.slotSwap(), with.slotSwap(), 1e-6);
        assertEquals(without.total() + 3.0 * with.renderedIdentitySwap(), with.total(), 1e-4);
        gradientsReachEveryParameterGroup(on);
        assertEquals(0.0, firstBatchLosses(on, withoutGroundTruth(data)).renderedIdentitySwap(), "no renders, no term");
        assertEquals(
                List.of("renderedIdentitySwapWeight: decodes the slot swaps' renders' identity codes, and slot swaps"
                        + " are off (slotSwaps 0)"),
                on.toBuilder().slotSwaps(0).build().problems());
        assertEquals(
                1,
                on.toBuilder().renderedIdentitySwapWeight(-1).build().problems().size());
    }

    @Test
    void thePhantomsChangeOfALentFindingIsVisibleWhereItLandsAndNowhereElse() {
        DisentanglerDataset data = TinyData.small();
        List<DisentanglerDataset.Study> studies = data.studies();
        DisentanglerDataset.Study lender = studies.stream()
                .filter(s -> !s.truthFindings().isEmpty())
                .findFirst()
                .orElseThrow();
        Finding finding = lender.truthFindings().get(0).finding();
        DisentanglerDataset.Study anatomy = studies.stream()
                .filter(s -> s.patient() != lender.patient()
                        && s.truthFindings().stream().noneMatch(m -> m.finding() == finding))
                .findFirst()
                .orElseThrow();
        DisentanglerDataset.Counterfactual truth = data.lendFinding(anatomy, lender, finding);
        float[] lent = truth.image().toFloat();
        float[] own =
                data.counterfactual(anatomy, anatomy.truthFindings()).image().toFloat();
        float[] change = new float[lent.length];
        for (int i = 0; i < lent.length; i++) {
            change[i] = lent[i] - own[i];
        }
        float[] changed = DisentanglerTrainer.changedPixels(change);
        int size = data.size();
        boolean[] findings = truth.findingMask();
        int count = 0;
        for (int i = 0; i < changed.length; i++) {
            if (changed[i] > 0) {
                count++;
                assertTrue(
                        nearMask(findings, size, i % size, i / size, 4),
                        finding + " changes pixel " + i + " far from every finding");
            }
        }
        assertTrue(count > 0, finding + " changes no pixel above the threshold");
    }

    /** Whether a mask pixel lies within {@code r} pixels (both axes) of (x, y). */
    private static boolean nearMask(boolean[] mask, int size, int x, int y, int r) {
        for (int v = Math.max(0, y - r); v <= Math.min(size - 1, y + r); v++) {
            for (int u = Math.max(0, x - r); u <= Math.min(size - 1, x + r); u++) {
                if (mask[v * size + u]) {
                    return true;
                }
            }
        }
        return false;
    }

    @Test
    void aPathologyMapNeedsAPowerOfTwoGridThatDividesTheCodeAndItsOwnEncoder() {
        assertTrue(tinyMap().problems().isEmpty(), tinyMap().problems().toString());
        assertEquals(
                1,
                tinyMap().toBuilder().pathGrid(6).pathDim(72).build().problems().size());
        assertEquals(1, tinyMap().toBuilder().pathDim(100).build().problems().size());
        assertEquals(
                1,
                tinyMap().toBuilder().pathologyEncoder(false).build().problems().size());
    }

    @Test
    void resizingAMapCopiesEachCellIntoItsBlockAndPoolsBlocksBack() {
        try (NDManager m = NDManager.newBaseManager(Engines.PYTORCH)) {
            NDArray map = m.randomUniform(-1f, 1f, new Shape(2, 3, 4, 4));
            NDArray up = FilmDecoder.resize(map, 16);
            assertEquals(new Shape(2, 3, 16, 16), up.getShape());
            float[] cells = map.toFloatArray();
            float[] pixels = up.toFloatArray();
            for (int plane = 0; plane < 6; plane++) {
                for (int y = 0; y < 16; y++) {
                    for (int x = 0; x < 16; x++) {
                        assertEquals(cells[plane * 16 + (y / 4) * 4 + x / 4], pixels[plane * 256 + y * 16 + x], 0f);
                    }
                }
            }
            assertArrayEquals(cells, FilmDecoder.resize(up, 4).toFloatArray(), 1e-6f);
        }
    }

    @Test
    void aPathologyMapCellChangesTheDecodedImageMostWhereThatCellLies() {
        // the position-dependent modulation alone (the channel-wise FiLM is given the same vector twice): a
        // change of one cell of the map must change the image near that cell's block, not across the image
        DisentanglerConfig cfg = tinyMap();
        int size = 64;
        try (DisentanglerModel model = DisentanglerModel.create(cfg, List.of(Finding.EDEMA, Finding.MASS), size)) {
            float[] image = new float[size * size];
            for (int i = 0; i < image.length; i++) {
                image[i] = (i % 7) / 7f;
            }
            DisentanglerModel.Encoding e = model.encode(List.of(image));
            float[] base = e.pathMean()[0];
            int channels = cfg.pathDim() / 64;
            // cell (row 1, column 6), channel 0: the block of rows 8..15 and columns 48..55
            float[] changed = base.clone();
            changed[1 * 8 + 6] += 3f;
            float[] a = decodeSpatialOnly(model, e.identity()[0], base, base);
            float[] b = decodeSpatialOnly(model, e.identity()[0], changed, base);
            double near = 0;
            double far = 0;
            int nearCount = 0;
            int farCount = 0;
            for (int y = 0; y < size; y++) {
                for (int x = 0; x < size; x++) {
                    double d = Math.abs(a[y * size + x] - b[y * size + x]);
                    boolean inBlock = y >= 4 && y < 20 && x >= 44 && x < 60;
                    boolean distant = y >= 32 || x < 24;
                    if (inBlock) {
                        near += d;
                        nearCount++;
                    } else if (distant) {
                        far += d;
                        farCount++;
                    }
                }
            }
            assertTrue(channels >= 1);
            assertTrue(near / nearCount > 0, "the cell changes its block");
            assertEquals(0.0, far / farCount, 1e-6, "pixels far from the cell do not change");
        }
    }

    /** D(z_id, ·) with the map read from {@code mapCode} and the channel-wise FiLM from {@code filmCode}. */
    private static float[] decodeSpatialOnly(
            DisentanglerModel model, float[] identity, float[] mapCode, float[] filmCode) {
        int[] idShape = model.identityShape();
        try (NDManager m = model.manager().newSubManager()) {
            NDArray zId = m.create(identity, new Shape(1, idShape[0], idShape[1], idShape[2]));
            NDArray map = m.create(mapCode, new Shape(1, mapCode.length));
            NDArray film = m.create(filmCode, new Shape(1, filmCode.length));
            return model.net()
                    .decodeWithMap(model.parameterStore(), zId, film, map, false)
                    .toFloatArray();
        }
    }

    @Test
    void aModelFileWrittenBeforeTheCycleFieldsLoadsWithThemOff() throws Exception {
        com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
        var fields = json.convertValue(
                DisentanglerConfig.quick()
                        .withCycle(8, 1, 1)
                        .withSpatialProbe(true)
                        .withPathologyEncoder(true),
                new com.fasterxml.jackson.core.type.TypeReference<java.util.Map<String, Object>>() {});
        for (String f : List.of(
                "cycleSwaps",
                "cycleWeight",
                "cycleIdentityWeight",
                "spatialProbe",
                "pathologyEncoder",
                "learningRateSchedule",
                "pathGrid",
                "findingPositiveWeight",
                "identityPairsByFinding",
                "findingBalancedShare",
                "findingMaskWeight",
                "decoderMapGrid",
                "exactSwaps",
                "exactSwapWeight",
                "augmentShift",
                "findingSlots",
                "slotSwaps",
                "slotSwapWeight")) {
            fields.remove(f);
        }
        DisentanglerConfig old = json.readValue(json.writeValueAsString(fields), DisentanglerConfig.class);
        assertEquals(0, old.cycleSwaps());
        assertEquals(0.0, old.cycleWeight());
        assertEquals(false, old.spatialProbe());
        assertEquals(false, old.pathologyEncoder());
        assertEquals(0, old.pathGrid(), "a vector z_path");
        assertEquals(0.0, old.findingPositiveWeight(), "an unweighted finding BCE");
        assertEquals(false, old.identityPairsByFinding(), "identity anchors uniform over studies");
        assertEquals(0.0, old.findingMaskWeight(), "no mask term");
        assertEquals(0.0, old.findingBalancedShare(), "no balanced slots");
        assertEquals(0, old.decoderMapGrid(), "channel-wise modulation only");
        assertEquals(0, old.exactSwaps(), "no exact swaps");
        assertEquals(0, old.augmentShift(), "no batch shift");
        assertEquals(0, old.findingSlots(), "no finding slots");
        assertEquals(0, old.slotSwaps(), "no slot swaps");
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
        assertEquals(
                List.of("learningRateSchedule: must be one of [constant, cosine], was linear"),
                cosine.withLearningRateSchedule("linear").problems());
    }

    /**
     * Regression: the blob geometry of the finding layers and the absent slot's narrow prior multiplied and divided
     * by DJL's number overloads, whose scalar is freed while autograd still holds it; once the garbage collector ran,
     * backward read freed memory (inf, NaN or 1e18 gradients in the pathology encoder in one harness step of a few
     * hundred). A step's gradients must not depend on when the collector runs.
     */
    @Test
    void aStepsGradientsWithFindingLayersAreExactUnderGarbageCollectionPressure() throws Exception {
        DisentanglerDataset data = TinyData.small();
        DisentanglerConfig cfg = TinyData.tinyConfigWithSlots(data).toBuilder()
                .findingLayers(true)
                .build();
        List<float[]> quiet = firstStepGradients(cfg, data);
        try (GarbageCollectionPressure pressure = GarbageCollectionPressure.start()) {
            for (int i = 0; i < 3; i++) {
                List<float[]> pressured = firstStepGradients(cfg, data);
                for (int p = 0; p < quiet.size(); p++) {
                    assertArrayEquals(quiet.get(p), pressured.get(p), 0f, "repeat " + i + ", parameter " + p);
                }
            }
        }
    }

    /** Every weight's gradient after a fresh model's first batch, in the parameter order. */
    private List<float[]> firstStepGradients(DisentanglerConfig cfg, DisentanglerDataset data) throws Exception {
        try (DisentanglerModel model = DisentanglerModel.create(cfg, data.vocabulary(), data.size());
                DisentanglerTrainer trainer =
                        new DisentanglerTrainer(model, data, RecordingStageContext.under(dir, 1), "main", 0, "")) {
            trainer.accumulateGradients(trainer.sampler().next());
            return model.parameters().stream()
                    .map(p -> p.getValue().getArray().getGradient().toFloatArray())
                    .toList();
        }
    }

    /** The losses of a fresh model's first batch. */
    private DisentanglerTrainer.Losses firstBatchLosses(DisentanglerConfig cfg, DisentanglerDataset data)
            throws Exception {
        try (DisentanglerModel model = DisentanglerModel.create(cfg, data.vocabulary(), data.size());
                DisentanglerTrainer trainer =
                        new DisentanglerTrainer(model, data, RecordingStageContext.under(dir, 1), "main", 0, "")) {
            return trainer.accumulateGradients(trainer.sampler().next());
        }
    }

    /** The same studies as real data: labels and pixels, no phantom ground truth. */
    private static DisentanglerDataset withoutGroundTruth(DisentanglerDataset data) {
        return new DisentanglerDataset(
                data.size(),
                data.size(),
                data.studies().stream()
                        .map(s -> new DisentanglerDataset.Study(
                                s.studyId(), s.patient(), s.split(), s.pixels(), s.findings(), null, null, null))
                        .toList());
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
                int livePerFinding = 0;
                for (Pair<String, Parameter> p : group.getValue().getParameters()) {
                    double g = p.getValue().getArray().getGradient().abs().sum().getFloat();
                    norm += g;
                    // a finding's own layer learns only from batches that show it (its slot is 0 elsewhere)
                    boolean perFinding = group.getKey().equals("findingLayers")
                            && p.getKey().matches("\\d+(hidden|map|blobGeometry|blobAmplitude)\\d+_(weight|bias)");
                    if (perFinding && g > 0) {
                        livePerFinding++;
                    } else if (!(g > 0) && !perFinding) {
                        dead.add(p.getKey());
                    }
                }
                assertTrue(norm > 0, group.getKey() + " gets no gradient");
                assertTrue(
                        !group.getKey().equals("findingLayers") || livePerFinding >= 2,
                        "the layers of the batch's findings learn");
                // every weight of the group moves; biases of a layer feeding a leaky ReLU always do too
                assertTrue(dead.isEmpty(), group.getKey() + ": no gradient for " + dead);
            }
        }
    }

    @Test
    void shapesFor64And256Pixels() {
        for (int size : new int[] {64, 256}) {
            for (DisentanglerConfig cfg : List.of(
                    DisentanglerConfig.tiny(),
                    DisentanglerConfig.tiny().withPathologyEncoder(true).withSpatialProbe(true),
                    tinyMap())) {
                try (DisentanglerModel model =
                        DisentanglerModel.create(cfg, List.of(Finding.EDEMA, Finding.MASS), size)) {
                    float[] a = new float[size * size];
                    float[] b = new float[size * size];
                    java.util.Arrays.fill(b, 0.5f);
                    DisentanglerModel.Encoding e = model.encode(List.of(a, b));
                    int grid = size / 4;
                    assertArrayEquals(new int[] {cfg.idChannels(), grid, grid}, model.identityShape());
                    assertEquals(cfg.idChannels() * grid * grid, e.identity()[0].length);
                    assertEquals(cfg.pathDim(), e.pathMean()[1].length);
                    assertEquals(cfg.pathDim(), e.pathLogVar()[1].length);
                    assertEquals(cfg.idChannels(), e.pooledIdentity()[0].length);
                    var images = model.decode(e.identity(), new float[][] {e.pathMean()[1], e.pathMean()[0]});
                    assertEquals(2, images.size());
                    assertEquals(size, images.get(0).width());
                    assertEquals(size, images.get(0).height());
                    try (NDManager m = model.manager().newSubManager()) {
                        NDArray out = model.net()
                                .forward(
                                        model.parameterStore(),
                                        new ai.djl.ndarray.NDList(m.zeros(new Shape(2, 1, size, size))),
                                        false)
                                .head();
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
        List<float[]> images =
                List.of(data.studies().get(0).pixels(), data.studies().get(1).pixels());
        DisentanglerModel.Encoding before;
        try (DisentanglerModel model =
                DisentanglerModel.create(DisentanglerConfig.tiny().withSeed(99), data.vocabulary(), data.size())) {
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
