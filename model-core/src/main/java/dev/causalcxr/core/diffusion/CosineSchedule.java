package dev.causalcxr.core.diffusion;

/**
 * The cosine noise schedule of Nichol &amp; Dhariwal (2021): ᾱ(t) = f(t)/f(0) with
 * f(t) = cos²(((t/T) + s)/(1 + s) · π/2), s = 0.008, and β_t clipped at 0.999 so the last steps stay
 * finite. Index i in [0, T) is diffusion step i + 1.
 */
public final class CosineSchedule {
    private static final double OFFSET = 0.008;
    private static final double MAX_BETA = 0.999;

    private final double[] alphaBar;

    public CosineSchedule(int timesteps) {
        if (timesteps < 2) {
            throw new IllegalArgumentException("timesteps must be at least 2, got " + timesteps);
        }
        alphaBar = new double[timesteps];
        double previous = 1.0;
        for (int i = 0; i < timesteps; i++) {
            double beta = Math.min(1.0 - f(i + 1, timesteps) / f(i, timesteps), MAX_BETA);
            previous *= 1.0 - beta;
            alphaBar[i] = previous;
        }
    }

    private static double f(int t, int total) {
        double c = Math.cos(((double) t / total + OFFSET) / (1.0 + OFFSET) * Math.PI / 2.0);
        return c * c;
    }

    public int timesteps() {
        return alphaBar.length;
    }

    /** ᾱ at index i (diffusion step i + 1). */
    public double alphaBar(int i) {
        return alphaBar[i];
    }

    /**
     * The DDIM timestep indices for {@code steps} steps, increasing, evenly spaced from 0 to T − 2.
     * The last index T − 1 is left out: there β hits its 0.999 clip and ᾱ drops a thousandfold (to
     * about 1e-7 for T = 100), so x̂₀ = (x − √(1−ᾱ)ε̂)/√ᾱ would amplify the noise-prediction error by
     * √(ᾱ_prev/ᾱ) ≈ 100 on the first step. At T − 2 the signal is already √ᾱ ≈ 0.016 of x₀.
     */
    public int[] ddimTimesteps(int steps) {
        int last = alphaBar.length - 2;
        if (steps > last + 1) {
            throw new IllegalArgumentException("DDIM steps (" + steps + ") exceed the model's T - 1 = " + (last + 1));
        }
        if (steps == 1) {
            return new int[] {last};
        }
        int[] ts = new int[steps];
        for (int i = 0; i < steps; i++) {
            ts[i] = (int) Math.round((double) i * last / (steps - 1));
        }
        return ts;
    }
}
