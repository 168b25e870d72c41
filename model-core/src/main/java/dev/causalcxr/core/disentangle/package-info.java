/**
 * Causal disentanglement (DESIGN.md, "The method", step 2): an encoder to a spatial identity code
 * {@code z_id} and a pathology code {@code z_path}, a FiLM decoder {@code D(z_id, z_path)}, trained with
 * reconstruction + (1 − SSIM), KL on {@code z_path}, code swaps inside identity groups (same patient)
 * and pathology groups (same finding tuple), a dependence penalty, an adversarial finding probe on
 * {@code z_id} behind gradient reversal and an auxiliary finding head on {@code z_path}.
 *
 * <p>Entry points: {@link dev.causalcxr.core.disentangle.DisentanglerStage#run} (the
 * {@code train-disentangler} stage function), {@link dev.causalcxr.core.disentangle.DisentanglerModel}
 * (load, encode, decode, counterfactual) and {@link dev.causalcxr.core.disentangle.EncodedCodes} (the
 * codes file the diffusion stage reads).
 */
package dev.causalcxr.core.disentangle;
