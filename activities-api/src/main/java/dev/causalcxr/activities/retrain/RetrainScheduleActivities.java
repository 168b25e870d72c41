package dev.causalcxr.activities.retrain;

import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;

/**
 * A retrain schedule's look at the world: the champion, the data set's newest version, and the record of what was
 * retrained already. Reads, plus the schedule's tick record.
 */
@ActivityInterface
public interface RetrainScheduleActivities {

    /**
     * Whether a retrain is due: the data set's newest version is newer than the champion's training data and no
     * retrain of this champion version on it was started (by any trigger). Records the tick's outcome.
     */
    @ActivityMethod
    ScheduledTick check(RetrainSchedule schedule);

    /** Records a tick that started nothing (paused, or a retrain of this schedule still running). */
    @ActivityMethod
    void recordSkip(long scheduleId, String outcome);

    /** Records the retrain a tick started, so that no trigger starts it again. */
    @ActivityMethod
    void recordStarted(long scheduleId, ScheduledTick tick);
}
