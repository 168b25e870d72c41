package dev.causalcxr.core.counterfactual;

import dev.causalcxr.core.diffusion.SamplerConfig;
import dev.causalcxr.core.engine.DeviceName;
import dev.causalcxr.core.findings.Finding;
import dev.causalcxr.core.spec.InvalidConfigException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code generate-counterfactuals} stage's block of the spec (snake_case keys in YAML).
 *
 * @param ddimSteps           DDIM steps of the sampler
 * @param eta                 DDIM η (0: deterministic sampler)
 * @param guidance            classifier-free guidance scale for the metrics, the grid and the augmentation
 * @param samplesPerCondition n: counterfactuals per (source, condition) pair in the metrics (≥ 2: diversity)
 * @param metricSources       test studies per condition in the metrics
 * @param metricConditions    finding names to intervene with ("No Finding" removes the source's findings);
 *                            empty: every finding the models know, plus No Finding
 * @param guidanceSweep       guidance scales of the effectiveness–diversity trade-off
 * @param sweepPairs          (source, finding) pairs per scale in the trade-off
 * @param tailFraction        classes with fewer training studies than this × the head class's count are
 *                            brought up to that level
 * @param maxPerClass         at most this many generated images per class
 * @param classCounts         explicit images per finding name (replaces the tail rule when not empty)
 * @param gridSources         rows of the counterfactual grid (test studies)
 * @param gridConditions      conditions (columns groups) of the grid
 * @param gridSamples         samples per condition in the grid
 * @param usePriors           draw the initial noise of tail classes from their learned priors
 * @param plainAblation       with priors, also build the same augmentation set from N(0, I) (same seeds)
 * @param codeOracle          on a phantom data set, also answer the augmentation set's requests with the pathology
 *                            code the encoder reads from each request's exact counterfactual, composed as the
 *                            generator composes: the generator with a perfect sampler, the evaluate stage's
 *                            {@code oracle_codes} arm (with {@code oracle_arm})
 * @param judgeCohortStudies  on a phantom data set, train the independent effectiveness judge on this many
 *                            studies of an evaluation-only phantom cohort (new seed, new patients, every
 *                            rendered finding at 20 %) instead of the validation split; 0: the validation split
 * @param judgeSteps          the judge's optimizer steps (a larger cohort needs more to be seen once)
 * @param judgeDownsamplings  stride-2 convolutions of the judge's four ({@link FindingJudge.Config})
 * @param composition         how a counterfactual is made from the decoder's images ({@link
 *                            Composition}): {@code residual} (the default), {@code localized}
 *                            or {@code decoded}; the registered model records it, so the {@code counterfactual}
 *                            command and the service compose the same way
 * @param localizeThreshold   with {@code localized}: the share of a change's smoothed peak from which a pixel is kept
 *                            whole ({@link ChangeMask}), in (0, 1]
 * @param device              {@code cpu}, {@code gpu} or {@code gpu:N}
 */
