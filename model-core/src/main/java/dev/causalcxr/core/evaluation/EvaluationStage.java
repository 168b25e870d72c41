package dev.causalcxr.core.evaluation;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.causalcxr.core.dataset.DatasetEntry;
import dev.causalcxr.core.dataset.DatasetManifest;
import dev.causalcxr.core.dataset.Split;
import dev.causalcxr.core.findings.Finding;
import dev.causalcxr.core.imaging.GrayImage;
import dev.causalcxr.core.imaging.ImageCodec;
import dev.causalcxr.core.labels.StudyLabels;
import dev.causalcxr.core.metrics.classification.ClassificationMetrics;
import dev.causalcxr.core.metrics.classification.ClassificationReport;
import dev.causalcxr.core.metrics.fidelity.FidelityReport;
import dev.causalcxr.core.spec.StageName;
import dev.causalcxr.core.stage.StageContext;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code evaluate} stage function: the downstream comparison (real vs real + augmentation) and the
 * fidelity of generated images in the in-domain feature space (and in Inception's, when a file is given).
 *
 * <p>Summary metrics (exactly): {@value #SUMMARY_KEYS_DOC}. The fidelity keys are present only when
 * there are generated images; the {@code *_augmented} keys (and the deltas) only when there is an augmentation
 * set: without one the real arm is trained alone. Per-class values, standard deviations over seeds and the
 * augmented − real differences go to {@link StageContext#logMetric} only.
 */
public final class EvaluationStage {

    public static final String NAME = StageName.Labels.EVALUATE;
    static final String SUMMARY_KEYS_DOC = "fid, kid, precision, recall, density, coverage, accuracy_real, "
            + "accuracy_augmented, balanced_accuracy_real, balanced_accuracy_augmented, macro_f1_real, "
            + "macro_f1_augmented, auroc_real, auroc_augmented, tail_recall_real, tail_recall_augmented, "
            + "head_recall_real, head_recall_augmented, tail_auroc_ARM, head_auroc_ARM; with an evaluation-only "
            + "cohort also power_tail_auroc_delta_ARM, power_tail_recall_delta_ARM and their _ci_low / _ci_high; "
            + "with reference labels also accuracy, balanced_accuracy, "
            + "macro_f1, tail_recall and head_recall with the suffix _ARM_vs_SOURCE, and "
            + "evaluation_test_targets_agreement_vs_SOURCE; with the decoder's own images of the augmentation set "
            + "also decoded_fid and decoded_kid; with generated images also memorization_closer_to_train, "
            + "memorization_distance_ratio and memorization_near_copies, each also with the suffix _features";
    /** Prefix of the decoder's own images' fidelity metrics. */
    static final String DECODED_PREFIX = "decoded_";

    /** Output: the in-domain feature network (the first seed's real-only classifier), one file. */
    public static final String OUTPUT_FEATURE_NETWORK = "feature-network";
    /** Output: every number of this evaluation as JSON. */
    public static final String OUTPUT_RESULTS = "evaluation";
    /** Every classifier's test probabilities ({@link TestPredictions}): what a retrain pairs two models on. */
    public static final String OUTPUT_TEST_PREDICTIONS = "test-predictions";

    public static final String ARTIFACT_CONFUSION = "confusion-matrices";
    public static final String ARTIFACT_RECALL = "per-class-recall";

    private static final Logger LOG = LoggerFactory.getLogger(EvaluationStage.class);
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    /** On one line: indented, a few hundred thousand test probabilities would take a line each. */
    private static final ObjectMapper COMPACT_JSON = new ObjectMapper();

    private static final double LOAD_SHARE = 0.05;
    private static final double TRAIN_SHARE = 0.85;

    private EvaluationStage() {}

    /**
     * @param datasetDir   an imported data set folder ({@code manifest.json}, images)
     * @param labels       the finding labels of its studies: the classes, the tail and every real image's target
     * @param augmentation generated images with their conditions (may be empty: then there is the real arm alone)
     * @param generatedDir a folder of generated images for the fidelity metrics, or null to use the augmentation images
     */
    public static EvaluationResult run(
            EvaluationConfig config,
            Path datasetDir,
            StudyLabels labels,
            List<AugmentedSample> augmentation,
            Path generatedDir,
            StageContext ctx)
            throws IOException {
        return run(config, datasetDir, labels, augmentation, null, generatedDir, ctx);
    }

    /**
     * @param plainAugmentation the tail-noise ablation's augmentation set (same sources and seeds, plain N(0, I)
     *                          initial noise): a third downstream arm, {@code *_augmented_plain}; null for none
     */
    public static EvaluationResult run(
            EvaluationConfig config,
            Path datasetDir,
            StudyLabels labels,
            List<AugmentedSample> augmentation,
            List<AugmentedSample> plainAugmentation,
            Path generatedDir,
            StageContext ctx)
            throws IOException {
        return run(config, datasetDir, labels, null, augmentation, plainAugmentation, generatedDir, ctx);
    }

    /**
     * @param reference other labels of the same studies (the phantom truth when the run trains on parsed
     *                  reports), or null: every classifier's test predictions are also scored against the
     *                  reference's targets, so that runs on different labels compare on the same targets
     *                  ({@code <metric>_<arm>_vs_<source>})
     */
    public static EvaluationResult run(
            EvaluationConfig config,
            Path datasetDir,
            StudyLabels labels,
            StudyLabels reference,
            List<AugmentedSample> augmentation,
            List<AugmentedSample> plainAugmentation,
            Path generatedDir,
            StageContext ctx)
            throws IOException {
        return run(config, datasetDir, labels, reference, augmentation, plainAugmentation, generatedDir, false, ctx);
    }

    /**
     * @param phantomDataset whether the data set is the run's phantom, so that an evaluation-only cohort can be
     *                       rendered for it ({@link EvaluationConfig#powerCohortStudies()})
     */
    public static EvaluationResult run(
            EvaluationConfig config,
            Path datasetDir,
            StudyLabels labels,
            StudyLabels reference,
            List<AugmentedSample> augmentation,
            List<AugmentedSample> plainAugmentation,
            Path generatedDir,
            boolean phantomDataset,
            StageContext ctx)
            throws IOException {
        return run(
                config,
                datasetDir,
                labels,
                reference,
                augmentation,
                plainAugmentation,
                null,
                null,
                null,
                generatedDir,
                phantomDataset,
                ctx);
    }

    /**
     * @param oracleAugmentation  the phantom's exact counterfactuals of the augmentation set's requests
     *                            ({@code AugmentationSet.exactCounterfactuals}): the {@code oracle} arm when
     *                            {@link EvaluationConfig#oracleArm()} asks for it; null for none
     * @param codeOracleAugmentation the same requests answered with each exact counterfactual's own pathology code
     *                            through the generator's autoencoder ({@code CounterfactualStage}'s
     *                            {@value CounterfactualStage#OUTPUT_AUGMENTATION_CODE_ORACLE}): the
     *                            {@code oracle_codes} arm when {@link EvaluationConfig#oracleArm()} asks for the
     *                            oracle; null for none
     * @param decodedAugmentation the decoder's own images of the augmentation set's requests (the same codes,
     *                            without the source's pixels added back: {@code CounterfactualStage}'s
     *                            {@value CounterfactualStage#OUTPUT_AUGMENTATION_DECODED}): their fidelity,
     *                            {@code decoded_fid} and {@code decoded_kid}, says how well the decoder fits the
     *                            test split's domain, which a residual counterfactual's fidelity no longer shows;
     *                            null for none
     */
    public static EvaluationResult run(
            EvaluationConfig config,
            Path datasetDir,
            StudyLabels labels,
            StudyLabels reference,
            List<AugmentedSample> augmentation,
            List<AugmentedSample> plainAugmentation,
            List<AugmentedSample> oracleAugmentation,
            List<AugmentedSample> codeOracleAugmentation,
            List<AugmentedSample> decodedAugmentation,
            Path generatedDir,
            boolean phantomDataset,
            StageContext ctx)
            throws IOException {
        List<AugmentedSample> augmentationSamples = augmentation == null ? List.of() : augmentation;
        Path manifestFile = datasetDir.resolve("manifest.json");
        if (!Files.isRegularFile(manifestFile)) {
            throw new NoSuchFileException(manifestFile.toString(), null, "not an imported data set folder");
        }
        DatasetManifest manifest = DatasetManifest.read(manifestFile);
        ClassifierConfig classifierConfig = config.classifier();
        int size = classifierConfig.imageSize();
        List<DatasetEntry> trainEntries = entries(manifest, Split.TRAIN);
        PrimaryFindingTarget target = PrimaryFindingTarget.fromTraining(
                labels, trainEntries.stream().map(DatasetEntry::studyId).toList(), config.minimumClassCount());
        Set<Integer> tail = tailClasses(config, manifest, labels, target);
        ctx.logParam("labels_source", labels.source().label());
        ctx.progress(0.0, "loading images");
        LabeledImages train = load(datasetDir, trainEntries, labels, target, size);
        LabeledImages validation = load(datasetDir, entries(manifest, Split.VAL), labels, target, size);
        LabeledImages test = load(datasetDir, entries(manifest, Split.TEST), labels, target, size);
        LabeledImages augmented = augmentationImages(augmentationSamples, target, size);
        LabeledImages augmentedPlain = plainAugmentation == null || plainAugmentation.isEmpty()
                ? null
                : augmentationImages(plainAugmentation, target, size);
        LabeledImages oracle = null;
        if (config.oracleArm() && (oracleAugmentation == null || oracleAugmentation.isEmpty())) {
            LOG.info("evaluate: oracle_arm is set, but there are no exact counterfactuals (not a phantom, or no"
                    + " augmentation set): no oracle arm");
        } else if (config.oracleArm()) {
            oracle = augmentationImages(oracleAugmentation, target, size);
        }
        LabeledImages codeOracle =
                config.oracleArm() && codeOracleAugmentation != null && !codeOracleAugmentation.isEmpty()
                        ? augmentationImages(codeOracleAugmentation, target, size)
                        : null;
        logParameters(ctx, config, manifest, target, tail, train, validation, test, augmented);
        int[] referenceTest = reference == null
                ? null
                : entries(manifest, Split.TEST).stream()
                        .mapToInt(e -> target.classOf(reference, e.studyId()))
                        .toArray();
        Map<String, List<ClassificationReport>> referenceReports = new LinkedHashMap<>();
        PowerCohort.Cohort power = null;
        if (config.powerCohortStudies() > 0 && !phantomDataset) {
            LOG.info("evaluate: power_cohort_studies is set, but the data set is not a phantom: no evaluation-only"
                    + " cohort (its classes would need ground truth)");
        } else if (config.powerCohortStudies() > 0) {
            ctx.progress(0.0, "rendering the evaluation-only cohort");
            int renderSize = ImageCodec.read(
                            datasetDir.resolve(trainEntries.get(0).imagePath()))
                    .width();
            power = PowerCohort.render(config.powerCohortStudies(), renderSize, size, ctx.seed(), target, tail);
            logPowerCohort(ctx, power, target, tail);
        }
        Map<String, List<double[][]>> powerPredictions = new LinkedHashMap<>();
        PowerCohort.Cohort powerCohort = power;
        ctx.progress(LOAD_SHARE, "images loaded");

        List<Long> seeds = seeds(ctx.seed(), config.seedCount());
        Path featureNetworkFile = ctx.workDir().resolve("feature-network.bin");
        TrainedClassifier[] featureNetwork = new TrainedClassifier[1];
        DownstreamResult downstream;
        try {
            downstream = DownstreamEvaluation.run(
                    classifierConfig,
                    seeds,
                    target,
                    train,
                    validation,
                    test,
                    augmented,
                    augmentedPlain,
                    config.pretrainFinetuneArm(),
                    oracle,
                    codeOracle,
                    tail,
                    (arm, seed, run, runs, epoch, epochs, loss, score) -> {
                        ctx.progress(
                                LOAD_SHARE + TRAIN_SHARE * (run + (double) epoch / epochs) / runs,
                                "classifier " + (run + 1) + "/" + runs + " (" + arm + "), epoch " + epoch);
                        long step = (long) run * epochs + epoch;
                        ctx.logMetric("train_loss_" + arm, loss, step);
                        if (!Double.isNaN(score)) {
                            ctx.logMetric("val_balanced_accuracy_" + arm, score, step);
                        }
                    },
                    (arm, seed, classifier) -> {
                        if (powerCohort != null) {
                            powerPredictions
                                    .computeIfAbsent(arm, k -> new ArrayList<>())
                                    .add(classifier.predictProbabilities(
                                            powerCohort.images().pixels()));
                        }
                        if (referenceTest != null) {
                            double[][] p = classifier.predictProbabilities(test.pixels());
                            referenceReports
                                    .computeIfAbsent(arm, k -> new ArrayList<>())
                                    .add(ClassificationMetrics.evaluate(
                                            referenceTest, ClassificationMetrics.argmax(p), p, target.classCount()));
                        }
                        // the first real-only classifier is the in-domain feature network
                        if (featureNetwork[0] == null && arm.equals(DownstreamEvaluation.REAL)) {
                            classifier.save(featureNetworkFile);
                            featureNetwork[0] = classifier;
                            return true;
                        }
                        return false;
                    },
                    ctx::cancelled);
            FeatureSpace space = featureNetwork[0].featureSpace();
            ctx.addOutput(OUTPUT_FEATURE_NETWORK, featureNetworkFile);
            ctx.logParam("feature_network", space.name());
            ctx.logParam("feature_network_digest", space.digest());
            reportDownstream(ctx, downstream, target);
            if (powerCohort != null) {
                reportPowerCohort(ctx, powerCohort, powerPredictions, target, tail, seeds);
            }
            if (referenceTest != null) {
                reportAgainstReference(
                        ctx,
                        reference.source().label(),
                        referenceReports,
                        test.labels(),
                        referenceTest,
                        tail,
                        target.classCount());
            }

            ctx.progress(LOAD_SHARE + TRAIN_SHARE, "fidelity");
            FidelityResult fidelity = null;
            FidelityResult inception = null;
            GeneratedSet generated = generatedSet(generatedDir, augmented, size);
            int minimum = config.fidelity(ctx.seed()).minimumSamples();
            if (generated == null || generated.pixels().size() < minimum || test.count() < minimum) {
                LOG.warn("fewer than {} generated or real test images: fidelity metrics skipped", minimum);
            } else {
                FidelityResult decodedFidelity = null;
                try (ClassifierFeatureExtractor extractor = ClassifierFeatureExtractor.of(featureNetwork[0])) {
                    double[][] real = extractor.extract(test.pixels()); // once, for both generated sets
                    java.util.function.BiFunction<List<float[]>, int[], FidelityResult> againstTest =
                            (pixels, classes) -> FidelityEvaluation.evaluateFeatures(
                                    extractor.space(),
                                    real,
                                    test.labels(),
                                    extractor.extract(pixels),
                                    classes,
                                    target,
                                    config.fidelity(ctx.seed()));
                    fidelity = againstTest.apply(generated.pixels(), generated.labels());
                    if (generatedDir == null && decodedAugmentation != null && !decodedAugmentation.isEmpty()) {
                        LabeledImages decoded = augmentationImages(decodedAugmentation, target, size);
                        decodedFidelity = againstTest.apply(decoded.pixels(), decoded.labels());
                    }
                }
                reportFidelity(ctx, fidelity, "", key -> true);
                if (decodedFidelity != null) {
                    // the decoder's FID and KID are summary metrics (the retrain gate's default reads decoded_fid)
                    reportFidelity(ctx, decodedFidelity, DECODED_PREFIX, java.util.Set.of("fid", "kid")::contains);
                }
                reportMemorization(
                        ctx,
                        featureNetwork[0],
                        manifest,
                        trainEntries,
                        train,
                        test,
                        generated,
                        generatedDir == null ? augmentationSamples : null);
                if (config.inceptionFile() != null) {
                    inception = inceptionFidelity(
                            config, datasetDir, manifest, labels, generatedDir, augmentationSamples, target, ctx);
                    reportFidelity(ctx, inception, "inception_", key -> false);
                }
            }
            EvaluationResult result = new EvaluationResult(target, downstream, fidelity, inception, space);
            writeOutputs(ctx, result);
            ctx.progress(1.0, "evaluation done");
            return result;
        } finally {
            if (featureNetwork[0] != null) {
                featureNetwork[0].close();
            }
        }
    }

    /** Seeds of the classifier runs, derived from the stage seed. */
    static List<Long> seeds(long stageSeed, int count) {
        SplittableRandom random = new SplittableRandom(stageSeed);
        List<Long> seeds = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            seeds.add(random.nextLong());
        }
        return seeds;
    }

    private static List<DatasetEntry> entries(DatasetManifest manifest, Split split) {
        return manifest.entries().stream().filter(e -> e.split() == split).toList();
    }

    /** The configured tail findings, or those present in fewer than {@code tail_frequency} of the images. */
    static Set<Integer> tailClasses(
            EvaluationConfig config, DatasetManifest manifest, StudyLabels labels, PrimaryFindingTarget target) {
        List<Finding> tailFindings = new ArrayList<>();
        if (!config.tailFindings().isEmpty()) {
            for (String label : config.tailFindings()) {
                tailFindings.add(Finding.fromLabel(label)
                        .orElseThrow(() -> new IllegalArgumentException("unknown tail finding: " + label)));
            }
        } else {
            tailFindings.addAll(labels.rareFindings(
                    manifest.entries().stream().map(DatasetEntry::studyId).toList(), config.tailFrequency()));
        }
        tailFindings.remove(Finding.NO_FINDING);
        return new TreeSet<>(target.indicesOf(tailFindings));
    }

    private static LabeledImages load(
            Path datasetDir, List<DatasetEntry> entries, StudyLabels labels, PrimaryFindingTarget target, int size)
            throws IOException {
        List<float[]> pixels = new ArrayList<>(entries.size());
        int[] classes = new int[entries.size()];
        for (int i = 0; i < entries.size(); i++) {
            DatasetEntry entry = entries.get(i);
            pixels.add(LabeledImages.toModelInput(ImageCodec.read(datasetDir.resolve(entry.imagePath())), size));
            classes[i] = target.classOf(labels, entry.studyId());
        }
        return new LabeledImages(size, pixels, classes);
    }

    private static LabeledImages augmentationImages(
            List<AugmentedSample> samples, PrimaryFindingTarget target, int size) {
        List<float[]> pixels = new ArrayList<>(samples.size());
        int[] labels = new int[samples.size()];
        for (int i = 0; i < samples.size(); i++) {
            pixels.add(LabeledImages.toModelInput(samples.get(i).image(), size));
            labels[i] = target.classOfPresent(samples.get(i).condition());
        }
        return new LabeledImages(size, pixels, labels);
    }

    /** Generated images for fidelity: a folder (unlabelled) or the augmentation set (labelled). */
    private record GeneratedSet(List<float[]> pixels, int[] labels) {}

    private static GeneratedSet generatedSet(Path generatedDir, LabeledImages augmented, int size) throws IOException {
        if (generatedDir != null) {
            List<float[]> pixels = new ArrayList<>();
            for (GrayImage image : ImageFolders.read(generatedDir)) {
                pixels.add(LabeledImages.toModelInput(image, size));
            }
            return new GeneratedSet(pixels, null);
        }
        if (augmented.count() == 0) {
            return null;
        }
        return new GeneratedSet(augmented.pixels(), augmented.labels());
    }

    private static FidelityResult inceptionFidelity(
            EvaluationConfig config,
            Path datasetDir,
            DatasetManifest manifest,
            StudyLabels labels,
            Path generatedDir,
            List<AugmentedSample> augmentation,
            PrimaryFindingTarget target,
            StageContext ctx)
            throws IOException {
        TorchScriptFeatureExtractor.Options options = TorchScriptFeatureExtractor.Options.inception()
                .withDevice(config.classifier().device());
        try (TorchScriptFeatureExtractor extractor =
                TorchScriptFeatureExtractor.load(Path.of(config.inceptionFile()), options)) {
            List<DatasetEntry> testEntries = entries(manifest, Split.TEST);
            List<GrayImage> real = new ArrayList<>();
            int[] realLabels = new int[testEntries.size()];
            for (int i = 0; i < testEntries.size(); i++) {
                real.add(ImageCodec.read(datasetDir.resolve(testEntries.get(i).imagePath())));
                realLabels[i] = target.classOf(labels, testEntries.get(i).studyId());
            }
            double[][] realFeatures = extractor.extractImages(real);
            double[][] generatedFeatures;
            int[] generatedLabels = null;
            if (generatedDir != null) {
                generatedFeatures = extractor.extractFolder(generatedDir);
            } else {
                generatedFeatures = extractor.extractImages(
                        augmentation.stream().map(AugmentedSample::image).toList());
                generatedLabels = augmentation.stream()
                        .mapToInt(s -> target.classOfPresent(s.condition()))
                        .toArray();
            }
            return FidelityEvaluation.evaluateFeatures(
                    extractor.space(),
                    realFeatures,
                    realLabels,
                    generatedFeatures,
                    generatedLabels,
                    target,
                    config.fidelity(ctx.seed()));
        }
    }

    private static void logParameters(
            StageContext ctx,
            EvaluationConfig config,
            DatasetManifest manifest,
            PrimaryFindingTarget target,
            Set<Integer> tail,
            LabeledImages train,
            LabeledImages validation,
            LabeledImages test,
            LabeledImages augmented) {
        ctx.logParam("dataset_version", manifest.version());
        ctx.logParam(
                "classification_target",
                "primary finding (rarest present finding in training wins; " + "No Finding when none)");
        ctx.logParam("classes", String.join(", ", target.classLabels()));
        ctx.logParam("class_priority", String.join(" > ", target.priorityLabels()));
        List<String> tailLabels =
                tail.stream().map(i -> target.classLabels().get(i)).toList();
        ctx.logParam("tail_classes", String.join(", ", tailLabels));
        ctx.logParam("classifier", config.classifier().architectureName());
        ctx.logParam("classifier_epochs", Integer.toString(config.classifier().epochs()));
        ctx.logParam(
                "classifier_class_balanced_loss",
                Boolean.toString(config.classifier().classBalancedLoss()));
        ctx.logParam("seeds", Integer.toString(config.seedCount()));
        ctx.logParam("train_images", Integer.toString(train.count()));
        ctx.logParam("val_images", Integer.toString(validation.count()));
        ctx.logParam("test_images", Integer.toString(test.count()));
        ctx.logParam("augmentation_images", Integer.toString(augmented.count()));
        LOG.info(
                "evaluate: {} classes, {} train / {} val / {} test images, {} augmentation images, {} seeds",
                target.classCount(),
                train.count(),
                validation.count(),
                test.count(),
                augmented.count(),
                config.seedCount());
    }

    private static void reportDownstream(StageContext ctx, DownstreamResult d, PrimaryFindingTarget target) {
        List<DownstreamArmResult> arms = new ArrayList<>(List.of(d.real()));
        if (d.hasAugmented()) {
            arms.add(d.augmented());
        }
        if (d.augmentedPlain() != null) {
            arms.add(d.augmentedPlain());
        }
        if (d.pretrainFinetune() != null) {
            arms.add(d.pretrainFinetune());
        }
        if (d.oracle() != null) {
            arms.add(d.oracle());
        }
        if (d.oracleCodes() != null) {
            arms.add(d.oracleCodes());
        }
        for (DownstreamArmResult arm : arms) {
            String suffix = "_" + arm.arm();
            summary(ctx, "accuracy" + suffix, arm.accuracy().mean());
            summary(ctx, "balanced_accuracy" + suffix, arm.balancedAccuracy().mean());
            summary(ctx, "macro_f1" + suffix, arm.macroF1().mean());
            summary(ctx, "auroc" + suffix, arm.auroc().mean());
            summary(ctx, "tail_recall" + suffix, arm.tailRecall().mean());
            summary(ctx, "head_recall" + suffix, arm.headRecall().mean());
            metric(ctx, "accuracy" + suffix + "_std", arm.accuracy().std());
            metric(
                    ctx,
                    "balanced_accuracy" + suffix + "_std",
                    arm.balancedAccuracy().std());
            metric(ctx, "macro_f1" + suffix + "_std", arm.macroF1().std());
            metric(ctx, "auroc" + suffix + "_std", arm.auroc().std());
            metric(ctx, "tail_recall" + suffix + "_std", arm.tailRecall().std());
            metric(ctx, "head_recall" + suffix + "_std", arm.headRecall().std());
            summary(ctx, "tail_auroc" + suffix, arm.tailAuroc().mean());
            summary(ctx, "head_auroc" + suffix, arm.headAuroc().mean());
            metric(ctx, "tail_auroc" + suffix + "_std", arm.tailAuroc().std());
            metric(ctx, "head_auroc" + suffix + "_std", arm.headAuroc().std());
            // 95 % t-intervals over the seeds (half-widths); the paired intervals below also cover the test draw
            metric(
                    ctx,
                    "balanced_accuracy" + suffix + "_ci95",
                    arm.balancedAccuracy().ci95());
            metric(ctx, "auroc" + suffix + "_ci95", arm.auroc().ci95());
            metric(ctx, "tail_recall" + suffix + "_ci95", arm.tailRecall().ci95());
            metric(ctx, "head_recall" + suffix + "_ci95", arm.headRecall().ci95());
            metric(ctx, "tail_auroc" + suffix + "_ci95", arm.tailAuroc().ci95());
            metric(ctx, "head_auroc" + suffix + "_ci95", arm.headAuroc().ci95());
            for (int c = 0; c < target.classCount(); c++) {
                String key = target.classKeys().get(c);
                int classIndex = c;
                metric(ctx, "recall" + suffix + "/" + key, arm.recall().get(c).mean());
                metric(
                        ctx,
                        "recall" + suffix + "_std/" + key,
                        arm.recall().get(c).std());
                metric(
                        ctx,
                        "auroc" + suffix + "/" + key,
                        arm.classAuroc(classIndex).mean());
            }
        }
        if (!d.hasAugmented()) {
            LOG.info("evaluate: no augmentation set; the real arm alone, no augmented arm and no deltas");
            return;
        }
        d.comparisons().forEach((arm, differences) -> reportPaired(ctx, "", arm, differences, "test split"));
        metric(ctx, "accuracy_delta", d.accuracyDelta());
        metric(ctx, "balanced_accuracy_delta", d.balancedAccuracyDelta());
        metric(ctx, "macro_f1_delta", d.macroF1Delta());
        metric(ctx, "auroc_delta", d.aurocDelta());
        metric(ctx, "tail_recall_delta", d.tailRecallDelta());
        metric(ctx, "head_recall_delta", d.headRecallDelta());
        for (int c = 0; c < target.classCount(); c++) {
            metric(ctx, "recall_delta/" + target.classKeys().get(c), d.recallDelta(c));
        }
    }

    /** An arm's paired differences from real: metrics under {@code PREFIXpaired_delta…} and one log line each. */
    private static void reportPaired(
            StageContext ctx,
            String prefix,
            String arm,
            Map<String, PairedBootstrap.Difference> differences,
            String where) {
        differences.forEach((name, diff) -> {
            metric(ctx, prefix + "paired_delta/" + arm + "/" + name, diff.difference());
            metric(ctx, prefix + "paired_delta_ci_low/" + arm + "/" + name, diff.low());
            metric(ctx, prefix + "paired_delta_ci_high/" + arm + "/" + name, diff.high());
            LOG.info(
                    "evaluate, {}: {}, {}: {} (95 % CI {} to {}, {} resamples of test studies and seeds)",
                    where,
                    arm.contains("_vs_") ? arm.replace("_vs_", " − ") : arm + " − real",
                    name,
                    String.format(Locale.ROOT, "%+.4f", diff.difference()),
                    String.format(Locale.ROOT, "%+.4f", diff.low()),
                    String.format(Locale.ROOT, "%+.4f", diff.high()),
                    diff.resamples());
        });
    }

    private static void logPowerCohort(
            StageContext ctx, PowerCohort.Cohort cohort, PrimaryFindingTarget target, Set<Integer> tail) {
        ctx.logParam("power_cohort_studies", Integer.toString(cohort.images().count()));
        ctx.logParam("power_cohort_seed", Long.toString(cohort.seed()));
        for (int c = 0; c < target.classCount(); c++) {
            metric(ctx, "power/studies/" + target.classKeys().get(c), cohort.classCounts()[c]);
        }
        int fewest = cohort.fewestTailStudies(tail);
        metric(ctx, "power/fewest_tail_studies", fewest);
        if (fewest < PowerCohort.MIN_STUDIES_PER_TAIL_CLASS) {
            LOG.warn(
                    "evaluate: the evaluation-only cohort has {} studies of its rarest tail class (sized for {});"
                            + " raise power_cohort_studies",
                    fewest,
                    PowerCohort.MIN_STUDIES_PER_TAIL_CLASS);
        }
    }

    /**
     * Every arm's classifiers on the evaluation-only cohort: per-arm metrics under {@code power/}, and each
     * augmented arm against real with the paired bootstrap; the tail AUROC and tail recall differences with
     * their intervals also go to the summary ({@code power_tail_auroc_delta_ARM}, …).
     */
    private static void reportPowerCohort(
            StageContext ctx,
            PowerCohort.Cohort cohort,
            Map<String, List<double[][]>> predictions,
            PrimaryFindingTarget target,
            Set<Integer> tail,
            List<Long> seeds) {
        int[] labels = cohort.images().labels();
        int classCount = target.classCount();
        for (Map.Entry<String, List<double[][]>> e : predictions.entrySet()) {
            List<ClassificationReport> reports = e.getValue().stream()
                    .map(p -> ClassificationMetrics.evaluate(labels, ClassificationMetrics.argmax(p), p, classCount))
                    .toList();
            DownstreamArmResult arm = DownstreamEvaluation.summarize(e.getKey(), reports, tail, classCount);
            String suffix = "_" + e.getKey();
            Map<String, MeanStd> values = new LinkedHashMap<>();
            values.put("balanced_accuracy", arm.balancedAccuracy());
            values.put("auroc", arm.auroc());
            values.put("tail_auroc", arm.tailAuroc());
            values.put("head_auroc", arm.headAuroc());
            values.put("tail_recall", arm.tailRecall());
            values.put("head_recall", arm.headRecall());
            values.forEach((name, v) -> {
                metric(ctx, "power/" + name + suffix, v.mean());
                metric(ctx, "power/" + name + suffix + "_ci95", v.ci95());
            });
            for (int c = 0; c < classCount; c++) {
                int classIndex = c;
                String key = target.classKeys().get(c);
                metric(
                        ctx,
                        "power/recall" + suffix + "/" + key,
                        arm.recall().get(c).mean());
                metric(
                        ctx,
                        "power/auroc" + suffix + "/" + key,
                        arm.classAuroc(classIndex).mean());
            }
        }
        List<double[][]> real = predictions.get(DownstreamEvaluation.REAL);
        for (Map.Entry<String, List<double[][]>> e : predictions.entrySet()) {
            if (e.getKey().equals(DownstreamEvaluation.REAL)) {
                continue;
            }
            String arm = e.getKey();
            Map<String, PairedBootstrap.Difference> differences = PairedBootstrap.compare(
                    labels,
                    real,
                    e.getValue(),
                    classCount,
                    tail,
                    DownstreamEvaluation.BOOTSTRAP_RESAMPLES,
                    seeds.get(0) ^ cohort.seed());
            reportPowerDifferences(ctx, arm, differences);
        }
        for (Map.Entry<String, String[]> c :
                DownstreamEvaluation.armComparisons(predictions).entrySet()) {
            reportPowerDifferences(
                    ctx,
                    c.getKey(),
                    PairedBootstrap.compare(
                            labels,
                            predictions.get(c.getValue()[0]),
                            predictions.get(c.getValue()[1]),
                            classCount,
                            tail,
                            DownstreamEvaluation.BOOTSTRAP_RESAMPLES,
                            seeds.get(0) ^ cohort.seed()));
        }
    }

    private static void reportPowerDifferences(
            StageContext ctx, String comparison, Map<String, PairedBootstrap.Difference> differences) {
        reportPaired(ctx, "power/", comparison, differences, "evaluation-only cohort");
        for (String name : List.of(PairedBootstrap.TAIL_AUROC, PairedBootstrap.TAIL_RECALL)) {
            PairedBootstrap.Difference diff = differences.get(name);
            summary(ctx, "power_" + name + "_delta_" + comparison, diff.difference());
            summary(ctx, "power_" + name + "_delta_" + comparison + "_ci_low", diff.low());
            summary(ctx, "power_" + name + "_delta_" + comparison + "_ci_high", diff.high());
        }
    }

    /**
     * The same classifiers scored on the reference's test targets: summary {@code <metric>_<arm>_vs_<source>}
     * (accuracy, balanced accuracy, macro-F1, tail and head recall), and how many test targets the two label
     * sources agree on ({@code evaluation_test_targets_agreement_vs_<source>}).
     */
    private static void reportAgainstReference(
            StageContext ctx,
            String source,
            Map<String, List<ClassificationReport>> reports,
            int[] targets,
            int[] referenceTargets,
            Set<Integer> tail,
            int classCount) {
        int same = 0;
        for (int i = 0; i < targets.length; i++) {
            same += targets[i] == referenceTargets[i] ? 1 : 0;
        }
        summary(ctx, "evaluation_test_targets_agreement_vs_" + source, same / (double) Math.max(1, targets.length));
        reports.forEach((arm, perSeed) -> {
            DownstreamArmResult r = DownstreamEvaluation.summarize(arm, perSeed, tail, classCount);
            String suffix = "_" + arm + "_vs_" + source;
            summary(ctx, "accuracy" + suffix, r.accuracy().mean());
            summary(ctx, "balanced_accuracy" + suffix, r.balancedAccuracy().mean());
            summary(ctx, "macro_f1" + suffix, r.macroF1().mean());
            summary(ctx, "tail_recall" + suffix, r.tailRecall().mean());
            summary(ctx, "head_recall" + suffix, r.headRecall().mean());
        });
    }

    /**
     * Logs a fidelity result under {@code prefix}: the overall keys {@code toSummary} accepts as summary metrics,
     * the other overall keys and the per-class values as metrics.
     */
    private static void reportFidelity(
            StageContext ctx, FidelityResult f, String prefix, java.util.function.Predicate<String> toSummary) {
        FidelityReport o = f.overall();
        Map<String, Double> overall = new LinkedHashMap<>();
        overall.put("fid", o.fid().fid());
        overall.put("kid", o.kid().mean());
        overall.put("precision", o.prdc().precision());
        overall.put("recall", o.prdc().recall());
        overall.put("density", o.prdc().density());
        overall.put("coverage", o.prdc().coverage());
        overall.forEach((k, v) -> {
            if (toSummary.test(k)) {
                summary(ctx, prefix + k, v);
            } else {
                metric(ctx, prefix + k, v);
            }
        });
        metric(ctx, prefix + "kid_std", o.kid().std());
        f.perClass().forEach((key, r) -> {
            metric(ctx, prefix + "fid/" + key, r.fid().fid());
            metric(ctx, prefix + "kid/" + key, r.kid().mean());
            metric(ctx, prefix + "precision/" + key, r.prdc().precision());
            metric(ctx, prefix + "recall/" + key, r.prdc().recall());
            metric(ctx, prefix + "density/" + key, r.prdc().density());
            metric(ctx, prefix + "coverage/" + key, r.prdc().coverage());
        });
        ctx.logParam(prefix + "fid_feature_space", f.space().name());
        ctx.logParam(
                prefix + "fid_feature_network_digest", String.valueOf(f.space().digest()));
    }

    /**
     * Memorization (CheXGenBench's privacy axis, {@link MemorizationCheck}) in pixels and in the in-domain
     * feature space: generated images against a training sample and the held-out test split.
     *
     * @param samples the augmentation set (for each image's source patient), or null for an unlabelled folder
     */
    private static void reportMemorization(
            StageContext ctx,
            TrainedClassifier featureNetwork,
            DatasetManifest manifest,
            List<DatasetEntry> trainEntries,
            LabeledImages train,
            LabeledImages test,
            GeneratedSet generated,
            List<AugmentedSample> samples) {
        Map<String, String> patientOfStudy = new HashMap<>();
        manifest.entries().forEach(e -> patientOfStudy.put(e.studyId(), e.patientId()));
        List<String> trainPatients =
                trainEntries.stream().map(DatasetEntry::patientId).toList();
        List<String> generatedPatients = new ArrayList<>();
        for (int i = 0; i < generated.pixels().size(); i++) {
            String source = samples == null ? null : samples.get(i).sourceStudyId();
            generatedPatients.add(source == null ? null : patientOfStudy.get(source));
        }
        long seed = ctx.seed() ^ 0x6D656D6FL;
        MemorizationCheck.Result pixels = MemorizationCheck.check(
                MemorizationCheck.vectors(generated.pixels()),
                generatedPatients,
                MemorizationCheck.vectors(train.pixels()),
                trainPatients,
                MemorizationCheck.vectors(test.pixels()),
                seed);
        MemorizationCheck.Result features;
        try (ClassifierFeatureExtractor extractor = ClassifierFeatureExtractor.of(featureNetwork)) {
            features = MemorizationCheck.check(
                    Arrays.asList(extractor.extract(generated.pixels())),
                    generatedPatients,
                    Arrays.asList(extractor.extract(train.pixels())),
                    trainPatients,
                    Arrays.asList(extractor.extract(test.pixels())),
                    seed);
        }
        Map<String, MemorizationCheck.Result> bySpace = new LinkedHashMap<>();
        bySpace.put("", pixels);
        bySpace.put("_features", features);
        for (Map.Entry<String, MemorizationCheck.Result> e : bySpace.entrySet()) {
            MemorizationCheck.Result r = e.getValue();
            summary(ctx, "memorization_closer_to_train" + e.getKey(), r.closerToTrainingFraction());
            summary(ctx, "memorization_distance_ratio" + e.getKey(), r.distanceRatio());
            summary(ctx, "memorization_near_copies" + e.getKey(), r.nearCopies());
            metric(ctx, "memorization_near_copy_threshold" + e.getKey(), r.nearCopyThreshold());
        }
        metric(ctx, "memorization_reference_size", pixels.referenceSize());
        if (pixels.nearCopies() > 0 || features.nearCopies() > 0) {
            LOG.warn(
                    "{} generated images are near-copies of training images in pixels, {} in features",
                    pixels.nearCopies(),
                    features.nearCopies());
        }
    }

    /** Summary values that are NaN (e.g. no tail class in the test split) are left out: trackers refuse NaN. */
    private static void summary(StageContext ctx, String key, double value) {
        if (Double.isNaN(value)) {
            LOG.info("summary metric {} is undefined on this data; not logged", key);
            return;
        }
        ctx.summaryMetric(key, value);
    }

    private static void metric(StageContext ctx, String key, double value) {
        if (!Double.isNaN(value)) {
            ctx.logMetric(key, value, 0);
        }
    }

    private static void writeOutputs(StageContext ctx, EvaluationResult result) throws IOException {
        Path confusion = ctx.workDir().resolve("confusion-matrices.png");
        Path recall = ctx.workDir().resolve("per-class-recall.png");
        EvaluationCharts.confusionMatrices(result.downstream(), confusion);
        EvaluationCharts.recallBars(result.downstream(), recall);
        ctx.addArtifact(ARTIFACT_CONFUSION, confusion);
        ctx.addArtifact(ARTIFACT_RECALL, recall);
        Path json = ctx.workDir().resolve("evaluation.json");
        JSON.writeValue(json.toFile(), EvaluationReportJson.of(result));
        ctx.addOutput(OUTPUT_RESULTS, json);
        Path predictions = ctx.workDir().resolve("test-predictions.json");
        COMPACT_JSON.writeValue(predictions.toFile(), result.downstream().testPredictions());
        ctx.addOutput(OUTPUT_TEST_PREDICTIONS, predictions);
    }
}
