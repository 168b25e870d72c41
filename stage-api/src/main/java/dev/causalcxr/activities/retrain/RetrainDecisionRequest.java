package dev.causalcxr.activities.retrain;

import java.util.List;
import java.util.Map;

/**
 * What the deciding activity needs: the retrain, the challenger and each split's metrics for both models.
 *
 * @param challenger          the challenger's reference {@code NAME@VERSION}
 * @param championMetrics     per split (in the preparation's order), the champion's metrics
 * @param challengerMetrics   per split, the challenger's metrics
 * @param championEvaluations per split, the digest of the champion run's {@code evaluate} manifest (its test
 *                            predictions pair the two models study by study); null entries, or a null list (a
 *                            request from before this field), where there is none
 * @param challengerEvaluations the same for the challenger's runs
 */
public record RetrainDecisionRequest(
        RetrainRequest request,
        RetrainPreparation preparation,
        String challenger,
        List<Map<String, Double>> championMetrics,
        List<Map<String, Double>> challengerMetrics,
        List<String> championEvaluations,
        List<String> challengerEvaluations) {}
