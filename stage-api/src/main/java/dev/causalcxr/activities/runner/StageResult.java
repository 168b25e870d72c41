package dev.causalcxr.activities.runner;

import java.util.Map;

/**
 * What a stage activity returns: the digest of its output manifest and its summary metrics.
 *
 * @param seconds the attempt that produced it (its own time, not the stage's wall time over retries)
 * @param attempt which attempt produced it (1 for the first; 0 in results recorded before it was carried)
 */
public record StageResult(
        String stage,
        String manifestDigest,
        boolean cacheHit,
        double seconds,
        Map<String, Double> metrics,
        String trackingRunId,
        int attempt) {}
