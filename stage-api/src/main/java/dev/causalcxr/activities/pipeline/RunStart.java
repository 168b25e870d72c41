package dev.causalcxr.activities.pipeline;

/** A new pipeline run: its id, the spec's name, canonical JSON and digest, and the code version. */
public record RunStart(
        String runId,
        String experiment,
        String specName,
        String specDigest,
        String specJson,
        String codeVersion,
        long seed,
        String profile) {}
