/**
 * The evaluation suite: the in-domain feature network, fidelity of generated images, and the
 * downstream classifier comparison (DESIGN.md, "Metrics" and "The method", step 5).
 *
 * <h2>Classification target</h2>
 * A study's finding set (multi-label) becomes one class, its <em>primary finding</em>
 * ({@link dev.causalcxr.core.evaluation.PrimaryFindingTarget}): the classes are "No Finding" plus every
 * finding present in at least {@code minimumClassCount} training studies; among a study's present
 * findings the one rarest in the training split wins (a fixed priority, ties by vocabulary order);
 * "No Finding" when none is present. Uncertain counts as not present. Counterfactuals map from their
 * condition (the findings they were generated with) by the same rule, so real and augmented samples,
 * the downstream metrics and the per-class fidelity all share one target. Per-class AUROC is
 * one-vs-rest on this multi-class target (not multi-label per-finding AUROC).
 *
 * <h2>Classifier and feature space</h2>
 * {@link dev.causalcxr.core.evaluation.ClassifierTrainer} trains a small ResNet
 * ({@link dev.causalcxr.core.evaluation.ClassifierConfig}) deterministically from a seed and keeps the
 * epoch with the best validation balanced accuracy. Its penultimate layer (global average pool) is the
 * in-domain feature space; a saved network is one file whose SHA-256 is recorded with every fidelity
 * metric ({@link dev.causalcxr.core.evaluation.FeatureSpace}). A user-supplied Inception TorchScript
 * file gives the standard FID, labelled {@code inception}
 * ({@link dev.causalcxr.core.evaluation.TorchScriptFeatureExtractor}).
 *
 * <h2>Entry points</h2>
 * {@link dev.causalcxr.core.evaluation.EvaluationStage#run} is the {@code evaluate} stage function;
 * {@link dev.causalcxr.core.evaluation.FidCommand#run} is the work behind {@code causalcxr fid}.
 */
package dev.causalcxr.core.evaluation;
