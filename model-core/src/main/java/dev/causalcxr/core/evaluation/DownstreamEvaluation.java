package dev.causalcxr.core.evaluation;

import dev.causalcxr.core.metrics.classification.ClassificationMetrics;
import dev.causalcxr.core.metrics.classification.ClassificationReport;
import dev.causalcxr.core.metrics.classification.HeadTailRecall;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The downstream comparison: for every seed, one classifier on the real training split and one on the
 * real training split plus the augmentation set — same architecture, same seed, same number of
 * optimizer steps (⌈real training images / batch⌉ per epoch for both), same validation split for
 * selection — both tested on the same held-out, patient-disjoint real test split.
 */
public final class DownstreamEvaluation {

    private static final Logger LOG = LoggerFactory.getLogger(DownstreamEvaluation.class);
    public static final String REAL = "real";
    public static final String AUGMENTED = "augmented";
    /** The ablation arm: real plus counterfactuals sampled from plain N(0, I) initial noise. */
    public static final String AUGMENTED_PLAIN = "augmented_plain";
    /**
     * augmented − augmented_plain: the tail-noise optimization's own share, the same requests and seeds sampled from
     * the optimized priors and from plain N(0, I) noise.
     */
    public static final String OPTIMIZED_VS_PLAIN = "augmented_vs_augmented_plain";
    /** The ceiling: real plus the phantom's exact counterfactuals of the augmentation set's requests. */
    public static final String ORACLE = "oracle";
    /** The comparison of the augmented arm with the oracle arm (augmented − oracle): what the generator loses. */
    public static final String GENERATOR_VS_ORACLE = "augmented_vs_oracle";
    /**
     * The generator with a perfect sampler: real plus the augmentation set's requests answered with the code the
     * encoder reads from each exact counterfactual, composed as the generator composes ({@code code_oracle}).
     */
    public static final String ORACLE_CODES = "oracle_codes";
    /** augmented − oracle_codes: what sampling the pathology codes (diffusion model, priors) loses. */
    public static final String GENERATOR_VS_CODE_ORACLE = "augmented_vs_oracle_codes";
    /** oracle_codes − oracle: what the autoencoder (encoder, decoder, composition) loses. */
    public static final String CODE_ORACLE_VS_ORACLE = "oracle_codes_vs_oracle";
    /** The transfer arm: trained on the augmentation set alone, then fine-tuned on the real training split. */
    public static final String PRETRAIN_FINETUNE = "pretrain_finetune";
    /** Draws of the paired bootstrap behind each arm's confidence intervals against the real arm. */
    static final int BOOTSTRAP_RESAMPLES = 1000;
    /** Keeps the bootstrap's stream apart from the classifier seed it is derived from. */
    private static final long BOOTSTRAP_SEED_SALT = 0x5eed_b007L;

    /** Sees every trained classifier before it is closed; returning true keeps it open for the caller to close. */
    public interface ClassifierHandler {
        boolean keep(String arm, long seed, TrainedClassifier classifier) throws IOException;
    }

    /** Progress over the 2 × seeds training runs: {@code run} of {@code runs}, with the current epoch. */
    public interface ProgressListener {
        void onEpoch(
                String arm,
                long seed,
                int run,
                int runs,
                int epoch,
                int epochs,
                double meanTrainLoss,
                double validationBalancedAccuracy);
    }

    private DownstreamEvaluation() {}

