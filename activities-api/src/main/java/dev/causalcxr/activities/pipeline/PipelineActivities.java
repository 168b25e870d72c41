package dev.causalcxr.activities.pipeline;

import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;

/** Bookkeeping of a pipeline run: its row in PostgreSQL and its parent run in the tracker. */
@ActivityInterface
public interface PipelineActivities {

    /** Records the run and opens its parent tracking run; returns the tracking run's local id. */
    @ActivityMethod
    String beginRun(RunStart start);

    @ActivityMethod
    void finishRun(RunFinish finish);

    /**
     * Registers the run's counterfactual generator (disentangler, diffusion model and any tail-noise
     * priors) as the next version of the model; the same bundle again returns its existing version.
     * Returns the reference {@code NAME@VERSION}.
     */
    @ActivityMethod
    String registerModel(ModelRegistration registration);
}
