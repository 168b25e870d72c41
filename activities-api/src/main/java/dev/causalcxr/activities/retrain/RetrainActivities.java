package dev.causalcxr.activities.retrain;

import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;
import java.util.List;
import java.util.Map;

/**
 * The retrain's bookkeeping around the stage activities: resolving the champion's lineage and building the
 * training set, planning the measuring runs, and the gate's decision with its record. Bad input (an unknown model
 * or alias, a data set without a test split, a gate naming an unknown split or metric) fails without retries, as
 * {@code RetrainInputException}, before anything trains or is registered.
 */
@ActivityInterface
public interface RetrainActivities {

    @ActivityMethod
    RetrainPreparation prepare(RetrainRequest request);

    /**
     * The challenger's runs on each test split: its fine-tuned stages, warm-started from its own final checkpoints
     * with no further step.
     *
     * @param challengerManifests stage label → the fine-tuning run's output manifest
     */
    @ActivityMethod
    List<ChainPlan> challengerEvaluations(RetrainPreparation preparation, Map<String, String> challengerManifests);

    /** Applies the gate, moves the aliases (or not), appends the history and tags the MLflow model version. */
    @ActivityMethod
    RetrainDecision decide(RetrainDecisionRequest request);
}
