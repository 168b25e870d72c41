package dev.causalcxr.activities.runner;

import java.util.Map;

/**
 * What a stage activity receives: references and small records only.
 *
 * @param pipelineRunId   the run (also the workflow id)
 * @param experiment      the tracking experiment name
 * @param stage           the stage's name (see {@code StageName})
 * @param configJson      the stage's canonical config block
 * @param seed            the stage's seed
 * @param inputs          output manifests of earlier stages, by stage name
 * @param force           skip the cache lookup and run again
 * @param parentTrackingRunId the pipeline's tracking run (local journal id)
 */
public record StageRequest(
        String pipelineRunId,
        String experiment,
        String stage,
        String configJson,
        long seed,
        Map<String, String> inputs,
        boolean force,
        String parentTrackingRunId) {}
