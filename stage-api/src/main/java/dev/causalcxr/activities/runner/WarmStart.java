package dev.causalcxr.activities.runner;

/**
 * How a retrain hands a stage the model it fine-tunes: an extra input named {@link #INPUT} whose manifest's output
 * named after the stage is that model's final checkpoint (weights, optimizer state, sampler position), with the
 * checkpoint's step in its params. The stage resumes from it as from its own checkpoint, so its step counter
 * continues; being an input, it is part of the cache key.
 */
public final class WarmStart {
    public static final String INPUT = "warm-start";

    private WarmStart() {}

    /** The output holding the fine-tuned stage's model file (whose vocabulary the fine-tuning keeps). */
    public static String modelOutput(String stage) {
        return stage + ".model";
    }

    /** The manifest param holding the checkpoint's step for {@code stage}. */
    public static String stepParam(String stage) {
        return "step." + stage;
    }
}
