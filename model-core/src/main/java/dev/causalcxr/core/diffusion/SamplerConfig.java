package dev.causalcxr.core.diffusion;

/**
 * DDIM sampling settings.
 *
 * @param steps    number of DDIM steps (at most the model's T)
 * @param eta      0 for the deterministic DDIM sampler, 1 for DDPM-like stochastic steps
 * @param guidance classifier-free guidance scale g: ε = ε_uncond + g·(ε_cond − ε_uncond);
 *                 0 is unconditional, 1 purely conditional, larger values trade diversity for fidelity
 */
public record SamplerConfig(int steps, float eta, float guidance) {

    public SamplerConfig {
        if (steps < 1) {
            throw new IllegalArgumentException("DDIM steps must be >= 1, got " + steps);
        }
        if (!(eta >= 0f && eta <= 1f)) {
            throw new IllegalArgumentException("eta must be in [0, 1], got " + eta);
        }
        if (!Float.isFinite(guidance) || guidance < 0f) {
            throw new IllegalArgumentException("guidance scale must be finite and >= 0, got " + guidance);
        }
    }

    public static SamplerConfig defaults() {
        return new SamplerConfig(50, 0f, 2f);
    }

    /** These settings with each given one (non-null) in place of its own. */
    public SamplerConfig overriddenBy(Integer steps, Float eta, Float guidance) {
        return new SamplerConfig(
                steps != null ? steps : this.steps,
                eta != null ? eta : this.eta,
                guidance != null ? guidance : this.guidance);
    }

    public SamplerConfig withGuidance(float g) {
        return new SamplerConfig(steps, eta, g);
    }
}
