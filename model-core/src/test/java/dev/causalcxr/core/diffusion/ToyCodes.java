package dev.causalcxr.core.diffusion;

import dev.causalcxr.core.findings.Finding;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/** A toy conditional distribution: z_path codes clustered around one centre per finding. */
public final class ToyCodes {
    public static final List<Finding> CLASSES =
            List.of(Finding.PLEURAL_EFFUSION, Finding.PNEUMOTHORAX, Finding.CARDIOMEGALY);
    static final float SPREAD = 0.3f;

    final float[][] centres;
    public final float[][] codes;
    public final List<Condition> conditions = new ArrayList<>();
    final int[] labels;

    public ToyCodes(int dim, int perClass, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        centres = new float[CLASSES.size()][dim];
        for (int c = 0; c < CLASSES.size(); c++) {
            // well separated: centre c is +3 on its own axes block, offset by a common shift
            for (int k = 0; k < dim; k++) {
                centres[c][k] = (k % CLASSES.size() == c ? 3f : 0f) + 1f;
            }
        }
        codes = new float[CLASSES.size() * perClass][dim];
        labels = new int[codes.length];
        for (int i = 0; i < codes.length; i++) {
            int c = i % CLASSES.size();
            labels[i] = c;
            for (int k = 0; k < dim; k++) {
                codes[i][k] = centres[c][k] + SPREAD * (float) rng.nextGaussian();
            }
            conditions.add(Condition.of(CLASSES.get(c)));
        }
    }

    static double distance(float[] a, float[] b) {
        double s = 0;
        for (int k = 0; k < a.length; k++) {
            s += (a[k] - b[k]) * (a[k] - b[k]);
        }
        return Math.sqrt(s);
    }

    /** Index of the nearest centre. */
    int nearest(float[] x) {
        int best = 0;
        for (int c = 1; c < centres.length; c++) {
            if (distance(x, centres[c]) < distance(x, centres[best])) {
                best = c;
            }
        }
        return best;
    }

    public static DiffusionConfig tinyConfig(int dim, int steps) {
        return new DiffusionConfig(dim, 64, 2, 16, 100, steps, 64, 3e-3f, 0.15f, 11L, 0, 50, "cpu");
    }
}