public record CounterfactualConfig(
        int ddimSteps,
        float eta,
        float guidance,
        int samplesPerCondition,
        int metricSources,
        List<String> metricConditions,
        List<Double> guidanceSweep,
        int sweepPairs,
        double tailFraction,
        int maxPerClass,
        Map<String, Integer> classCounts,
        int gridSources,
        int gridConditions,
        int gridSamples,
        boolean usePriors,
        boolean plainAblation,
        boolean codeOracle,
        int judgeCohortStudies,
        int judgeSteps,
        int judgeDownsamplings,
        String composition,
        double localizeThreshold,
        String device) {

    private static final int MAX_JUDGE_STEPS = 100_000;

    public CounterfactualConfig {
        metricConditions = metricConditions == null ? List.of() : List.copyOf(metricConditions);
        guidanceSweep = guidanceSweep == null ? List.of() : List.copyOf(guidanceSweep);
        classCounts = classCounts == null
                ? Map.of()
                : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(classCounts));
        device = device == null || device.isBlank() ? "cpu" : device;
        composition = composition == null || composition.isBlank() ? Composition.RESIDUAL.key() : composition;
        List<String> p = new ArrayList<>();
        if (ddimSteps < 1 || ddimSteps > 1000) {
            p.add("ddimSteps: must be in 1..1000, got " + ddimSteps);
        }
        if (!(eta >= 0f && eta <= 1f)) {
            p.add("eta: must be in [0, 1], got " + eta);
        }
        if (!Float.isFinite(guidance) || guidance < 0f) {
            p.add("guidance: must be finite and >= 0, got " + guidance);
        }
        if (samplesPerCondition < 2) {
            p.add("samplesPerCondition: must be >= 2 (diversity compares samples), got " + samplesPerCondition);
        }
        if (metricSources < 1) {
            p.add("metricSources: must be >= 1, got " + metricSources);
        }
        for (int i = 0; i < metricConditions.size(); i++) {
            String unknown = Finding.labelProblem(metricConditions.get(i));
            if (unknown != null) {
                p.add("metricConditions[" + i + "]: " + unknown);
            }
        }
        for (int i = 0; i < guidanceSweep.size(); i++) {
            Double g = guidanceSweep.get(i);
            if (g == null || !Double.isFinite(g) || g < 0) {
                p.add("guidanceSweep[" + i + "]: must be finite and >= 0, got " + g);
            }
        }
        if (!guidanceSweep.isEmpty() && sweepPairs < 1) {
            p.add("sweepPairs: must be >= 1 when guidanceSweep is given, got " + sweepPairs);
        }
        if (!(tailFraction > 0 && tailFraction <= 1)) {
            p.add("tailFraction: must be in (0, 1], got " + tailFraction);
        }
        if (maxPerClass < 0) {
            p.add("maxPerClass: must be >= 0, got " + maxPerClass);
        }
        classCounts.forEach((k, v) -> {
            String unknown = Finding.labelProblem(k);
            if (unknown != null) {
                p.add("classCounts." + k + ": " + unknown);
            } else if (Finding.fromLabel(k).get() == Finding.NO_FINDING) {
                p.add("classCounts." + k + ": No Finding is not a class to generate");
            }
            if (v == null || v < 0) {
                p.add("classCounts." + k + ": must be >= 0, got " + v);
            }
        });
        nonNegative(p, "gridSources", gridSources);
        nonNegative(p, "gridConditions", gridConditions);
        nonNegative(p, "gridSamples", gridSamples);
        if (judgeCohortStudies < 0 || judgeCohortStudies > JudgeCohort.MAX_STUDIES) {
            p.add("judgeCohortStudies: must be in 0.." + JudgeCohort.MAX_STUDIES + ", got " + judgeCohortStudies);
        }
        if (judgeSteps < 1 || judgeSteps > MAX_JUDGE_STEPS) {
            p.add("judgeSteps: must be in 1.." + MAX_JUDGE_STEPS + ", got " + judgeSteps);
        }
        if (judgeDownsamplings < 1 || judgeDownsamplings > FindingJudge.LAYERS) {
            p.add("judgeDownsamplings: must be in 1.." + FindingJudge.LAYERS + ", got " + judgeDownsamplings);
        }
        if (Composition.fromKey(composition).isEmpty()) {
            p.add("composition: must be one of " + Composition.keys() + ", got '" + composition + "'");
        }
        if (!Composition.isLocalizeThreshold(localizeThreshold)) {
            p.add("localizeThreshold: must be in (0, 1], got " + localizeThreshold);
        }
        if (DeviceName.problem(device) != null) {
            p.add("device: " + DeviceName.problem(device));
        }
        InvalidConfigException.check(CounterfactualConfig.class, p);
    }

    private static void nonNegative(List<String> p, String name, int v) {
        if (v < 0) {
            p.add(name + ": must be >= 0, got " + v);
        }
    }

    /** The quick profile: 64 px on one CPU thread in well under a minute. */
    public static CounterfactualConfig quick() {
        return new CounterfactualConfig(
                25,
                0f,
                2f,
                4,
                2,
                List.of(),
                List.of(0.0, 1.0, 2.0, 4.0),
                3,
                0.25,
                24,
                Map.of(),
                4,
                3,
                2,
                true,
                true,
                false,
                0,
                FindingJudge.Config.quick(0).steps(),
                FindingJudge.Config.quick(0).downsamplings(),
                Composition.RESIDUAL.key(),
                Composition.DEFAULT_LOCALIZE_THRESHOLD,
                "cpu");
    }

    /** The judge's training for a seed: the quick judge with this config's steps and downsamplings. */
    public FindingJudge.Config judge(long seed) {
        return FindingJudge.Config.quick(seed).withBudget(judgeSteps, judgeDownsamplings);
    }

    /** The composition this block names. */
    public Composition compositionKind() {
        return Composition.fromKey(composition).orElseThrow();
    }

    public SamplerConfig sampler() {
        return new SamplerConfig(ddimSteps, eta, guidance);
    }

    public CounterfactualConfig withClassCounts(Map<String, Integer> counts) {
        return new CounterfactualConfig(
                ddimSteps,
                eta,
                guidance,
                samplesPerCondition,
                metricSources,
                metricConditions,
                guidanceSweep,
                sweepPairs,
                tailFraction,
                maxPerClass,
                counts,
                gridSources,
                gridConditions,
                gridSamples,
                usePriors,
                plainAblation,
                codeOracle,
                judgeCohortStudies,
                judgeSteps,
                judgeDownsamplings,
                composition,
                localizeThreshold,
                device);
    }

    public CounterfactualConfig withMetricConditions(List<String> conditions) {
        return new CounterfactualConfig(
                ddimSteps,
                eta,
                guidance,
                samplesPerCondition,
                metricSources,
                conditions,
                guidanceSweep,
                sweepPairs,
                tailFraction,
                maxPerClass,
                classCounts,
                gridSources,
                gridConditions,
                gridSamples,
                usePriors,
                plainAblation,
                codeOracle,
                judgeCohortStudies,
                judgeSteps,
                judgeDownsamplings,
                composition,
                localizeThreshold,
                device);
    }

    public CounterfactualConfig withDdimSteps(int steps) {
        return new CounterfactualConfig(
                steps,
                eta,
                guidance,
                samplesPerCondition,
                metricSources,
                metricConditions,
                guidanceSweep,
                sweepPairs,
                tailFraction,
                maxPerClass,
                classCounts,
                gridSources,
                gridConditions,
                gridSamples,
                usePriors,
                plainAblation,
                codeOracle,
                judgeCohortStudies,
                judgeSteps,
                judgeDownsamplings,
                composition,
                localizeThreshold,
                device);
    }

    public CounterfactualConfig withMaxPerClass(int max) {
        return new CounterfactualConfig(
                ddimSteps,
                eta,
                guidance,
                samplesPerCondition,
                metricSources,
                metricConditions,
                guidanceSweep,
                sweepPairs,
                tailFraction,
                max,
                classCounts,
                gridSources,
                gridConditions,
                gridSamples,
                usePriors,
                plainAblation,
                codeOracle,
                judgeCohortStudies,
                judgeSteps,
                judgeDownsamplings,
                composition,
                localizeThreshold,
                device);
    }

    public CounterfactualConfig withCodeOracle(boolean on) {
        return new CounterfactualConfig(
                ddimSteps,
                eta,
                guidance,
                samplesPerCondition,
                metricSources,
                metricConditions,
                guidanceSweep,
                sweepPairs,
                tailFraction,
                maxPerClass,
                classCounts,
                gridSources,
                gridConditions,
                gridSamples,
                usePriors,
                plainAblation,
                on,
                judgeCohortStudies,
                judgeSteps,
                judgeDownsamplings,
                composition,
                localizeThreshold,
                device);
    }

    /** Explicit per-class counts as findings (empty when the tail rule applies). */
    public Map<Finding, Integer> explicitCounts() {
        Map<Finding, Integer> out = new java.util.EnumMap<>(Finding.class);
        classCounts.forEach((k, v) -> out.put(Finding.fromLabel(k).orElseThrow(), v));
        return out;
    }
}
