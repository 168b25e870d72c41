/**
 * Counterfactual chest X-rays and what is built from them (DESIGN.md, "The method", steps 3–4, and
 * "Metrics", counterfactual soundness).
 *
 * <ul>
 *   <li>{@link dev.causalcxr.core.counterfactual.CounterfactualGenerator}: {@code D(z_id(x), ẑ_path)} for
 *       a condition, free text or an intervention on a study's findings, with tail-noise priors;</li>
 *   <li>{@link dev.causalcxr.core.counterfactual.CounterfactualMetrics}: effectiveness, identity
 *       preservation, ground-truth SSIM, composition, reversibility, diversity, guidance trade-off;</li>
 *   <li>{@link dev.causalcxr.core.counterfactual.AugmentationPlan} and
 *       {@link dev.causalcxr.core.counterfactual.AugmentationSet}: the tail-balancing synthetic training
 *       set, one zip file with a manifest (study ids only, never report text);</li>
 *   <li>{@link dev.causalcxr.core.counterfactual.CounterfactualStage}: the {@code generate-counterfactuals}
 *       stage function, configured by {@link dev.causalcxr.core.counterfactual.CounterfactualConfig}.</li>
 * </ul>
 */
package dev.causalcxr.core.counterfactual;
