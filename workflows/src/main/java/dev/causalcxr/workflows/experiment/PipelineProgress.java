package dev.causalcxr.workflows.experiment;

import java.util.List;

/** What the {@code progress()} query answers: the stage now running, each stage's state, elapsed time. */
public record PipelineProgress(String runId, String currentStage, int completedStages, int totalStages,
                               List<StageState> stages, long elapsedMillis, boolean cancelRequested) {

    public record StageState(String stage, String status, boolean cacheHit, double seconds) {
    }
}
