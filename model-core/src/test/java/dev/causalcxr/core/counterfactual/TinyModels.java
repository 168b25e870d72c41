package dev.causalcxr.core.counterfactual;

import dev.causalcxr.core.dataset.ImportedPhantoms;
import dev.causalcxr.core.dataset.PhantomGroundTruth;
import dev.causalcxr.core.dataset.Split;
import dev.causalcxr.core.diffusion.DiffusionConfig;
import dev.causalcxr.core.diffusion.DiffusionTraining;
import dev.causalcxr.core.diffusion.SingleThreadedEngine;
import dev.causalcxr.core.diffusion.tailnoise.NoisePrior;
import dev.causalcxr.core.disentangle.DisentanglerConfig;
import dev.causalcxr.core.disentangle.DisentanglerDataset;
import dev.causalcxr.core.disentangle.DisentanglerModel;
import dev.causalcxr.core.disentangle.DisentanglerStage;
import dev.causalcxr.core.disentangle.DisentanglerTrainer;
import dev.causalcxr.core.disentangle.EncodedCodes;
import dev.causalcxr.core.disentangle.TinyData;
import dev.causalcxr.core.files.FileTrees;
import dev.causalcxr.core.findings.Finding;
import dev.causalcxr.core.findings.FindingMention;
import dev.causalcxr.core.labels.StudyLabels;
import dev.causalcxr.core.phantom.PhantomSpec;
import dev.causalcxr.core.stage.RecordingStageContext;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * A tiny phantom data set (80 studies, 64 px, four findings with a long tail) imported as the
 * pipeline imports it, a tiny disentangler trained a few steps on it and a tiny diffusion model
 * trained on its training codes; built once per test JVM (a few seconds).
 */
final class TinyModels {

    static final Finding HEAD = Finding.PLEURAL_EFFUSION;
    static final Finding TAIL = Finding.NODULE;

    final Path dir;
    final Path datasetDir;
    final Path groundTruth;
    /** The phantom truth as labels: these tests are about the generator, not the parser. */
    final StudyLabels labels;

    final Path disentanglerFile;
    final Path diffusionFile;
    final DisentanglerDataset data;
    /** A stand-in "tuned" prior for the tail finding: shifted mean, narrower scale. */
    final Map<Finding, NoisePrior> priors;

    private static TinyModels instance;
    private static TinyModels withSlots;

    /** @param findingSlots one slot per finding with finding layers (DisentanglerConfig#findingSlots) */
    private TinyModels(boolean findingSlots) throws Exception {
        SingleThreadedEngine.request();
        dir = Files.createTempDirectory("cf-tiny");
        // the models live as long as the test JVM: without this every test run left 3 MB in the temp folder
        Path created = dir;
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                FileTrees.delete(created);
            } catch (IOException e) {
                // the JVM is exiting; the folder stays where the system's temp cleaning finds it
            }
        }));
        Map<Finding, Double> freq = new EnumMap<>(Finding.class);
        freq.put(Finding.PLEURAL_EFFUSION, 0.5);
        freq.put(Finding.CARDIOMEGALY, 0.3);
        freq.put(Finding.PNEUMOTHORAX, 0.1);
        freq.put(Finding.NODULE, 0.06);
        PhantomSpec spec =
                PhantomSpec.defaults().withStudies(80).withSize(64).withSeed(3).withClassFrequencies(freq);
        datasetDir = dir.resolve("ds");
        groundTruth =
                ImportedPhantoms.write(spec, dir.resolve("phantom"), datasetDir, "t", "0123456789abcdef-test-key");
        labels = StudyLabels.fromTruth(PhantomGroundTruth.read(groundTruth));
        data = DisentanglerDataset.fromImported(datasetDir, labels, PhantomGroundTruth.read(groundTruth), (a, b) -> {});

        RecordingStageContext ctx =
                new RecordingStageContext(dir.resolve("train").resolve("work"), 7);
        disentanglerFile = dir.resolve("disentangler.model");
        DisentanglerConfig cfg = (findingSlots
                        ? TinyData.tinyConfigWithSlots(data).toBuilder()
                                .findingLayers(true)
                                .build()
                        : DisentanglerConfig.tiny())
                .withSteps(12)
                .withCheckpointInterval(1000);
        EncodedCodes codes;
        try (DisentanglerModel model = DisentanglerModel.create(cfg, data.vocabulary(), 64);
                DisentanglerTrainer trainer = new DisentanglerTrainer(model, data, ctx, "main", 0, "")) {
            trainer.train();
            model.save(disentanglerFile);
            codes = DisentanglerStage.encodeAll(model, data);
        }
        List<EncodedCodes.Entry> train = codes.split(Split.TRAIN);
        float[][] z = new float[train.size()][];
        List<List<FindingMention>> findings = new ArrayList<>();
        for (int i = 0; i < z.length; i++) {
            z[i] = train.get(i).pathMean();
            findings.add(train.get(i).findings());
        }
        DiffusionConfig dc =
                new DiffusionConfig(codes.pathDim(), 32, 2, 8, 100, 150, 32, 3e-3f, 0.2f, 11L, 0, 50, "cpu");
        // a context belongs to one stage run: the diffusion stage must not see the disentangler's checkpoint
        RecordingStageContext diffusionCtx =
                new RecordingStageContext(dir.resolve("train-diffusion").resolve("work"), 7);
        DiffusionTraining.Result r = DiffusionTraining.run(dc, z, findings, diffusionCtx);
        diffusionFile = r.modelFile();
        float[] mean = new float[codes.pathDim()];
        float[] logScale = new float[codes.pathDim()];
        java.util.Arrays.fill(mean, 0.8f);
        java.util.Arrays.fill(logScale, -0.5f);
        priors = Map.of(TAIL, new NoisePrior(TAIL, mean, logScale));
    }

    static synchronized TinyModels get() {
        if (instance == null) {
            instance = build(false);
        }
        return instance;
    }

    /** The same data and budgets with one pathology slot per finding, drawn through finding layers. */
    static synchronized TinyModels withFindingSlots() {
        if (withSlots == null) {
            withSlots = build(true);
        }
        return withSlots;
    }

    private static TinyModels build(boolean findingSlots) {
        try {
            return new TinyModels(findingSlots);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (Exception e) {
            throw new IllegalStateException("cannot build the tiny models", e);
        }
    }

    CounterfactualGenerator open(boolean withPriors) throws IOException {
        return CounterfactualGenerator.open(disentanglerFile, diffusionFile, withPriors ? priors : Map.of());
    }
}
