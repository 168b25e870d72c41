package dev.causalcxr.activities.runner;

import dev.causalcxr.core.stage.StageContext;

/**
 * One stage as the runner sees it: a name, a code version (bump it when the stage's behaviour
 * changes, so old cache entries stop matching) and the work itself.
 */
public interface StageDefinition {
    String name();

    int codeVersion();

    /** Does the work through the context: reads inputs, writes outputs, checkpoints, metrics. */
    void execute(String configJson, StageContext context) throws Exception;
}
