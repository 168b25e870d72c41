package dev.causalcxr.activities.pipeline;

import java.util.Map;

/** The end of a pipeline run: status, summary JSON and the final metrics for the parent run. */
public record RunFinish(
        String runId, String trackingRunId, String status, String summaryJson, Map<String, Double> metrics) {}
