package dev.causalcxr.workflows.retrain;

import dev.causalcxr.activities.retrain.RetrainDecision;
import dev.causalcxr.activities.retrain.TestSplit;
import dev.causalcxr.workflows.experiment.RunSummary;
import java.util.List;
import java.util.Map;

/**
 * The result of a retrain.
 *
 * @param status            {@code promoted}, {@code challenger} (the gate refused) or {@code failed}
 * @param trainingSet       the recorded training set {@code NAME@VERSION}
 * @param splits            the test splits compared on
 * @param training          the fine-tuning run
 * @param championMetrics   per split, the champion's metrics
 * @param challengerMetrics per split, the challenger's metrics
 * @param decision          the gate's decision (null when the retrain failed before it)
 * @param error             why it failed (null otherwise)
 */
public record RetrainSummary(
        String retrainId,
        String status,
        String trainingSet,
        List<TestSplit> splits,
        RunSummary training,
        List<Map<String, Double>> championMetrics,
        List<Map<String, Double>> challengerMetrics,
        RetrainDecision decision,
        String error) {}