    /**
     * @param augmentation           the augmentation set; null or empty leaves the augmented arm out (it would be
     *                               the real arm again: same images, same seeds), so the result has the real arm
     *                               alone
     * @param plainAugmentation      the ablation's augmentation set (an arm with the same seeds and budget), or
     *                               null for none
     * @param pretrainFinetune       also the {@link #PRETRAIN_FINETUNE} arm (needs an augmentation set): per seed,
     *                               a classifier trained on the augmentation set alone (its own steps per epoch,
     *                               model selection on the real validation split) whose parameters start the
     *                               real-only training of the same seed and budget as the real arm
     * @param oracleAugmentation     the phantom's exact counterfactuals of the augmentation set's requests: the
     *                               {@link #ORACLE} arm (same seeds and budget), or null for none
     * @param codeOracleAugmentation the same requests answered with the exact counterfactuals' codes through the
     *                               generator's autoencoder: the {@link #ORACLE_CODES} arm, or null for none
     */
    public static DownstreamResult run(
            ClassifierConfig config,
            List<Long> seeds,
            PrimaryFindingTarget target,
            LabeledImages train,
            LabeledImages validation,
            LabeledImages test,
            LabeledImages augmentation,
            LabeledImages plainAugmentation,
            boolean pretrainFinetune,
            LabeledImages oracleAugmentation,
            LabeledImages codeOracleAugmentation,
            Set<Integer> tailClasses,
            ProgressListener progress,
            ClassifierHandler handler,
            BooleanSupplier cancelled)
            throws IOException {
        if (seeds.isEmpty()) {
            throw new IllegalArgumentException("need at least one seed");
        }
        if (test.count() == 0) {
            throw new IllegalArgumentException("the test split is empty");
        }
        int steps = ClassifierTrainer.stepsPerEpoch(train.count(), config.batchSize());
        Map<String, LabeledImages> pools = new LinkedHashMap<>();
        pools.put(REAL, train);
        boolean augmented = augmentation != null && augmentation.count() > 0;
        if (augmented) {
            pools.put(AUGMENTED, train.concat(augmentation));
        }
        if (plainAugmentation != null) {
            pools.put(AUGMENTED_PLAIN, train.concat(plainAugmentation));
        }
        boolean oracle = oracleAugmentation != null && oracleAugmentation.count() > 0;
        if (oracle) {
            pools.put(ORACLE, train.concat(oracleAugmentation));
        }
        boolean codeOracle = codeOracleAugmentation != null && codeOracleAugmentation.count() > 0;
        if (codeOracle) {
            pools.put(ORACLE_CODES, train.concat(codeOracleAugmentation));
        }
        boolean transfer = pretrainFinetune && augmented;
        if (transfer) {
            // trained from the pretrained parameters on the real pool: the pool is the real arm's
            pools.put(PRETRAIN_FINETUNE, train);
        }
        int classCount = target.classCount();
        Map<String, List<ClassificationReport>> reports = new LinkedHashMap<>();
        pools.keySet().forEach(arm -> reports.put(arm, new ArrayList<>()));
        Map<String, List<double[][]>> predictions = new LinkedHashMap<>();
        pools.keySet().forEach(arm -> predictions.put(arm, new ArrayList<>()));
        int runs = (pools.size() + (transfer ? 1 : 0)) * seeds.size();
        int run = 0;
        for (long seed : seeds) {
            for (String arm : pools.keySet()) {
                List<float[]> pretrained = null;
                if (arm.equals(PRETRAIN_FINETUNE)) {
                    int preIndex = run++;
                    try (TrainedClassifier pre = ClassifierTrainer.train(
                            config,
                            target,
                            augmentation,
                            ClassifierTrainer.stepsPerEpoch(augmentation.count(), config.batchSize()),
                            validation,
                            seed,
                            config.architectureName() + "/" + arm + "-pretrain-seed" + seed,
                            (epoch, epochs, loss, score) ->
                                    progress.onEpoch(arm, seed, preIndex, runs, epoch, epochs, loss, score),
                            cancelled)) {
                        pretrained = pre.snapshotParameters();
                    }
                }
                int runIndex = run++;
                LabeledImages pool = pools.get(arm);
                TrainedClassifier classifier = ClassifierTrainer.train(
                        config,
                        target,
                        pool,
                        steps,
                        validation,
                        seed,
                        config.architectureName() + "/" + arm + "-seed" + seed,
                        (epoch, epochs, loss, score) ->
                                progress.onEpoch(arm, seed, runIndex, runs, epoch, epochs, loss, score),
                        cancelled,
                        pretrained);
                boolean kept = false;
                try {
                    double[][] probabilities = classifier.predictProbabilities(test.pixels());
                    ClassificationReport report = ClassificationMetrics.evaluate(
                            test.labels(), ClassificationMetrics.argmax(probabilities), probabilities, classCount);
                    reports.get(arm).add(report);
                    predictions.get(arm).add(probabilities);
                    LOG.info(
                            "downstream {} seed {}: accuracy {}, balanced accuracy {}",
                            arm,
                            seed,
                            report.accuracy(),
                            report.balancedAccuracy());
                    kept = handler.keep(arm, seed, classifier);
                } finally {
                    if (!kept) {
                        classifier.close();
                    }
                }
            }
        }
        Map<String, Map<String, PairedBootstrap.Difference>> comparisons = new LinkedHashMap<>();
        for (String arm : pools.keySet()) {
            if (!arm.equals(REAL)) {
                comparisons.put(
                        arm,
                        PairedBootstrap.compare(
                                test.labels(),
                                predictions.get(REAL),
                                predictions.get(arm),
                                classCount,
                                tailClasses,
                                BOOTSTRAP_RESAMPLES,
                                seeds.get(0) ^ BOOTSTRAP_SEED_SALT));
            }
        }
        armComparisons(predictions)
                .forEach((name, pair) -> comparisons.put(
                        name,
                        PairedBootstrap.compare(
                                test.labels(),
                                predictions.get(pair[0]),
                                predictions.get(pair[1]),
                                classCount,
                                tailClasses,
                                BOOTSTRAP_RESAMPLES,
                                seeds.get(0) ^ BOOTSTRAP_SEED_SALT)));
        return new DownstreamResult(
                target.classLabels(),
                Set.copyOf(tailClasses),
                List.copyOf(seeds),
                comparisons,
                summarize(REAL, reports.get(REAL), tailClasses, classCount),
                augmented ? summarize(AUGMENTED, reports.get(AUGMENTED), tailClasses, classCount) : null,
                plainAugmentation == null
                        ? null
                        : summarize(AUGMENTED_PLAIN, reports.get(AUGMENTED_PLAIN), tailClasses, classCount),
                transfer ? summarize(PRETRAIN_FINETUNE, reports.get(PRETRAIN_FINETUNE), tailClasses, classCount) : null,
                oracle ? summarize(ORACLE, reports.get(ORACLE), tailClasses, classCount) : null,
                codeOracle ? summarize(ORACLE_CODES, reports.get(ORACLE_CODES), tailClasses, classCount) : null,
                new TestPredictions(
                        TestPredictions.digest(test),
                        target.classLabels(),
                        tailClasses,
                        seeds,
                        test.labels(),
                        predictions));
    }

