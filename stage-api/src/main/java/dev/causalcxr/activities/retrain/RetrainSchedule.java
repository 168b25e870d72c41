package dev.causalcxr.activities.retrain;

/**
 * A retrain schedule as its workflow runs it: everything the workflow needs is passed in (no lookups in workflow
 * code), and carried over a continue-as-new with the tick bookkeeping updated.
 *
 * @param scheduleId      the schedule's id in PostgreSQL
 * @param model           the champion, {@code NAME@ALIAS}
 * @param dataset         the data set name whose new versions it watches
 * @param everySeconds    the interval between ticks
 * @param retrainSpecYaml the retrain block for the retrains it starts (null: the defaults)
 * @param anchorEpochMs   when the schedule was created: ticks fall on {@code anchor + k * every}
 * @param lastTickEpochMs the last tick (0: none yet); a re-armed schedule that missed ticks while no worker ran
 *                        catches up with one tick, as a Temporal Schedule's catch-up window does
 * @param paused          ticks while paused start nothing
 * @param ticksPerRun     ticks before the workflow continues as new (bounds its history)
 */
public record RetrainSchedule(
        long scheduleId,
        String model,
        String dataset,
        long everySeconds,
        String retrainSpecYaml,
        long anchorEpochMs,
        long lastTickEpochMs,
        boolean paused,
        int ticksPerRun) {

    /** The schedule's workflow id: one workflow per schedule. */
    public static String workflowId(long scheduleId) {
        return "retrain-schedule-" + scheduleId;
    }

    /** The first tick time after {@code lastTickEpochMs} (or after the anchor when there was none). */
    public long nextTickEpochMs() {
        long every = everySeconds * 1000L;
        long after = Math.max(anchorEpochMs, lastTickEpochMs);
        long k = (after - anchorEpochMs) / every + 1;
        return anchorEpochMs + k * every;
    }

    public RetrainSchedule withTick(long tickEpochMs, boolean nowPaused) {
        return new RetrainSchedule(
                scheduleId,
                model,
                dataset,
                everySeconds,
                retrainSpecYaml,
                anchorEpochMs,
                tickEpochMs,
                nowPaused,
                ticksPerRun);
    }
}
