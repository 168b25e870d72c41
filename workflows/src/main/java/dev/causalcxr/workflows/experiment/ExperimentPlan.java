package dev.causalcxr.workflows.experiment;

import dev.causalcxr.core.spec.StageName;
import java.util.List;

/**
 * Everything the experiment workflow needs, decided before it starts (the workflow itself reads no
 * files and no clocks): the run's identity and one plan per stage, in order.
 */
public record ExperimentPlan(
        String runId,
        String experiment,
        String specName,
        String specDigest,
        String specJson,
        String codeVersion,
        long seed,
        String profile,
        List<StagePlan> stages) {

    /**
     * @param stage       the stage (its label in JSON, so recorded histories read back)
     * @param taskQueue   where its activity runs
     * @param configJson  its canonical config block
     * @param seed        its seed
     * @param inputStages the earlier stages whose outputs it reads
     * @param force       run it even if the cache has it
     */
    public record StagePlan(
            StageName stage,
            String taskQueue,
            String configJson,
            long seed,
            List<StageName> inputStages,
            boolean force) {}
}