    /**
     * The comparisons between arms other than real that the arms present allow, each as its name → {base arm,
     * compared arm} (compared − base): the optimized priors against plain noise; the generator against the oracle,
     * and against the code oracle; the code oracle against the oracle. The last three split the generator's gap to
     * the exact counterfactuals into what sampling the codes loses and what the autoencoder loses.
     */
    static Map<String, String[]> armComparisons(Map<String, ?> arms) {
        Map<String, String[]> out = new LinkedHashMap<>();
        if (arms.containsKey(AUGMENTED_PLAIN) && arms.containsKey(AUGMENTED)) {
            out.put(OPTIMIZED_VS_PLAIN, new String[] {AUGMENTED_PLAIN, AUGMENTED});
        }
        if (arms.containsKey(ORACLE) && arms.containsKey(AUGMENTED)) {
            // the generator's own gap: its counterfactuals against the exact ones of the same requests
            out.put(GENERATOR_VS_ORACLE, new String[] {ORACLE, AUGMENTED});
        }
        if (arms.containsKey(ORACLE_CODES) && arms.containsKey(AUGMENTED)) {
            out.put(GENERATOR_VS_CODE_ORACLE, new String[] {ORACLE_CODES, AUGMENTED});
        }
        if (arms.containsKey(ORACLE) && arms.containsKey(ORACLE_CODES)) {
            out.put(CODE_ORACLE_VS_ORACLE, new String[] {ORACLE, ORACLE_CODES});
        }
        return out;
    }

    static DownstreamArmResult summarize(
            String arm, List<ClassificationReport> reports, Set<Integer> tailClasses, int classCount) {
        int n = reports.size();
        double[] accuracy = new double[n];
        double[] balanced = new double[n];
        double[] macroF1 = new double[n];
        double[] auroc = new double[n];
        double[] head = new double[n];
        double[] tail = new double[n];
        double[] headAuroc = new double[n];
        double[] tailAuroc = new double[n];
        double[][] recall = new double[classCount][n];
        int[][] confusion = new int[classCount][classCount];
        for (int s = 0; s < n; s++) {
            ClassificationReport r = reports.get(s);
            accuracy[s] = r.accuracy();
            balanced[s] = r.balancedAccuracy();
            macroF1[s] = r.macroF1();
            auroc[s] = r.macroAuroc();
            HeadTailRecall headTail = r.headTailRecall(tailClasses);
            head[s] = headTail.headMeanRecall();
            tail[s] = headTail.tailMeanRecall();
            headAuroc[s] = meanAuroc(r, tailClasses, false);
            tailAuroc[s] = meanAuroc(r, tailClasses, true);
            for (int c = 0; c < classCount; c++) {
                // a class absent from the test split has no recall
                recall[c][s] = r.support()[c] == 0 ? Double.NaN : r.recall()[c];
                for (int p = 0; p < classCount; p++) {
                    confusion[c][p] += r.confusion()[c][p];
                }
            }
        }
        List<MeanStd> perClass = new ArrayList<>();
        for (int c = 0; c < classCount; c++) {
            perClass.add(MeanStd.of(recall[c]));
        }
        return new DownstreamArmResult(
                arm,
                List.copyOf(reports),
                MeanStd.of(accuracy),
                MeanStd.of(balanced),
                MeanStd.of(macroF1),
                MeanStd.of(auroc),
                MeanStd.of(head),
                MeanStd.of(tail),
                MeanStd.of(headAuroc),
                MeanStd.of(tailAuroc),
                perClass,
                confusion);
    }

    /** Mean of the defined per-class AUROCs of the tail classes (tail) or of the others (head); NaN if none. */
    static double meanAuroc(ClassificationReport r, Set<Integer> tailClasses, boolean tail) {
        double sum = 0;
        int n = 0;
        for (int c = 0; c < r.classCount(); c++) {
            if (tailClasses.contains(c) == tail && !Double.isNaN(r.auroc()[c])) {
                sum += r.auroc()[c];
                n++;
            }
        }
        return n == 0 ? Double.NaN : sum / n;
    }
}
