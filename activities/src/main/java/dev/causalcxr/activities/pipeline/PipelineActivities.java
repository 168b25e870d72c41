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
}
