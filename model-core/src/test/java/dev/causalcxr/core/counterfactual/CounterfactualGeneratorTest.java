package dev.causalcxr.core.counterfactual;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.causalcxr.core.dataset.Split;
import dev.causalcxr.core.diffusion.Condition;
import dev.causalcxr.core.diffusion.SamplerConfig;
import dev.causalcxr.core.diffusion.tailnoise.NoisePrior;
import dev.causalcxr.core.disentangle.DisentanglerDataset;
import dev.causalcxr.core.disentangle.DisentanglerModel;
import dev.causalcxr.core.findings.Finding;
import dev.causalcxr.core.findings.FindingMention;
import dev.causalcxr.core.findings.Laterality;
import dev.causalcxr.core.findings.Severity;
import dev.causalcxr.core.imaging.GrayImage;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class CounterfactualGeneratorTest {

    static TinyModels tiny;
    static CounterfactualGenerator gen;
    static DisentanglerDataset.Study study;
    static GrayImage source;
    static final SamplerConfig SAMPLER = new SamplerConfig(10, 0f, 2f);

    @BeforeAll
    static void open() throws Exception {
        tiny = TinyModels.get();
        gen = tiny.open(true);
        int[] test = tiny.data.indices(Split.TEST);
        study = tiny.data.studies().get(test[0]);
        source = GrayImage.fromUnit(64, 64, study.pixels());
    }

    @AfterAll
    static void close() {
        if (gen != null) {
            gen.close();
        }
    }

    @Test
    void theSameSeedGivesTheSameImagesAndAnotherSeedOthers() {
        Condition c = Condition.of(Finding.CARDIOMEGALY);
        List<GrayImage> a = gen.generate(source, c, 3, 42, SAMPLER);
        List<GrayImage> b = gen.generate(source, c, 3, 42, SAMPLER);
        List<GrayImage> other = gen.generate(source, c, 3, 43, SAMPLER);
        assertEquals(3, a.size());
        assertEquals(a, b);
        assertNotEquals(a, other);
        assertEquals(64, a.get(0).width());
    }

    @Test
    void aBatchOfRequestsGivesEachTheImagesItGetsAlone() {
        GrayImage other = GrayImage.fromUnit(
                64,
                64,
                tiny.data.studies().get(tiny.data.indices(Split.TEST)[1]).pixels());
        List<CounterfactualGenerator.Request> requests = List.of(
                new CounterfactualGenerator.Request(
                        source, gen.parse("moderate right pleural effusion"), 4, 7, SAMPLER),
                new CounterfactualGenerator.Request(other, Condition.of(TinyModels.TAIL), 3, 8, SAMPLER),
                new CounterfactualGenerator.Request(
                        source, Condition.of(Finding.CARDIOMEGALY), 1, 9, new SamplerConfig(10, 0f, 1f)),
                new CounterfactualGenerator.Request(other, gen.parse("no finding"), 2, 7, SAMPLER));
        List<CounterfactualGenerator.Generation> batched = gen.generateBatch(requests);
        for (int i = 0; i < requests.size(); i++) {
            CounterfactualGenerator.Request r = requests.get(i);
            CounterfactualGenerator.Generation alone =
                    gen.generateDetailed(r.source(), r.condition(), r.n(), r.seed(), r.sampler());
            assertEquals(alone.images(), batched.get(i).images(), "request " + i);
            assertEquals(alone.condition(), batched.get(i).condition());
            assertEquals(alone.prior(), batched.get(i).prior());
        }
        assertEquals(
                TinyModels.TAIL, batched.get(1).prior(), "the tail request started from its prior in the batch too");
        assertThrows(
                IllegalArgumentException.class,
                () -> gen.generateBatch(List.of(
                        requests.get(0),
                        new CounterfactualGenerator.Request(
                                source, Condition.of(Finding.CARDIOMEGALY), 1, 1, new SamplerConfig(5, 0f, 2f)))),
                "a batch shares its steps");
    }

    @Test
    void aResidualCounterfactualWithTheSourcesOwnCodeIsTheSourceAndADecodedOneItsReconstruction() {
        float[][] own = gen.disentangler().encode(List.of(source.toFloat())).pathMean();
        assertEquals(Composition.RESIDUAL, gen.composition(), "the default");
        assertEquals(List.of(source), gen.withPathology(source, own), "nothing changed: the source's own pixels");
        CounterfactualGenerator decoded = gen.withComposition(Composition.DECODED);
        GrayImage reconstruction = decoded.withPathology(source, own).get(0);
        assertNotEquals(source, reconstruction, "the decoder does not reproduce the source");
        assertEquals(
                reconstruction,
                gen.decode(gen.identities(List.of(source))[0], own).get(0));
    }

    /**
     * With finding slots a counterfactual moves only its condition's slots. Re-composing given codes for a condition
     * (what the reversibility metric and the code oracle do) must compose the same way, not decode the codes whole
     * over the source's ungated code: that took reversibility SSIM to 0.06–0.16 on finding-layer models.
     */
    @Test
    void composingGivenCodesForAConditionMovesOnlyItsSlotsAsAGeneratedCounterfactualDoes() throws Exception {
        TinyModels slots = TinyModels.withFindingSlots();
        try (CounterfactualGenerator slotted = slots.open(false)) {
            GrayImage image = GrayImage.fromUnit(
                    64,
                    64,
                    slots.data.studies().get(slots.data.indices(Split.TEST)[0]).pixels());
            Condition c = slotted.resolve(Condition.of(Finding.CARDIOMEGALY));
            CounterfactualGenerator.Generation g = slotted.generateDetailed(image, c, 2, 5, SAMPLER);
            assertEquals(g.images(), slotted.withPathology(image, g.codes(), c));
            DisentanglerModel.Encoding own = slotted.disentangler().encode(List.of(image.toFloat()));
            assertEquals(
                    g.images(),
                    slotted.withPathology(image, own.identity()[0], own.pathMean()[0], g.codes(), c),
                    "from an encoding already at hand");
            assertNotEquals(g.images(), slotted.withPathology(image, g.codes()), "the whole codes decode otherwise");
        }
    }

    @Test
    void aResidualCounterfactualIsTheSourcePlusWhatTheNewCodeChangesInTheDecodersImage() {
        Condition c = Condition.of(Finding.CARDIOMEGALY);
        CounterfactualGenerator decoded = gen.withComposition(Composition.DECODED);
        GrayImage residual = gen.generate(source, c, 1, 3, SAMPLER).get(0);
        GrayImage plain = decoded.generate(source, c, 1, 3, SAMPLER).get(0);
        float[] own = gen.disentangler().encode(List.of(source.toFloat())).pathMean()[0];
        float[] reconstruction =
                decoded.withPathology(source, new float[][] {own}).get(0).toFloat();
        float[] src = source.toFloat();
        float[] expected = plain.toFloat();
        for (int p = 0; p < expected.length; p++) {
            expected[p] = src[p] + expected[p] - reconstruction[p];
        }
        assertEquals(GrayImage.fromUnit(64, 64, expected), residual);
        assertNotEquals(plain, residual);
    }

    @Test
    void aLocalizedCounterfactualAddsTheChangeOnlyWhereItsMaskKeepsIt() {
        Condition c = Condition.of(Finding.CARDIOMEGALY);
        CounterfactualGenerator decoded = gen.withComposition(Composition.DECODED);
        CounterfactualGenerator localized = gen.withComposition(Composition.LOCALIZED, 0.9);
        assertEquals(0.9, localized.localizeThreshold());
        GrayImage plain = decoded.generate(source, c, 1, 3, SAMPLER).get(0);
        GrayImage local = localized.generate(source, c, 1, 3, SAMPLER).get(0);
        float[] own = gen.disentangler().encode(List.of(source.toFloat())).pathMean()[0];
        float[] reconstruction =
                decoded.withPathology(source, new float[][] {own}).get(0).toFloat();
        float[] src = source.toFloat();
        float[] delta = plain.toFloat();
        for (int p = 0; p < delta.length; p++) {
            delta[p] -= reconstruction[p];
        }
        float[] mask = ChangeMask.weights(delta, 64, 64, 0.9);
        float[] expected = new float[delta.length];
        int reduced = 0;
        for (int p = 0; p < delta.length; p++) {
            expected[p] = src[p] + mask[p] * delta[p];
            reduced += mask[p] < 1 ? 1 : 0;
        }
        assertEquals(GrayImage.fromUnit(64, 64, expected), local);
        assertTrue(reduced > 0, "some of the change is left out");
        assertNotEquals(gen.generate(source, c, 1, 3, SAMPLER).get(0), local, "and the residual one keeps it");
        float[] sourceOwn = gen.disentangler().encode(List.of(source.toFloat())).pathMean()[0];
        assertEquals(
                List.of(source),
                localized.withPathology(source, new float[][] {sourceOwn}),
                "no change: the source's own pixels");
    }

    @Test
    void samplesOfOneConditionDiffer() {
        List<GrayImage> a = gen.generate(source, Condition.of(Finding.PLEURAL_EFFUSION), 4, 5, SAMPLER);
        assertTrue(CounterfactualMetrics.diversity(a) > 0, "diversity");
    }

    @Test
    void guidanceMakesTheConditionMatter() {
        Condition effusion = Condition.of(Finding.PLEURAL_EFFUSION);
        Condition cardio = Condition.of(Finding.CARDIOMEGALY);
        float[][] a = gen.sampleCodes(effusion, 4, 9, SAMPLER);
        float[][] b = gen.sampleCodes(cardio, 4, 9, SAMPLER);
        assertFalse(Arrays.deepEquals(a, b), "different conditions, same seed, g = 2: different codes");
        assertNotEquals(gen.generate(source, effusion, 2, 9, SAMPLER), gen.generate(source, cardio, 2, 9, SAMPLER));
        // g = 0 is unconditional: the condition no longer matters
        SamplerConfig unguided = SAMPLER.withGuidance(0f);
        assertTrue(
                Arrays.deepEquals(gen.sampleCodes(effusion, 4, 9, unguided), gen.sampleCodes(cardio, 4, 9, unguided)));
    }

    @Test
    void freeTextRequestsParse() {
        Condition c = gen.parse("moderate right pleural effusion");
        assertEquals(List.of(Finding.PLEURAL_EFFUSION), c.findings());
        FindingMention m = c.present().get(0);
        assertEquals(Severity.MODERATE, m.severity());
        assertEquals(Laterality.RIGHT, m.laterality());
        assertEquals(
                2,
                gen.generate(source, "moderate right pleural effusion", 2, 1, SAMPLER)
                        .size());

        // "no effusion" alone: nothing present, sampled as the empty (no finding) condition
        Condition none = gen.parse("no effusion");
        assertTrue(none.findings().isEmpty());
        assertFalse(none.isNull());

        // on a study with findings, "no effusion" removes only the effusion
        List<FindingMention> src = List.of(
                FindingMention.present(Finding.PLEURAL_EFFUSION, null, null, null),
                FindingMention.present(Finding.CARDIOMEGALY, null, null, null));
        assertEquals(
                List.of(Finding.CARDIOMEGALY), gen.intervene(src, "no effusion").findings());
        assertEquals(
                List.of(Finding.CARDIOMEGALY, Finding.PLEURAL_EFFUSION),
                gen.intervene(List.of(src.get(1)), "small left pleural effusion")
                        .findings());
        assertEquals(1, gen.generate(source, src, "no effusion", 1, 1, SAMPLER).size());
    }

    @Test
    void badRequestsAreExplained() {
        IllegalArgumentException unknown = assertThrows(
                IllegalArgumentException.class, () -> gen.generate(source, "displaced rib fracture", 2, 1, SAMPLER));
        assertTrue(unknown.getMessage().contains("Fracture"), unknown.getMessage());
        assertTrue(unknown.getMessage().contains("Pleural Effusion"), "lists what exists: " + unknown.getMessage());

        IllegalArgumentException gibberish = assertThrows(
                IllegalArgumentException.class, () -> gen.generate(source, "the weather is nice", 2, 1, SAMPLER));
        assertTrue(gibberish.getMessage().contains("no finding recognized"), gibberish.getMessage());
        assertTrue(gibberish.getMessage().contains("Cardiomegaly"), gibberish.getMessage());

        IllegalArgumentException size = assertThrows(
                IllegalArgumentException.class,
                () -> gen.generate(
                        GrayImage.fromUnit(32, 32, new float[32 * 32]),
                        Condition.of(Finding.CARDIOMEGALY),
                        2,
                        1,
                        SAMPLER));
        assertTrue(size.getMessage().contains("32x32") && size.getMessage().contains("64x64"), size.getMessage());

        IllegalArgumentException zero = assertThrows(
                IllegalArgumentException.class,
                () -> gen.generate(source, Condition.of(Finding.CARDIOMEGALY), 0, 1, SAMPLER));
        assertTrue(zero.getMessage().contains("at least 1"), zero.getMessage());
    }

    @Test
    void aTailConditionStartsFromItsPriorAndThePlainGeneratorDoesNot() {
        Condition tail = Condition.of(TinyModels.TAIL);
        CounterfactualGenerator.Generation tuned = gen.generateDetailed(source, tail, 3, 8, SAMPLER);
        CounterfactualGenerator.Generation plain = gen.withoutPriors().generateDetailed(source, tail, 3, 8, SAMPLER);
        assertEquals(TinyModels.TAIL, tuned.prior());
        assertNull(plain.prior());
        assertNotEquals(tuned.images(), plain.images());
        // a head condition has no prior either way
        assertFalse(gen.generateDetailed(source, Condition.of(Finding.CARDIOMEGALY), 1, 8, SAMPLER)
                .usedPrior());
        assertTrue(gen.findingScorer().findings().contains(Finding.PLEURAL_EFFUSION));
    }

    @Test
    void aRequestStartsFromThePriorOfTheFindingItAddsNotTheRarestOfItsSource() throws Exception {
        NoisePrior tailPrior = tiny.priors.get(TinyModels.TAIL);
        Map<Finding, NoisePrior> two = Map.of(
                TinyModels.TAIL,
                tailPrior,
                Finding.CARDIOMEGALY,
                NoisePrior.standard(Finding.CARDIOMEGALY, tailPrior.dim()));
        // a source with the tail finding asked for cardiomegaly, and one with cardiomegaly asked for the tail finding
        Condition both = Condition.of(List.of(
                FindingMention.present(TinyModels.TAIL, null, null, null),
                FindingMention.present(Finding.CARDIOMEGALY, null, null, null)));
        try (CounterfactualGenerator withHeadPrior =
                CounterfactualGenerator.open(tiny.disentanglerFile, tiny.diffusionFile, two)) {
            assertEquals(Finding.CARDIOMEGALY, withHeadPrior.priorFor(both, Finding.CARDIOMEGALY));
            assertEquals(TinyModels.TAIL, withHeadPrior.priorFor(both, TinyModels.TAIL));
            // a target without a prior, or none: the rarest prior of the condition, as before
            assertEquals(withHeadPrior.priorFor(both), withHeadPrior.priorFor(both, Finding.EDEMA));
            assertEquals(withHeadPrior.priorFor(both), withHeadPrior.priorFor(both, null));
            assertEquals(
                    Finding.CARDIOMEGALY,
                    withHeadPrior
                            .generateDetailed(source, both, Finding.CARDIOMEGALY, 1, 8, SAMPLER)
                            .prior());
        }
    }
}
