package dev.causalcxr.activities.retrain;

import dev.causalcxr.activities.runner.StageManifest;
import dev.causalcxr.core.evaluation.EvaluationStage;
import dev.causalcxr.core.evaluation.TestPredictions;
import dev.causalcxr.core.retrain.ChampionComparison;
import dev.causalcxr.infra.objectstore.ObjectStore;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads two evaluate runs' published test predictions from the object store and pairs them ({@link
 * ChampionComparison}). Nothing to pair gives an empty map: a paired gate rule then fails for lack of evidence, as
 * any rule whose metric was not measured does.
 */
final class PairedEvidence {
    private static final Logger LOG = LoggerFactory.getLogger(PairedEvidence.class);

    private PairedEvidence() {}

    /**
     * @param championEvaluate   digest of the champion run's evaluate manifest, or null (no evaluate stage)
     * @param challengerEvaluate the same for the challenger's run
     * @param split              the test split's data set name (for the log)
     */
    static Map<String, Double> read(
            ObjectStore store, String championEvaluate, String challengerEvaluate, String split) {
        if (championEvaluate == null || challengerEvaluate == null) {
            return Map.of();
        }
        TestPredictions champion = testPredictions(store, championEvaluate);
        TestPredictions challenger = testPredictions(store, challengerEvaluate);
        if (champion == null || challenger == null) {
            LOG.info(
                    "retrain: no test predictions to pair on {} (an evaluate manifest from before they were published)",
                    split);
            return Map.of();
        }
        try {
            return ChampionComparison.compare(champion, challenger);
        } catch (IllegalArgumentException e) {
            LOG.warn("retrain: no paired comparison on {}: {}", split, e.getMessage());
            return Map.of();
        }
    }

    /** The manifest's test predictions, or null when it has none. */
    private static TestPredictions testPredictions(ObjectStore store, String evaluateManifest) {
        StageManifest m = store.readJson(evaluateManifest, StageManifest.class);
        StageManifest.Entry e = m.outputs().get(EvaluationStage.OUTPUT_TEST_PREDICTIONS);
        return e == null ? null : store.readJson(e.digest(), TestPredictions.class);
    }
}
