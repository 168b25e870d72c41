package dev.causalcxr.activities.retrain;

import java.util.List;
import java.util.Map;

/**
 * One stage of a retrain's run, as the planning activity decided it (the workflow maps it onto its experiment plan).
 *
 * @param stage       the stage's label
 * @param configJson  its config (the champion's, with the retrain's step budget)
 * @param seed        its seed (the champion's: a resumed trajectory keeps its seed)
 * @param inputStages the labels of the earlier stages whose outputs it reads
 * @param extraInputs input name → manifest digest (the warm start)
 */
public record ChainStage(
        String stage, String configJson, long seed, List<String> inputStages, Map<String, String> extraInputs) {}
