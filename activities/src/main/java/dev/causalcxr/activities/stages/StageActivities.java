package dev.causalcxr.activities.stages;

import dev.causalcxr.activities.runner.StageRequest;
import dev.causalcxr.activities.runner.StageResult;
import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;
import java.util.List;

/**
 * One activity per pipeline stage. Each resolves its inputs by reference, runs its model-core
 * function through the shared stage runner and returns the reference of its output manifest.
 */
@ActivityInterface
public interface StageActivities {

    @ActivityMethod(name = "ingest")
    StageResult ingest(StageRequest request);

    @ActivityMethod(name = "parse-reports")
    StageResult parseReports(StageRequest request);

    @ActivityMethod(name = "train-disentangler")
    StageResult trainDisentangler(StageRequest request);

    @ActivityMethod(name = "train-diffusion")
    StageResult trainDiffusion(StageRequest request);

    /**
     * The tail classes of {@code optimize-tail-noise} (finding keys, rarest first), read from the
     * disentangler's training codes: the workflow fans out one {@link #optimizeTailNoiseClass} per class.
     */
    @ActivityMethod(name = "optimize-tail-noise-classes")
    List<String> tailNoiseClasses(StageRequest request);

    /** One tail class's prior; {@code request.stage()} is {@code optimize-tail-noise/<finding key>}. */
    @ActivityMethod(name = "optimize-tail-noise-class")
    StageResult optimizeTailNoiseClass(StageRequest request);

    /** Joins the per-class priors (their manifests are among the inputs) and runs the ablation. */
    @ActivityMethod(name = "optimize-tail-noise")
    StageResult optimizeTailNoise(StageRequest request);

    @ActivityMethod(name = "generate-counterfactuals")
    StageResult generateCounterfactuals(StageRequest request);

    @ActivityMethod(name = "evaluate")
    StageResult evaluate(StageRequest request);
}
