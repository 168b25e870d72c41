package dev.causalcxr.activities.runner;

import dev.causalcxr.core.stage.StageContext;

/**
 * One stage as the runner sees it: a name and the work itself. Its code identity for the cache key
 * is not declared but measured: the fingerprint of the bytecode reachable from the implementing class
 * ({@link dev.causalcxr.core.provenance.CodeFingerprint}).
 */
public interface StageDefinition {
    String name();

    /** Does the work through the context: reads inputs, writes outputs, checkpoints, metrics. */
    void execute(String configJson, StageContext context) throws Exception;
}
