package dev.causalcxr.workflows.retrain;

import dev.causalcxr.activities.retrain.RetrainRequest;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/**
 * Retrains a champion on new data: lineage → training set → warm-started fine-tuning → champion and challenger on
 * every frozen test split → gate → promote or keep as challenger → history.
 */
@WorkflowInterface
public interface RetrainWorkflow {
    @WorkflowMethod
    RetrainSummary retrain(RetrainRequest request);
}
