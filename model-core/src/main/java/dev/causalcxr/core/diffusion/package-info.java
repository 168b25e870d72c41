/**
 * Finding-guided diffusion over pathology codes {@code z_path} (DESIGN.md, "The method", steps 3–4).
 *
 * <ul>
 *   <li>{@link dev.causalcxr.core.diffusion.Condition}: present findings (severity, laterality, zone)
 *       or the null condition; from report-level findings, a finding name, free text through the
 *       rule-based parser, or an intervention on a source study's findings.</li>
 *   <li>{@link dev.causalcxr.core.diffusion.DiffusionTraining}: the {@code train-diffusion} stage
 *       function (cosine-schedule DDPM, ε-prediction, condition dropout, resumable Adam checkpoints).</li>
 *   <li>{@link dev.causalcxr.core.diffusion.DiffusionModel}: the saved model and its DDIM sampler
 *       (steps, η, classifier-free guidance, optional initial noise) and the differentiable
 *       {@code denoise} used to optimize initial noise.</li>
 *   <li>{@link dev.causalcxr.core.diffusion.PathologyScorer}: what the disentangler's auxiliary head
 *       implements; {@link dev.causalcxr.core.diffusion.MlpPathologyScorer} stands in for it.</li>
 *   <li>{@link dev.causalcxr.core.diffusion.DiffusionMetrics} and
 *       {@link dev.causalcxr.core.diffusion.TradeoffPlot}: diversity, effectiveness, the guidance
 *       trade-off plot.</li>
 *   <li>{@code tailnoise}: per-class initial-noise priors for tail classes.</li>
 * </ul>
 *
 * The network is written as plain NDArray code over a {@link dev.causalcxr.core.diffusion.ParameterStore}
 * rather than DJL blocks: parameters and optimizer state then save exactly (DJL's {@code Model.save}
 * keeps no optimizer state), and one function serves training and back-propagation to x_T.
 */
package dev.causalcxr.core.diffusion;
