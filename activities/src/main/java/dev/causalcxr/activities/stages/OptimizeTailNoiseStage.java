package dev.causalcxr.activities.stages;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.causalcxr.activities.pipeline.ModelComponents;
import dev.causalcxr.activities.runner.StageDefinition;
import dev.causalcxr.core.stage.StageInputException;
import dev.causalcxr.core.dataset.Split;
import dev.causalcxr.core.diffusion.DiffusionModel;
import dev.causalcxr.core.diffusion.tailnoise.NoisePrior;
import dev.causalcxr.core.diffusion.tailnoise.TailNoiseComparison;
import dev.causalcxr.core.diffusion.tailnoise.TailNoiseOptimizer;
import dev.causalcxr.core.diffusion.tailnoise.TailNoiseStageConfig;
import dev.causalcxr.core.disentangle.DisentanglerModel;
import dev.causalcxr.core.disentangle.EncodedCodes;
import dev.causalcxr.core.findings.Finding;
import dev.causalcxr.core.findings.FindingMention;
import dev.causalcxr.core.findings.Status;
import dev.causalcxr.core.stage.StageContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The join of {@code optimize-tail-noise}: collects the per-class priors (each produced by its own
 * {@link OptimizeTailNoiseClassStage} activity), publishes them together as this stage's outputs
 * {@code prior/<finding key>} (what {@code generate-counterfactuals} reads), and runs the ablation:
 * optimized prior against plain N(0, I) with the same draws, per tail class.
 */
final class OptimizeTailNoiseStage implements StageDefinition {
    static final String OUTPUT_PRIOR_PREFIX = ModelComponents.PRIOR_OUTPUT_PREFIX;
    static final String OUTPUT_TAIL_CLASSES = "tail-classes";
    private static final ObjectMapper JSON = new ObjectMapper();

    @Override
    public String name() {
        return TailNoiseInputs.STAGE;
    }


    @Override
    public void execute(String configJson, StageContext ctx) throws Exception {
        TailNoiseStageConfig cfg = JSON.readValue(configJson, TailNoiseStageConfig.class);
        EncodedCodes codes = EncodedCodes.read(TailNoiseInputs.require(ctx, TailNoiseInputs.CODES));
        List<Finding> tail = TailNoiseInputs.tailClasses(codes, cfg.tailFrequency());
        Map<Finding, NoisePrior> priors = new LinkedHashMap<>();
        for (Finding f : tail) {
            String input = OptimizeTailNoiseClassStage.stageName(f) + "/" + TailNoiseOptimizer.OUTPUT_PRIOR;
            Path file = ctx.inputs().get(input);
            if (file == null) {
                throw new StageInputException("the prior of tail class " + f.label() + " is missing (" + input + ")");
            }
            NoisePrior prior = NoisePrior.load(file);
            if (prior.finding() != f) {
                throw new StageInputException(input + " holds the prior of " + prior.finding().label());
            }
            priors.put(f, prior);
            ctx.addOutput(OUTPUT_PRIOR_PREFIX + f.key(), file);
        }
        ctx.logParam("tail_classes", String.join(", ", tail.stream().map(Finding::label).toList()));
        ctx.summaryMetric("tail_classes", tail.size());
        Map<Finding, float[][]> realCodes = realCodes(codes, tail);
        List<TailNoiseComparison.ClassResult> results = List.of();
        if (!tail.isEmpty()) {
            ctx.progress(0.1, "comparing optimized and plain priors");
            try (DisentanglerModel disentangler = DisentanglerModel.load(
                    TailNoiseInputs.require(ctx, TailNoiseInputs.MODEL));
                 DiffusionModel diffusion = DiffusionModel.load(
                         TailNoiseInputs.require(ctx, TailNoiseInputs.DIFFUSION), cfg.device())) {
                results = TailNoiseComparison.compare(diffusion, disentangler.findingScorer(), priors, realCodes,
                        cfg.optimizer().sampler(), cfg.comparisonSamples(), ctx.seed());
            }
            TailNoiseComparison.report(results, ctx);
        }
        Map<String, Object> table = new LinkedHashMap<>();
        table.put("tailFrequency", cfg.tailFrequency());
        table.put("classes", results);
        Path tableFile = ctx.workDir().resolve("tail-classes.json");
        Files.writeString(tableFile, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(table));
        ctx.addOutput(OUTPUT_TAIL_CLASSES, tableFile);
        ctx.addArtifact("tail-noise-comparison.json", tableFile);
        ctx.progress(1.0, "tail-noise priors collected");
    }

    private static Map<Finding, float[][]> realCodes(EncodedCodes codes, List<Finding> tail) {
        Map<Finding, float[][]> out = new LinkedHashMap<>();
        for (Finding f : tail) {
            List<float[]> rows = new ArrayList<>();
            for (EncodedCodes.Entry e : codes.split(Split.TRAIN)) {
                for (FindingMention m : e.findings()) {
                    if (m.finding() == f && m.status() == Status.PRESENT) {
                        rows.add(e.pathMean());
                        break;
                    }
                }
            }
            out.put(f, rows.toArray(new float[0][]));
        }
        return out;
    }
}
