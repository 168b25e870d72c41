package dev.causalcxr.activities.runner;

import java.util.Map;

/**
 * The published description of a finished stage: what went in, what came out (content-addressed),
 * the summary metrics, the parameters it logged (e.g. the dataset version) and its provenance (code
 * fingerprint and commit, runtime, engine, seed, spec). Its own digest is the stage's output reference.
 */
public record StageManifest(
        String stage,
        String cacheKey,
        String configJson,
        long seed,
        Map<String, String> inputs,
        Map<String, Entry> outputs,
        Map<String, Entry> artifacts,
        Map<String, Double> metrics,
        Map<String, String> params,
        Map<String, String> provenance) {

    public record Entry(String digest, long size) {}
}
