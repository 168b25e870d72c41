package dev.causalcxr.activities.retrain;

import java.util.List;
import java.util.Map;

/**
 * One pipeline run of a retrain: fine-tuning the champion on the training set, or measuring a model on a test split.
 *
 * @param runId           the run's id (a child workflow's id and a row of the journal)
 * @param purpose         what it is for, in words ({@code challenger on site-b}); no data
 * @param stages          its stages, in order
 * @param presetManifests stage label → manifest of the data it works on ({@code ingest})
 * @param evaluationOnly  true for a measurement (nothing is registered)
 */
public record ChainPlan(
        String runId,
        String purpose,
        List<ChainStage> stages,
        Map<String, String> presetManifests,
        boolean evaluationOnly) {}
