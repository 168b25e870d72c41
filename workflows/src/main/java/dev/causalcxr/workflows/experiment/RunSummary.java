package dev.causalcxr.workflows.experiment;

import java.util.List;
import java.util.Map;

/**
 * The result of a pipeline run: each stage's outcome, every final metric, and the registered model
 * version ({@code NAME@VERSION}) when the run trained a complete counterfactual generator.
 */
public record RunSummary(
        String runId,
        String status,
        List<StageOutcome> stages,
        Map<String, Double> metrics,
        String trackingRunId,
        String error,
        String registeredModel) {

    /**
     * @param seconds  wall time from the stage's first attempt to its completion, retries and fail-overs included
     * @param attempts the attempt that completed it (0 when unknown: a failed or cancelled stage)
     */
    public record StageOutcome(
            String stage, String status, boolean cacheHit, double seconds, String manifestDigest, int attempts) {}
}
