package dev.causalcxr.activities.pipeline;

import java.util.Map;

/**
 * What the workflow asks to register after a successful run: references only.
 *
 * @param runId        the pipeline run (provenance; links the MLflow model version to its run)
 * @param modelName    the registered model's name (the spec's name)
 * @param manifests    stage → output manifest digest of the run's stages
 * @param specDigest   the spec's digest
 * @param codeVersion  the code version that trained it
 * @param metrics      the run's final metrics (the overall ones are stored with the version)
 */
public record ModelRegistration(
        String runId,
        String modelName,
        Map<String, String> manifests,
        String specDigest,
        String codeVersion,
        Map<String, Double> metrics) {}
