package dev.causalcxr.core.disentangle;

/**
 * Training stopped because the loss became NaN/Inf or exploded past the configured multiple of its
 * running median. Nothing was checkpointed after the last good step, so a retry resumes from there.
 */
public final class TrainingDivergedException extends IllegalStateException {

    private final long step;
    private final double loss;
    private final long lastCheckpointStep;

    public TrainingDivergedException(String message, long step, double loss, long lastCheckpointStep) {
        super(message);
        this.step = step;
        this.loss = loss;
        this.lastCheckpointStep = lastCheckpointStep;
    }

    /** The step whose loss diverged (its update was not applied). */
    public long step() {
        return step;
    }

    public double loss() {
        return loss;
    }

    /** The newest checkpoint written before divergence (−1 when none was). */
    public long lastCheckpointStep() {
        return lastCheckpointStep;
    }
}
