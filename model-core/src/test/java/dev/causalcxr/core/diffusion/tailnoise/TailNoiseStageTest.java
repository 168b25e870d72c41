package dev.causalcxr.core.diffusion.tailnoise;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.causalcxr.core.dataset.Split;
import dev.causalcxr.core.disentangle.EncodedCodes;
import dev.causalcxr.core.findings.Finding;
import dev.causalcxr.core.findings.FindingMention;
import dev.causalcxr.core.findings.Laterality;
import dev.causalcxr.core.findings.Severity;
import dev.causalcxr.core.findings.Zone;
import dev.causalcxr.core.stage.RecordingStageContext;
import dev.causalcxr.core.stage.StageInputException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TailNoiseStageTest {

    /** 100 training codes: effusion in 40, pneumothorax in 6, No Finding in the rest; 5 test codes. */
    private static EncodedCodes codes() {
        List<EncodedCodes.Entry> entries = new ArrayList<>();
        for (int i = 0; i < 105; i++) {
            List<FindingMention> findings = new ArrayList<>();
            if (i < 40) {
                findings.add(
                        FindingMention.present(Finding.PLEURAL_EFFUSION, Severity.MILD, Laterality.LEFT, Zone.LOWER));
            }
            if (i < 6) {
                findings.add(
                        FindingMention.present(Finding.PNEUMOTHORAX, Severity.SEVERE, Laterality.RIGHT, Zone.UPPER));
            }
            entries.add(new EncodedCodes.Entry(
                    "s" + i,
                    i < 100 ? Split.TRAIN : Split.TEST,
                    new float[] {i, 0},
                    new float[2],
                    new float[1],
                    findings));
        }
        return new EncodedCodes(2, 1, entries);
    }

    @Test
    void tailClassesFollowTheSpecsThresholdOverTheTrainingCodesAndNeverIncludeNoFinding() {
        assertEquals(List.of(), TailNoiseStage.tailClasses(codes(), 0.05));
        assertEquals(List.of(Finding.PNEUMOTHORAX), TailNoiseStage.tailClasses(codes(), 0.08));
        assertTrue(!TailNoiseStage.tailClasses(codes(), 0.9).contains(Finding.NO_FINDING));
        EncodedCodes testOnly = new EncodedCodes(2, 1, codes().split(Split.TEST));
        assertThrows(StageInputException.class, () -> TailNoiseStage.tailClasses(testOnly, 0.05));
    }

    @Test
    void withoutTailClassesTheJoinPublishesAnEmptyTableAndNeedsNoModels(@TempDir Path dir) throws Exception {
        RecordingStageContext ctx = new RecordingStageContext(dir, 3);
        TailNoiseStage.join(TailNoiseStageConfig.quick(), codes(), List.of(), Map.of(), null, null, ctx);
        assertEquals(0.0, ctx.summary().get("tail_classes"));
        String table = Files.readString(ctx.outputs().get(TailNoiseStage.OUTPUT_TAIL_CLASSES));
        assertTrue(table.contains("\"classes\" : [ ]"), table);
    }

    @Test
    void aTailClassWithoutItsPriorOrWithAnotherClasssPriorIsAnInputError(@TempDir Path dir) {
        RecordingStageContext ctx = new RecordingStageContext(dir, 3);
        assertThrows(
                StageInputException.class,
                () -> TailNoiseStage.join(
                        TailNoiseStageConfig.quick(),
                        codes(),
                        List.of(Finding.PNEUMOTHORAX),
                        Map.of(),
                        null,
                        null,
                        ctx));
        Path fracture = dir.resolve("fracture.prior");
        NoisePrior.standard(Finding.FRACTURE, 2).save(fracture, Map.of());
        assertThrows(
                StageInputException.class,
                () -> TailNoiseStage.join(
                        TailNoiseStageConfig.quick(),
                        codes(),
                        List.of(Finding.PNEUMOTHORAX),
                        Map.of(Finding.PNEUMOTHORAX, fracture),
                        null,
                        null,
                        ctx));
    }

    private static TailNoiseStageConfig config(double tailFrequency, String priorClasses) {
        TailNoiseStageConfig q = TailNoiseStageConfig.quick();
        return new TailNoiseStageConfig(
                tailFrequency,
                q.ddimSteps(),
                q.guidance(),
                q.iterations(),
                q.batchSize(),
                q.learningRate(),
                q.klWeight(),
                q.diversityWeight(),
                q.evaluationSamples(),
                q.checkpointInterval(),
                q.comparisonSamples(),
                q.device(),
                priorClasses);
    }

    @Test
    void priorClassesAreTheTailByDefaultAndWithAllEveryFindingRarestFirst() {
        assertEquals(TailNoiseStageConfig.TAIL, TailNoiseStageConfig.quick().priorClasses());
        assertEquals(
                List.of(Finding.PNEUMOTHORAX),
                TailNoiseStage.priorClasses(codes(), config(0.08, TailNoiseStageConfig.TAIL)));
        assertEquals(
                List.of(Finding.PNEUMOTHORAX, Finding.PLEURAL_EFFUSION),
                TailNoiseStage.priorClasses(codes(), config(0.08, TailNoiseStageConfig.ALL)));
        // no tail class at 5 %: every finding still gets a prior, rarest first, and No Finding never does
        assertEquals(
                List.of(Finding.PNEUMOTHORAX, Finding.PLEURAL_EFFUSION),
                TailNoiseStage.priorClasses(codes(), config(0.05, TailNoiseStageConfig.ALL)));
        assertEquals(List.of(), TailNoiseStage.priorClasses(codes(), config(0.05, TailNoiseStageConfig.TAIL)));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> config(0.05, "head"));
        assertTrue(e.getMessage().contains("prior_classes"), e.getMessage());
    }

    @Test
    void withAllClassesTheJoinPublishesEveryPriorAndWithoutATailClassNeedsNoModels(@TempDir Path dir) throws Exception {
        RecordingStageContext ctx = new RecordingStageContext(dir, 3);
        Map<Finding, Path> files = new java.util.EnumMap<>(Finding.class);
        for (Finding f : List.of(Finding.PNEUMOTHORAX, Finding.PLEURAL_EFFUSION)) {
            Path file = dir.resolve(f.key() + ".prior");
            NoisePrior.standard(f, 2).save(file, Map.of());
            files.put(f, file);
        }
        TailNoiseStageConfig all = config(0.05, TailNoiseStageConfig.ALL);
        // no tail class at 5 %: the comparison has nothing to run, so the join needs no models
        TailNoiseStage.join(all, codes(), TailNoiseStage.priorClasses(codes(), all), files, null, null, ctx);
        assertEquals(
                files.get(Finding.PLEURAL_EFFUSION),
                ctx.outputs().get(TailNoiseStage.OUTPUT_PRIOR_PREFIX + Finding.PLEURAL_EFFUSION.key()));
        assertEquals(
                files.get(Finding.PNEUMOTHORAX),
                ctx.outputs().get(TailNoiseStage.OUTPUT_PRIOR_PREFIX + Finding.PNEUMOTHORAX.key()));
        assertEquals(0.0, ctx.summary().get("tail_classes"));

        // a set of prior classes that leaves out a tail class is an input error, not a silent plain-noise class
        RecordingStageContext other = new RecordingStageContext(dir, 3);
        StageInputException missing = assertThrows(
                StageInputException.class,
                () -> TailNoiseStage.join(
                        config(0.08, TailNoiseStageConfig.ALL),
                        codes(),
                        List.of(Finding.PLEURAL_EFFUSION),
                        Map.of(Finding.PLEURAL_EFFUSION, files.get(Finding.PLEURAL_EFFUSION)),
                        null,
                        null,
                        other));
        assertTrue(missing.getMessage().contains("Pneumothorax"), missing.getMessage());
    }
}
