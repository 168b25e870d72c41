package dev.causalcxr.activities;

import dev.causalcxr.core.spec.StageName;

/** The Temporal task queues: CPU work (ingest, parsing, metrics, registry) and accelerated work. */
public final class TaskQueues {
    public static final String CPU = "causalcxr-cpu";
    public static final String GPU = "causalcxr-gpu";

    private TaskQueues() {}

    public static String forStage(StageName stage) {
        return stage.accelerated() ? GPU : CPU;
    }
}
