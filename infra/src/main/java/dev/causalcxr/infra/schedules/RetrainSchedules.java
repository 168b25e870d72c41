package dev.causalcxr.infra.schedules;

import dev.causalcxr.infra.metadata.MetadataDb;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Retrain schedules and the record of started retrains, in PostgreSQL (V6). The schedules are the durable truth:
 * their workflows are armed from here, and a tick reads its schedule's state here before it acts.
 */
public final class RetrainSchedules {
    public static final String ACTIVE = "active";
    public static final String PAUSED = "paused";

    private final MetadataDb db;

    public RetrainSchedules(MetadataDb db) {
        this.db = db;
    }

    /**
     * One schedule.
     *
     * @param model       the champion it retrains, {@code NAME@ALIAS}
     * @param dataset     the data set name whose new versions it watches
     * @param lastTickAt  when it last ticked (null: never)
     * @param lastOutcome what its last tick did, one line
     */
    public record Schedule(
            long id,
            String model,
            String dataset,
            long everySeconds,
            String specYaml,
            String state,
            Instant createdAt,
            String createdBy,
            Instant lastTickAt,
            String lastOutcome) {
        public boolean paused() {
            return PAUSED.equals(state);
        }
    }

    /** A retrain that was started for a champion version and a data set version. */
    public record Trigger(
            String model,
            int championVersion,
            String dataset,
            String datasetVersion,
            String workflowId,
            String trigger,
            Instant startedAt) {}

    private static final String SELECT = "select id, model, dataset, every_seconds, spec_yaml, state, created_at,"
            + " created_by, last_tick_at, last_outcome from retrain_schedules";

    private static Schedule map(ResultSet rs) throws SQLException {
        Timestamp last = rs.getTimestamp(9);
        return new Schedule(
                rs.getLong(1),
                rs.getString(2),
                rs.getString(3),
                rs.getLong(4),
                rs.getString(5),
                rs.getString(6),
                rs.getTimestamp(7).toInstant(),
                rs.getString(8),
                last == null ? null : last.toInstant(),
                rs.getString(10));
    }

    /**
     * Records a schedule; empty when one for this model reference and data set exists already.
     */
    public Optional<Schedule> create(String model, String dataset, long everySeconds, String specYaml, String by) {
        Optional<Long> id = db.queryOne(
                """
                insert into retrain_schedules(model, dataset, every_seconds, spec_yaml, created_by)
                values (?, ?, ?, ?, ?) on conflict (model, dataset) do nothing returning id""",
                ps -> {
                    ps.setString(1, model);
                    ps.setString(2, dataset);
                    ps.setLong(3, everySeconds);
                    if (specYaml == null) {
                        ps.setNull(4, Types.VARCHAR);
                    } else {
                        ps.setString(4, specYaml);
                    }
                    ps.setString(5, by);
                },
                rs -> rs.getLong(1));
        return id.flatMap(this::find);
    }

    public Optional<Schedule> find(long id) {
        return db.queryOne(SELECT + " where id = ?", ps -> ps.setLong(1, id), RetrainSchedules::map);
    }

    public Optional<Schedule> find(String model, String dataset) {
        return db.queryOne(
                SELECT + " where model = ? and dataset = ?",
                ps -> {
                    ps.setString(1, model);
                    ps.setString(2, dataset);
                },
                RetrainSchedules::map);
    }

    public List<Schedule> list() {
        return db.query(SELECT + " order by id", ps -> {}, RetrainSchedules::map);
    }

    /** Sets {@link #ACTIVE} or {@link #PAUSED}; false when there is no such schedule. */
    public boolean setState(long id, String state) {
        return db.update("update retrain_schedules set state = ? where id = ?", ps -> {
                    ps.setString(1, state);
                    ps.setLong(2, id);
                })
                == 1;
    }

    /** Removes a schedule (its started retrains stay on record); false when there is no such schedule. */
    public boolean delete(long id) {
        return db.update("delete from retrain_schedules where id = ?", ps -> ps.setLong(1, id)) == 1;
    }

    /** What a tick did, and when (the database's clock). */
    public void recordTick(long id, String outcome) {
        db.update("update retrain_schedules set last_tick_at = now(), last_outcome = ? where id = ?", ps -> {
            ps.setString(1, outcome);
            ps.setLong(2, id);
        });
    }

    /** The retrain started for this pair, if one was. */
    public Optional<Trigger> trigger(String model, int championVersion, String dataset, String datasetVersion) {
        return db.queryOne(
                """
                select model, champion_version, dataset, dataset_version, workflow_id, trigger, started_at
                from retrain_triggers where model = ? and champion_version = ? and dataset = ? and dataset_version = ?""",
                ps -> {
                    ps.setString(1, model);
                    ps.setInt(2, championVersion);
                    ps.setString(3, dataset);
                    ps.setString(4, datasetVersion);
                },
                rs -> new Trigger(
                        rs.getString(1),
                        rs.getInt(2),
                        rs.getString(3),
                        rs.getString(4),
                        rs.getString(5),
                        rs.getString(6),
                        rs.getTimestamp(7).toInstant()));
    }

    /** Records a started retrain; false (and nothing changed) when this pair was recorded already. */
    public boolean recordTrigger(
            String model,
            int championVersion,
            String dataset,
            String datasetVersion,
            String workflowId,
            String trigger) {
        return db.update("""
                insert into retrain_triggers(model, champion_version, dataset, dataset_version, workflow_id, trigger)
                values (?, ?, ?, ?, ?, ?) on conflict do nothing""", ps -> {
                    ps.setString(1, model);
                    ps.setInt(2, championVersion);
                    ps.setString(3, dataset);
                    ps.setString(4, datasetVersion);
                    ps.setString(5, workflowId);
                    ps.setString(6, trigger);
                })
                == 1;
    }

    /** Every started retrain of {@code model}, oldest first. */
    public List<Trigger> triggers(String model) {
        return db.query(
                """
                select model, champion_version, dataset, dataset_version, workflow_id, trigger, started_at
                from retrain_triggers where model = ? order by started_at""",
                ps -> ps.setString(1, model),
                rs -> new Trigger(
                        rs.getString(1),
                        rs.getInt(2),
                        rs.getString(3),
                        rs.getString(4),
                        rs.getString(5),
                        rs.getString(6),
                        rs.getTimestamp(7).toInstant()));
    }
}
