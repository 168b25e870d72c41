package dev.causalcxr.workflows.experiment;

import dev.causalcxr.core.spec.StageName;
import java.util.List;
import java.util.Map;

/**
 * Everything the experiment workflow needs, decided before it starts (the workflow itself reads no
 * files and no clocks): the run's identity and one plan per stage, in order.
 *
 * <p>The last three components are a retrain's (null or false in a plain run and in histories recorded before
 * them, which then behave as they did):
 *
 * @param presetManifests stage label → output manifest of a stage that does not run here but whose outputs the
 *                        stages read (a retrain's training set stands in for {@code ingest})
 * @param registerAs      the model name to register the generator under (null: the spec's name)
 * @param evaluationOnly  register nothing: the run measures an existing model on other data
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
        List<StagePlan> stages,
        Map<String, String> presetManifests,
        String registerAs,
        boolean evaluationOnly) {

    /** A plain run's plan: every stage runs here, the model is registered under the spec's name. */
    public ExperimentPlan(
            String runId,
            String experiment,
            String specName,
            String specDigest,
            String specJson,
            String codeVersion,
            long seed,
            String profile,
            List<StagePlan> stages) {
        this(runId, experiment, specName, specDigest, specJson, codeVersion, seed, profile, stages, null, null, false);
    }

    /**
     * @param stage       the stage (its label in JSON, so recorded histories read back)
     * @param taskQueue   where its activity runs
     * @param configJson  its canonical config block
     * @param seed        its seed
     * @param inputStages the earlier stages whose outputs it reads
     * @param force       run it even if the cache has it
     * @param extraInputs input name → manifest digest beyond the earlier stages' (a retrain's warm start); may be
     *                    null
     */
    public record StagePlan(
            StageName stage,
            String taskQueue,
            String configJson,
            long seed,
            List<StageName> inputStages,
            boolean force,
            Map<String, String> extraInputs) {

        public StagePlan(
                StageName stage,
                String taskQueue,
                String configJson,
                long seed,
                List<StageName> inputStages,
                boolean force) {
            this(stage, taskQueue, configJson, seed, inputStages, force, null);
        }
    }
}
