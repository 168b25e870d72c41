package dev.causalcxr.core.spec;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The pipeline's stages, in order, and the one stage dependency graph ({@link #reads}, {@link #needs}).
 * One name per stage serves the spec, the plan, the cache key, the workflow's activities, the MLflow child
 * run and {@code --summary-json}.
 */
public enum StageName {
    INGEST(Labels.INGEST, false),
    PARSE_REPORTS(Labels.PARSE_REPORTS, false),
    TRAIN_DISENTANGLER(Labels.TRAIN_DISENTANGLER, true),
    TRAIN_DIFFUSION(Labels.TRAIN_DIFFUSION, true),
    OPTIMIZE_TAIL_NOISE(Labels.OPTIMIZE_TAIL_NOISE, true),
    GENERATE_COUNTERFACTUALS(Labels.GENERATE_COUNTERFACTUALS, true),
    EVALUATE(Labels.EVALUATE, true);

    /**
     * The labels as compile-time constants, for the places Java wants a constant (the activity interface's
     * {@code @ActivityMethod} names); everywhere else use the enum.
     */
    public static final class Labels {
        public static final String INGEST = "ingest";
        public static final String PARSE_REPORTS = "parse-reports";
        public static final String TRAIN_DISENTANGLER = "train-disentangler";
        public static final String TRAIN_DIFFUSION = "train-diffusion";
        public static final String OPTIMIZE_TAIL_NOISE = "optimize-tail-noise";
        public static final String GENERATE_COUNTERFACTUALS = "generate-counterfactuals";
        public static final String EVALUATE = "evaluate";

        private Labels() {}
    }

    private final String label;
    private final boolean accelerated;

    StageName(String label, boolean accelerated) {
        this.label = label;
        this.accelerated = accelerated;
    }

    /** The stage's name everywhere outside Java: the spec, JSON (plans in workflow histories), logs, MLflow. */
    @JsonValue
    public String label() {
        return label;
    }

    /** Stages that train or sample networks run on GPU workers when a cluster has them. */
    public boolean accelerated() {
        return accelerated;
    }

    /**
     * The earlier stages whose outputs this stage reads when they run, in the order its plan lists them
     * (their manifest digests are in its cache key). Every stage that needs finding labels reads them from
     * {@code parse-reports}: the disentangler, the counterfactual stage (its requests) and the evaluation
     * (its targets) directly; the diffusion model (its conditions) and the tail classes through the
     * disentangler's codes, which carry each study's labels. The evaluation reads the counterfactual stage's
     * augmentation set when it ran; without it, the evaluation has the real arm alone.
     */
    public List<StageName> reads() {
        return switch (this) {
            case INGEST -> List.of();
            case PARSE_REPORTS -> List.of(INGEST);
            case TRAIN_DISENTANGLER -> List.of(INGEST, PARSE_REPORTS);
            case TRAIN_DIFFUSION -> List.of(TRAIN_DISENTANGLER);
            case OPTIMIZE_TAIL_NOISE -> List.of(TRAIN_DISENTANGLER, TRAIN_DIFFUSION);
            case GENERATE_COUNTERFACTUALS ->
                List.of(INGEST, PARSE_REPORTS, TRAIN_DISENTANGLER, TRAIN_DIFFUSION, OPTIMIZE_TAIL_NOISE);
            case EVALUATE -> List.of(INGEST, PARSE_REPORTS, GENERATE_COUNTERFACTUALS);
        };
    }

    /**
     * The stages among {@link #reads} this stage cannot run without (a spec that runs it runs them).
     * {@code parse-reports} publishes the finding labels: the disentangler trains on them (and its codes carry
     * them to the diffusion model and the tail classes), the evaluation's targets are them. Ingest always runs.
     */
    public List<StageName> needs() {
        return switch (this) {
            case INGEST -> List.of();
            case PARSE_REPORTS -> List.of(INGEST);
            case TRAIN_DISENTANGLER, EVALUATE -> List.of(INGEST, PARSE_REPORTS);
            case TRAIN_DIFFUSION -> List.of(TRAIN_DISENTANGLER);
            case OPTIMIZE_TAIL_NOISE, GENERATE_COUNTERFACTUALS -> List.of(TRAIN_DISENTANGLER, TRAIN_DIFFUSION);
        };
    }

    public static Optional<StageName> fromLabel(String s) {
        return Arrays.stream(values()).filter(v -> v.label.equals(s)).findFirst();
    }

    /** The stage of a label (how JSON is read back); an unknown label is an error. */
    @JsonCreator
    public static StageName of(String label) {
        return fromLabel(label).orElseThrow(() -> new IllegalArgumentException("no stage is named " + label));
    }

    @Override
    public String toString() {
        return label;
    }
}
