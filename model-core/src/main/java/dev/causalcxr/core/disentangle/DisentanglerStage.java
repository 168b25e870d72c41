package dev.causalcxr.core.disentangle;

import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.causalcxr.core.dataset.PhantomGroundTruth;
import dev.causalcxr.core.dataset.SplitProportions;
import dev.causalcxr.core.labels.StudyLabels;
import dev.causalcxr.core.phantom.PhantomGenerator;
import dev.causalcxr.core.phantom.PhantomSpec;
import dev.causalcxr.core.spec.StageName;
import dev.causalcxr.core.stage.StageContext;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code train-disentangler} stage function: load the data, train (first the no-group-supervision
 * ablation when configured, then the main model), evaluate both on the test split, publish the model,
 * the codes of every split and the pictures. Resumes from the context's newest checkpoint, whichever
 * phase wrote it; the ablation's metrics travel inside the main phase's checkpoints.
 *
 * <p>The stage seeds everything from {@link StageContext#seed()} (it replaces {@code cfg.seed()}).
 */
public final class DisentanglerStage {

    public static final String NAME = StageName.Labels.TRAIN_DISENTANGLER;
    /** Output: the trained model ({@link DisentanglerModel#load}). */
    public static final String OUTPUT_MODEL = "model";
    /** Output: {@link EncodedCodes} of every study, the diffusion stage's input. */
    public static final String OUTPUT_CODES = "codes";

    public static final String ARTIFACT_PARAMETERS = "parameters";
    public static final String ARTIFACT_RECONSTRUCTION_GRID = "reconstruction-grid";
    public static final String ARTIFACT_SWAP_GRID = "swap-grid";
    public static final String ABLATION_SUFFIX = "_ablation_no_group";

    /** Test studies a finding is added to for {@link DisentanglerEvaluator#exactFindingReading}: the code oracle's 24. */
    static final int EXACT_READ_PER_CLASS = 24;

    static final String PHASE_MAIN = "main";
    static final String PHASE_ABLATION = "ablation";

    private static final Logger LOG = LoggerFactory.getLogger(DisentanglerStage.class);
    // NaN marks metrics without ground truth; it must survive the trip through a checkpoint
    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .build();

    private DisentanglerStage() {}

    /**
     * What the stage produced.
     *
     * @param metrics         the main model's test metrics
     * @param ablation        the no-group-supervision model's test metrics (null when not run)
     * @param trainSeconds    wall time of the main training in this attempt
     * @param meanStepMillis  mean main training step time in this attempt
     */
    public record Result(
            DisentanglerMetrics metrics, DisentanglerMetrics ablation, double trainSeconds, double meanStepMillis) {}

    /**
     * Runs the stage on an imported data set folder ({@code manifest.json} + images).
     *
     * @param labels          the finding labels: the finding head's targets and the pathology groups
     * @param groundTruthJson the phantom ground truth ({@link PhantomGroundTruth}) for the swap metrics, or
     *                        null for real data
     */
    public static Result run(
            DisentanglerConfig cfg, Path datasetDir, StudyLabels labels, Path groundTruthJson, StageContext ctx)
            throws IOException {
        return run(cfg, datasetDir, labels, groundTruthJson, null, ctx);
    }

    /**
     * {@link #run(DisentanglerConfig, Path, StudyLabels, Path, StageContext)} fine-tuning a model: the data is seen
     * through that model's finding vocabulary ({@link DisentanglerDataset#withVocabulary}), so the model's
     * checkpoint fits the network whatever findings the new data has.
     *
     * @param vocabulary the fine-tuned model's vocabulary; null for a model trained from scratch
     */
    public static Result run(
            DisentanglerConfig cfg,
            Path datasetDir,
            StudyLabels labels,
            Path groundTruthJson,
            List<dev.causalcxr.core.findings.Finding> vocabulary,
            StageContext ctx)
            throws IOException {
        PhantomGroundTruth truth = groundTruthJson == null ? null : PhantomGroundTruth.read(groundTruthJson);
        DisentanglerDataset data = DisentanglerDataset.fromImported(
                datasetDir, labels, truth, (done, total) -> loadProgress(ctx, done, total));
        return run(cfg, vocabulary == null ? data : data.withVocabulary(vocabulary), ctx);
    }

    /** Runs the stage on a phantom cohort rendered in memory (patients split by a hash of their id). */
    public static Result runOnPhantom(DisentanglerConfig cfg, PhantomSpec spec, StageContext ctx) throws IOException {
        DisentanglerDataset data = DisentanglerDataset.fromPhantom(
                new PhantomGenerator(spec),
                SplitProportions.defaults(),
                (done, total) -> loadProgress(ctx, done, total));
        return run(cfg, data, ctx);
    }

    private static void loadProgress(StageContext ctx, int done, int total) {
        if (done % 200 == 0 || done == total) {
            ctx.progress(0, "loaded " + done + "/" + total + " images");
        }
    }

    /** Runs the stage on loaded data. */
    public static Result run(DisentanglerConfig requested, DisentanglerDataset data, StageContext ctx)
            throws IOException {
        DisentanglerConfig cfg = requested.withSeed(ctx.seed()).validated();
        Map<String, Object> fields = JSON.convertValue(cfg, new TypeReference<Map<String, Object>>() {});
        fields.forEach((k, v) -> ctx.logParam("disentangler." + k, String.valueOf(v)));
        ctx.logParam("disentangler.imageSize", String.valueOf(data.size()));
        ctx.logParam(
                "disentangler.findingVocabulary",
                String.valueOf(data.vocabulary().size()));

        Optional<StageContext.Checkpoint> latest = ctx.latestCheckpoint();
        DisentanglerTrainer.CheckpointHeader header =
                latest.isPresent() ? DisentanglerTrainer.readHeader(latest.get().file()) : null;
        List<String> phases = new ArrayList<>();
        if (cfg.runAblation()) {
            phases.add(PHASE_ABLATION);
        }
        phases.add(PHASE_MAIN);

        DisentanglerMetrics ablation = null;
        if (header != null && header.phase().equals(PHASE_MAIN) && header.payload().length > 0) {
            ablation = JSON.readValue(new String(header.payload(), StandardCharsets.UTF_8), DisentanglerMetrics.class);
        }
        Result result = null;
        for (String phase : phases) {
            boolean isMain = phase.equals(PHASE_MAIN);
            if (!isMain && ablation != null) {
                LOG.info("ablation already finished in an earlier attempt");
                continue;
            }
            DisentanglerConfig phaseCfg = isMain ? cfg : cfg.withGroupSupervision(false);
            long offset = isMain && cfg.runAblation() ? cfg.steps() : 0;
            String prefix = isMain ? "" : "ablation_no_group_";
            try (DisentanglerModel model = DisentanglerModel.create(phaseCfg, data.vocabulary(), data.size());
                    DisentanglerTrainer trainer = new DisentanglerTrainer(model, data, ctx, phase, offset, prefix)) {
                if (header != null && header.phase().equals(phase)) {
                    trainer.restore(latest.get().file());
                }
                if (isMain && ablation != null) {
                    trainer.setPayload(JSON.writeValueAsString(ablation).getBytes(StandardCharsets.UTF_8));
                }
                DisentanglerTrainer.Result training = trainer.train();
                LOG.info(
                        "{}: {} steps, {} s this attempt, {} ms/step",
                        phase,
                        training.steps(),
                        String.format(java.util.Locale.ROOT, "%.1f", training.seconds()),
                        String.format(java.util.Locale.ROOT, "%.1f", training.meanStepMillis()));
                ctx.progress(isMain ? 0.95 : 0.5, phase + ": evaluating");
                DisentanglerMetrics metrics = DisentanglerEvaluator.evaluate(model, data, cfg.seed());
                if (isMain) {
                    DisentanglerEvaluator.exactFindingReading(model, data, EXACT_READ_PER_CLASS, cfg.seed())
                            .forEach(ctx::summaryMetric);
                    publish(model, data, ctx, cfg.seed());
                    result = new Result(metrics, ablation, training.seconds(), training.meanStepMillis());
                    ctx.summaryMetric("train_seconds", training.seconds());
                    ctx.summaryMetric("train_step_ms", training.meanStepMillis());
                } else {
                    ablation = metrics;
                    ctx.summaryMetric("train_seconds" + ABLATION_SUFFIX, training.seconds());
                }
            }
        }
        result.metrics().asMap("").forEach(ctx::summaryMetric);
        if (result.ablation() != null) {
            result.ablation().asMap(ABLATION_SUFFIX).forEach(ctx::summaryMetric);
        }
        ctx.progress(1.0, "done");
        return result;
    }

    private static void publish(DisentanglerModel model, DisentanglerDataset data, StageContext ctx, long seed)
            throws IOException {
        Path dir = ctx.workDir();
        Path modelFile = dir.resolve("disentangler.model");
        model.save(modelFile);
        ctx.addOutput(OUTPUT_MODEL, modelFile);
        ctx.addArtifact(ARTIFACT_PARAMETERS, modelFile);

        Path codesFile = dir.resolve("codes.bin");
        encodeAll(model, data).write(codesFile);
        ctx.addOutput(OUTPUT_CODES, codesFile);

        Path recon = dir.resolve("reconstruction-grid.png");
        DisentanglerEvaluator.writeReconstructionGrid(model, data, recon);
        ctx.addArtifact(ARTIFACT_RECONSTRUCTION_GRID, recon);
        Path swap = dir.resolve("swap-grid.png");
        DisentanglerEvaluator.writeSwapGrid(model, data, swap, seed);
        ctx.addArtifact(ARTIFACT_SWAP_GRID, swap);
    }

    /** The codes of every study of the data set, in data set order, finding slots gated by its findings. */
    public static EncodedCodes encodeAll(DisentanglerModel model, DisentanglerDataset data) {
        List<DisentanglerDataset.Study> studies = data.studies();
        DisentanglerModel.Encoding e = model.encode(
                studies.stream().map(DisentanglerDataset.Study::pixels).toList());
        float[][] pathMean = model.gateFindingSlots(
                e.pathMean(),
                studies.stream().map(DisentanglerDataset.Study::findings).toList());
        List<EncodedCodes.Entry> entries = new ArrayList<>(studies.size());
        for (int i = 0; i < studies.size(); i++) {
            DisentanglerDataset.Study s = studies.get(i);
            entries.add(new EncodedCodes.Entry(
                    s.studyId(), s.split(), pathMean[i], e.pathLogVar()[i], e.pooledIdentity()[i], s.findings()));
        }
        return new EncodedCodes(model.config().pathDim(), model.config().idChannels(), entries);
    }
}
