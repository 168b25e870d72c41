package dev.causalcxr.activities.retrain;

import dev.causalcxr.infra.schedules.RetrainSchedules;
import java.util.Optional;

/** A schedule's ticks against the registry, the catalogue and the schedule records in PostgreSQL. */
public final class RetrainScheduleActivitiesImpl implements RetrainScheduleActivities {
    private final RetrainTriggers triggers;
    private final RetrainSchedules schedules;

    public RetrainScheduleActivitiesImpl(RetrainTriggers triggers, RetrainSchedules schedules) {
        this.triggers = triggers;
        this.schedules = schedules;
    }

    @Override
    public ScheduledTick check(RetrainSchedule schedule) {
        Optional<RetrainSchedules.Schedule> row = schedules.find(schedule.scheduleId());
        if (row.isEmpty()) {
            return new ScheduledTick(null, null, 0, null, "schedule deleted", true);
        }
        if (row.get().paused()) {
            schedules.recordTick(schedule.scheduleId(), "paused: nothing started");
            return ScheduledTick.nothing("paused");
        }
        RetrainTriggers.Check c;
        try {
            c = triggers.check(schedule.model(), schedule.dataset());
        } catch (RetrainInputException e) {
            // e.g. the alias was removed since: the schedule waits (and says so) rather than fail
            String outcome = "nothing started: " + e.getMessage();
            schedules.recordTick(schedule.scheduleId(), outcome);
            return ScheduledTick.nothing(outcome);
        }
        if (c.due() == null) {
            String outcome = "nothing new: " + c.reason();
            schedules.recordTick(schedule.scheduleId(), outcome);
            return ScheduledTick.nothing(outcome);
        }
        RetrainTriggers.Due due = c.due();
        RetrainRequest request = new RetrainRequest(
                due.retrainId(),
                schedule.model(),
                due.newData().dataset() + "@" + due.newData().version(),
                schedule.retrainSpecYaml(),
                "schedule " + schedule.scheduleId());
        return new ScheduledTick(
                request,
                due.modelName(),
                due.championVersion(),
                due.newData().version(),
                "due: " + due.newData().dataset() + "@"
                        + due.newData().version().substring(0, 12) + " is newer than "
                        + due.lineage().champion().reference() + "'s training data",
                false);
    }

    @Override
    public void recordSkip(long scheduleId, String outcome) {
        schedules.recordTick(scheduleId, outcome);
    }

    @Override
    public void recordStarted(long scheduleId, ScheduledTick tick) {
        RetrainRequest r = tick.start();
        String dataset = r.dataset().substring(0, r.dataset().indexOf('@'));
        schedules.recordTrigger(
                tick.modelName(), tick.championVersion(), dataset, tick.datasetVersion(), r.retrainId(), r.actor());
        schedules.recordTick(scheduleId, "started " + r.retrainId());
    }
}
