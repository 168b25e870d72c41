package dev.causalcxr.activities.retrain;

import java.util.List;

/**
 * A retrain, resolved and planned before anything trains: the champion and its lineage, the training set (a
 * recorded data set version), the run that fine-tunes, and the runs that measure the champion on every test split.
 *
 * @param modelName        the registered model
 * @param championVersion  the champion's version number
 * @param championRunId    the pipeline run that trained the champion
 * @param specName         the champion's spec's name
 * @param specDigest       its digest
 * @param specJson         its canonical JSON
 * @param codeVersion      the code version doing the retrain
 * @param seed             the spec's seed
 * @param profile          the spec's profile
 * @param experiment       the tracking experiment
 * @param trainingSet      the training set, {@code NAME@VERSION}
 * @param trainingSetParents the data set versions it was built from
 * @param splits           the test splits, old ones first
 * @param training         the fine-tuning run
 * @param championEvaluations the champion's runs on each split, in the order of {@code splits}
 */
public record RetrainPreparation(
        String modelName,
        int championVersion,
        String championRunId,
        String specName,
        String specDigest,
        String specJson,
        String codeVersion,
        long seed,
        String profile,
        String experiment,
        String trainingSet,
        List<String> trainingSetParents,
        List<TestSplit> splits,
        ChainPlan training,
        List<ChainPlan> championEvaluations) {}
