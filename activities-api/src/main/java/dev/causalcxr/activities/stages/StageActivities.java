package dev.causalcxr.activities.stages;

import dev.causalcxr.activities.runner.StageRequest;
import dev.causalcxr.activities.runner.StageResult;
import dev.causalcxr.core.spec.StageName;
import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;
import java.util.List;

/**
 * One activity per pipeline stage. Each resolves its inputs by reference, runs its model-core
 * function through the shared stage runner and returns the reference of its output manifest.
 */
@ActivityInterface
public interface StageActivities {

    @ActivityMethod(name = StageName.Labels.INGEST)
    StageResult ingest(StageRequest request);

    @ActivityMethod(name = StageName.Labels.PARSE_REPORTS)
    StageResult parseReports(StageRequest request);

    @ActivityMethod(name = StageName.Labels.TRAIN_DISENTANGLER)
    StageResult trainDisentangler(StageRequest request);

    @ActivityMethod(name = StageName.Labels.TRAIN_DIFFUSION)
    StageResult trainDiffusion(StageRequest request);

    /**
     * The classes of {@code optimize-tail-noise} that get a prior (finding keys, rarest first: the tail classes, or
     * every finding with {@code prior_classes: all}), read from the disentangler's training codes: the workflow fans
     * out one {@link #optimizeTailNoiseClass} per class.
     */
    @ActivityMethod(name = StageName.Labels.OPTIMIZE_TAIL_NOISE + "-classes")
    List<String> tailNoiseClasses(StageRequest request);

    /** One class's prior; {@code request.stage()} is {@code optimize-tail-noise/<finding key>}. */
    @ActivityMethod(name = StageName.Labels.OPTIMIZE_TAIL_NOISE + "-class")
    StageResult optimizeTailNoiseClass(StageRequest request);

    /** Joins the per-class priors (their manifests are among the inputs) and runs the ablation. */
    @ActivityMethod(name = StageName.Labels.OPTIMIZE_TAIL_NOISE)
    StageResult optimizeTailNoise(StageRequest request);

    @ActivityMethod(name = StageName.Labels.GENERATE_COUNTERFACTUALS)
    StageResult generateCounterfactuals(StageRequest request);

    @ActivityMethod(name = StageName.Labels.EVALUATE)
    StageResult evaluate(StageRequest request);
}
