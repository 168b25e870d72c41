package dev.causalcxr.activities.stages;

import dev.causalcxr.activities.runner.StageRequest;
import dev.causalcxr.activities.runner.StageResult;
import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;

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
}
