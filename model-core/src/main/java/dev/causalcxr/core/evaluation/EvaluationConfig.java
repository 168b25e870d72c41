package dev.causalcxr.core.evaluation;

import dev.causalcxr.core.findings.Finding;
import dev.causalcxr.core.metrics.fidelity.FidelityConfig;
import dev.causalcxr.core.metrics.fidelity.KernelInceptionDistance;
import dev.causalcxr.core.metrics.fidelity.PrecisionRecallDensityCoverage;
import dev.causalcxr.core.spec.InvalidConfigException;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code evaluate} block of an experiment spec.
 *
 * @param classifier         architecture and budget of every classifier (downstream arms and feature network)
 * @param seedCount          training seeds per arm (derived from the stage seed); more seeds give mean ± std
 * @param minimumClassCount  fewest present training studies a finding needs to be a class
 * @param tailFrequency      findings present in fewer than this fraction of the data set's studies are tail
 *                           classes (the data set manifest's definition), unless {@code tailFindings} is given
 * @param tailFindings       explicit tail finding labels, or empty to use {@code tailFrequency}
 * @param kidSubsets         KID subsets
 * @param kidSubsetSize      KID subset size (capped at the smaller set)
 * @param nearestK           k of precision / recall / density / coverage
 * @param inceptionFile      an Inception TorchScript file for the standard FID, or null (nothing is downloaded)
 * @param powerCohortStudies on a phantom data set, the studies of an evaluation-only cohort (new seed, new
 *                           patients, every tail class common) on which the downstream arms are also compared;
 *                           0 for none (see {@link PowerCohort})
 * @param pretrainFinetuneArm also train each seed's classifier on the augmentation set alone and then fine-tune
 *                           it on the real training split (the recipe RoentGen-v2 reports its gain with): a
 *                           fourth arm, {@code pretrain_finetune}
 * @param oracleArm          on a phantom, also train on real + the phantom's exact counterfactuals of the
 *                           augmentation set's own requests (same sources, same conditions): the {@code oracle} arm,
 *                           the ceiling any generator could reach with these requests, so that a gap between it and
 *                           {@code augmented} is the generator's and a gap between it and {@code real} is the
 *                           requests'
 */
public record EvaluationConfig(
        ClassifierConfig classifier,
        int seedCount,
        int minimumClassCount,
        double tailFrequency,
        List<String> tailFindings,
        int kidSubsets,
        int kidSubsetSize,
        int nearestK,
        String inceptionFile,
        int powerCohortStudies,
        boolean pretrainFinetuneArm,
        boolean oracleArm) {

    /** Without an evaluation-only cohort ({@code powerCohortStudies} 0). */
    public EvaluationConfig(
            ClassifierConfig classifier,
            int seedCount,
            int minimumClassCount,
            double tailFrequency,
            List<String> tailFindings,
            int kidSubsets,
            int kidSubsetSize,
            int nearestK,
            String inceptionFile) {
        this(
                classifier,
                seedCount,
                minimumClassCount,
                tailFrequency,
                tailFindings,
                kidSubsets,
                kidSubsetSize,
                nearestK,
                inceptionFile,
                0,
                false,
                false);
    }

    /** With an evaluation-only cohort, without the pretrain-then-fine-tune arm. */
    public EvaluationConfig(
            ClassifierConfig classifier,
            int seedCount,
            int minimumClassCount,
            double tailFrequency,
            List<String> tailFindings,
            int kidSubsets,
            int kidSubsetSize,
            int nearestK,
            String inceptionFile,
            int powerCohortStudies) {
        this(
                classifier,
                seedCount,
                minimumClassCount,
                tailFrequency,
                tailFindings,
                kidSubsets,
                kidSubsetSize,
                nearestK,
                inceptionFile,
                powerCohortStudies,
                false,
                false);
    }

    public EvaluationConfig {
        tailFindings = tailFindings == null ? List.of() : List.copyOf(tailFindings);
        List<String> p = new ArrayList<>();
        if (seedCount < 1) {
            p.add("seedCount: must be >= 1, got " + seedCount);
        }
        if (minimumClassCount < 1) {
            p.add("minimumClassCount: must be >= 1, got " + minimumClassCount);
        }
        if (!(tailFrequency > 0 && tailFrequency < 1)) {
            p.add("tailFrequency: must be in (0, 1), got " + tailFrequency);
        }
        for (int i = 0; i < tailFindings.size(); i++) {
            String unknown = Finding.labelProblem(tailFindings.get(i));
            if (unknown != null) {
                p.add("tailFindings[" + i + "]: " + unknown);
            }
        }
        if (powerCohortStudies < 0 || powerCohortStudies > PowerCohort.MAX_STUDIES) {
            p.add("powerCohortStudies: must be 0 for none or at most " + PowerCohort.MAX_STUDIES + ", got "
                    + powerCohortStudies);
        }
        InvalidConfigException.check(EvaluationConfig.class, p);
    }

    /** Quick profile: the quick classifier, 3 seeds, tail below 5 %, customary KID / PRDC settings. */
    public static EvaluationConfig quick() {
        return new EvaluationConfig(
                ClassifierConfig.quick(),
                3,
                5,
                0.05,
                List.of(),
                KernelInceptionDistance.DEFAULT_SUBSETS,
                KernelInceptionDistance.DEFAULT_SUBSET_SIZE,
                PrecisionRecallDensityCoverage.DEFAULT_NEAREST_K,
                null);
    }

    public EvaluationConfig withClassifier(ClassifierConfig c) {
        return new EvaluationConfig(
                c,
                seedCount,
                minimumClassCount,
                tailFrequency,
                tailFindings,
                kidSubsets,
                kidSubsetSize,
                nearestK,
                inceptionFile,
                powerCohortStudies,
                pretrainFinetuneArm,
                oracleArm);
    }

    public EvaluationConfig withSeedCount(int n) {
        return new EvaluationConfig(
                classifier,
                n,
                minimumClassCount,
                tailFrequency,
                tailFindings,
                kidSubsets,
                kidSubsetSize,
                nearestK,
                inceptionFile,
                powerCohortStudies,
                pretrainFinetuneArm,
                oracleArm);
    }

    public EvaluationConfig withPowerCohortStudies(int n) {
        return new EvaluationConfig(
                classifier,
                seedCount,
                minimumClassCount,
                tailFrequency,
                tailFindings,
                kidSubsets,
                kidSubsetSize,
                nearestK,
                inceptionFile,
                n,
                pretrainFinetuneArm,
                oracleArm);
    }

    public EvaluationConfig withPretrainFinetuneArm(boolean on) {
        return new EvaluationConfig(
                classifier,
                seedCount,
                minimumClassCount,
                tailFrequency,
                tailFindings,
                kidSubsets,
                kidSubsetSize,
                nearestK,
                inceptionFile,
                powerCohortStudies,
                on,
                oracleArm);
    }

    public EvaluationConfig withOracleArm(boolean on) {
        return new EvaluationConfig(
                classifier,
                seedCount,
                minimumClassCount,
                tailFrequency,
                tailFindings,
                kidSubsets,
                kidSubsetSize,
                nearestK,
                inceptionFile,
                powerCohortStudies,
                pretrainFinetuneArm,
                on);
    }

    public EvaluationConfig withMinimumClassCount(int n) {
        return new EvaluationConfig(
                classifier,
                seedCount,
                n,
                tailFrequency,
                tailFindings,
                kidSubsets,
                kidSubsetSize,
                nearestK,
                inceptionFile,
                powerCohortStudies,
                pretrainFinetuneArm,
                oracleArm);
    }

    public EvaluationConfig withTailFindings(List<String> labels) {
        return new EvaluationConfig(
                classifier,
                seedCount,
                minimumClassCount,
                tailFrequency,
                labels,
                kidSubsets,
                kidSubsetSize,
                nearestK,
                inceptionFile,
                powerCohortStudies,
                pretrainFinetuneArm,
                oracleArm);
    }

    public EvaluationConfig withInceptionFile(String file) {
        return new EvaluationConfig(
                classifier,
                seedCount,
                minimumClassCount,
                tailFrequency,
                tailFindings,
                kidSubsets,
                kidSubsetSize,
                nearestK,
                file,
                powerCohortStudies,
                pretrainFinetuneArm,
                oracleArm);
    }

    public FidelityConfig fidelity(long seed) {
        return new FidelityConfig(kidSubsets, kidSubsetSize, nearestK, seed);
    }
}
