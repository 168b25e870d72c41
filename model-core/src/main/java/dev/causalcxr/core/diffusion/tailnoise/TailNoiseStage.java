package dev.causalcxr.core.diffusion.tailnoise;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.causalcxr.core.dataset.Split;
import dev.causalcxr.core.diffusion.Condition;
import dev.causalcxr.core.diffusion.DiffusionModel;
import dev.causalcxr.core.disentangle.DisentanglerModel;
import dev.causalcxr.core.disentangle.EncodedCodes;
import dev.causalcxr.core.findings.Finding;
import dev.causalcxr.core.findings.FindingMention;
import dev.causalcxr.core.findings.Status;
import dev.causalcxr.core.spec.StageName;
import dev.causalcxr.core.stage.StageContext;
import dev.causalcxr.core.stage.StageInputException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code optimize-tail-noise} stage functions: which classes are tail, one class's prior ({@link #runClass},
 * a stage run of its own per class), and the join ({@link #join}) that publishes every prior together and runs
 * the ablation (optimized prior against plain N(0, I) with the same draws, per tail class). The definitions in
 * activities only resolve the inputs.
 */
public final class TailNoiseStage {
    public static final String NAME = StageName.Labels.OPTIMIZE_TAIL_NOISE;
    /** The join's outputs {@code prior/<finding key>}: what {@code generate-counterfactuals} reads. */
    public static final String OUTPUT_PRIOR_PREFIX = "prior/";

    public static final String OUTPUT_TAIL_CLASSES = "tail-classes";
    private static final ObjectMapper JSON = new ObjectMapper();

    private TailNoiseStage() {}

    /**
     * Tail classes of the training codes, rarest first (No Finding is never one).
     *
     * @throws StageInputException when the codes have no training split
     */
    public static List<Finding> tailClasses(EncodedCodes codes, double tailFrequency) {
        List<Condition> conditions = new ArrayList<>();
        for (EncodedCodes.Entry e : codes.split(Split.TRAIN)) {
            conditions.add(Condition.ofStudy(e.findings()));
        }
        if (conditions.isEmpty()) {
            throw new StageInputException("the disentangler's codes have no training split");
        }
        List<Finding> tail = new ArrayList<>(TailClasses.select(conditions, tailFrequency));
        tail.remove(Finding.NO_FINDING);
        return tail;
    }

    /**
     * The classes that get a prior, rarest first: the tail classes ({@link #tailClasses}), and with
     * {@code prior_classes: all} every other finding of the training codes after them.
     *
     * @throws StageInputException when the codes have no training split
     */
    public static List<Finding> priorClasses(EncodedCodes codes, TailNoiseStageConfig cfg) {
        // every finding below frequency 1, rarest first: the tail classes are its first entries
        return tailClasses(codes, cfg.priorsForAllClasses() ? 1.0 : cfg.tailFrequency());
    }

    /** One class's prior, learned through the deterministic DDIM steps against the finding head. */
    public static TailNoiseOptimizer.Result runClass(
            TailNoiseStageConfig cfg, Finding finding, Path disentanglerModel, Path diffusionModel, StageContext ctx)
            throws IOException {
        try (DisentanglerModel disentangler = DisentanglerModel.load(disentanglerModel);
                DiffusionModel diffusion = DiffusionModel.load(diffusionModel, cfg.device())) {
            ctx.logParam("finding", finding.label());
            return TailNoiseOptimizer.run(diffusion, disentangler.findingScorer(), finding, cfg.optimizer(), ctx);
        }
    }

    /**
     * The join: publishes each tail class's prior as {@code prior/<finding key>} and compares it with plain
     * noise.
     *
     * @param classes           the classes with a prior ({@link #priorClasses}), rarest first; the comparison runs
     *                          on those of them that are tail classes
     * @param priorFiles        each class's prior file (from its per-class stage run)
     * @param disentanglerModel needed when there is a tail class
     * @param diffusionModel    needed when there is a tail class
     */
    public static List<TailNoiseComparison.ClassResult> join(
            TailNoiseStageConfig cfg,
            EncodedCodes codes,
            List<Finding> classes,
            Map<Finding, Path> priorFiles,
            Path disentanglerModel,
            Path diffusionModel,
            StageContext ctx)
            throws IOException {
        Map<Finding, NoisePrior> priors = new LinkedHashMap<>();
        for (Finding f : classes) {
            Path file = priorFiles.get(f);
            if (file == null) {
                throw new StageInputException("the prior of class " + f.label() + " is missing");
            }
            NoisePrior prior = NoisePrior.load(file);
            if (prior.finding() != f) {
                throw new StageInputException("the prior given for " + f.label() + " is the prior of "
                        + prior.finding().label());
            }
            priors.put(f, prior);
            ctx.addOutput(OUTPUT_PRIOR_PREFIX + f.key(), file);
        }
        List<Finding> tail = classes.isEmpty() ? List.of() : tailClasses(codes, cfg.tailFrequency());
        if (!classes.containsAll(tail)) {
            throw new StageInputException("the prior classes " + classes + " leave out tail classes " + tail);
        }
        Map<Finding, NoisePrior> tailPriors = new LinkedHashMap<>();
        tail.forEach(f -> tailPriors.put(f, priors.get(f)));
        ctx.logParam(
                "prior_classes",
                String.join(", ", classes.stream().map(Finding::label).toList()));
        ctx.logParam(
                "tail_classes",
                String.join(", ", tail.stream().map(Finding::label).toList()));
        ctx.summaryMetric("tail_classes", tail.size());
        List<TailNoiseComparison.ClassResult> results = List.of();
        if (!tail.isEmpty()) {
            if (disentanglerModel == null || diffusionModel == null) {
                throw new StageInputException("the ablation needs the disentangler and the diffusion model");
            }
            ctx.progress(0.1, "comparing optimized and plain priors");
            try (DisentanglerModel disentangler = DisentanglerModel.load(disentanglerModel);
                    DiffusionModel diffusion = DiffusionModel.load(diffusionModel, cfg.device())) {
                results = TailNoiseComparison.compare(
                        diffusion,
                        disentangler.findingScorer(),
                        tailPriors,
                        realCodes(codes, tail),
                        cfg.optimizer().sampler(),
                        cfg.comparisonSamples(),
                        ctx.seed());
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
        return results;
    }

    /** Each tail class's training codes (pathology means of the studies where it is present). */
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
