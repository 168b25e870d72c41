package dev.causalcxr.activities.retrain;

import java.util.List;
import java.util.Map;

/**
 * What the deciding activity needs: the retrain, the challenger and each split's metrics for both models.
 *
 * @param challenger          the challenger's reference {@code NAME@VERSION}
 * @param championMetrics     per split (in the preparation's order), the champion's metrics
 * @param challengerMetrics   per split, the challenger's metrics
 */
public record RetrainDecisionRequest(
        RetrainRequest request,
        RetrainPreparation preparation,
        String challenger,
        List<Map<String, Double>> championMetrics,
        List<Map<String, Double>> challengerMetrics) {}
