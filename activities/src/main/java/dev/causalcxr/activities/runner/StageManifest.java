package dev.causalcxr.activities.runner;

import java.util.Map;

/**
 * The published description of a finished stage: what went in, what came out (content-addressed)
 * and the summary metrics. Its own digest is the stage's output reference.
 */
public record StageManifest(String stage, int codeVersion, String cacheKey, String configJson, long seed,
                            Map<String, String> inputs, Map<String, Entry> outputs, Map<String, Entry> artifacts,
                            Map<String, Double> metrics) {

    public record Entry(String digest, long size) {
    }
}
