package dev.causalcxr.workflows.experiment;

import java.util.List;

/**
 * A run's progress: the stage now running and the fraction of it done, each stage's state, elapsed
 * time. The workflow's {@code progress()} query answers all but the fraction (heartbeats do not reach
 * workflow code); {@link ExperimentClient#progress} adds it from the running activity's last
 * heartbeat.
 */
public record PipelineProgress(
        String runId,
        String currentStage,
        double currentStageFraction,
        int completedStages,
        int totalStages,
        List<StageState> stages,
        long elapsedMillis,
        boolean cancelRequested) {

    public PipelineProgress withCurrentStageFraction(double fraction) {
        return new PipelineProgress(
                runId, currentStage, fraction, completedStages, totalStages, stages, elapsedMillis, cancelRequested);
    }

    public record StageState(String stage, String status, boolean cacheHit, double seconds) {}
}
