package dev.causalcxr.activities.runner;

import java.util.Map;

/**
 * What a stage activity returns: the digest of its output manifest and its summary metrics.
 */
public record StageResult(String stage, String manifestDigest, boolean cacheHit, double seconds,
                          Map<String, Double> metrics, String trackingRunId) {
}
