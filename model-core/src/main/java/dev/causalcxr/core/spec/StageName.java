package dev.causalcxr.core.spec;

import java.util.Arrays;
import java.util.Optional;

/**
 * The pipeline's stages, in order. One name per stage serves the spec, the cache key, the MLflow
 * child run and {@code --summary-json}.
 */
public enum StageName {
    INGEST("ingest", false),
    PARSE_REPORTS("parse-reports", false),
    TRAIN_DISENTANGLER("train-disentangler", true),
    TRAIN_DIFFUSION("train-diffusion", true),
    OPTIMIZE_TAIL_NOISE("optimize-tail-noise", true),
    GENERATE_COUNTERFACTUALS("generate-counterfactuals", true),
    EVALUATE("evaluate", true);

    private final String label;
    private final boolean accelerated;

    StageName(String label, boolean accelerated) {
        this.label = label;
        this.accelerated = accelerated;
    }

    public String label() {
        return label;
    }

    /** Stages that train or sample networks run on GPU workers when a cluster has them. */
    public boolean accelerated() {
        return accelerated;
    }

    public static Optional<StageName> fromLabel(String s) {
        return Arrays.stream(values()).filter(v -> v.label.equals(s)).findFirst();
    }

    @Override
    public String toString() {
        return label;
    }
}
