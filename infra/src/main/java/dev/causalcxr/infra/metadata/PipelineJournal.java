package dev.causalcxr.infra.metadata;

import java.sql.Timestamp;
import java.sql.Types;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** Pipeline runs, stage runs, checkpoints and artifacts: the lineage side of the metadata DB. */
public final class PipelineJournal {
    private final MetadataDb db;

    public PipelineJournal(MetadataDb db) {
        this.db = db;
    }

    /** Waits until the journal's database accepts connections again, up to {@code limit} ({@link MetadataDb#awaitAvailable}). */
    public boolean awaitAvailable(java.time.Duration limit) throws InterruptedException {
        return db.awaitAvailable(limit);
    }

    public record PipelineRunRow(
            String id,
            String name,
            String specDigest,
            String codeVersion,
            String status,
            Instant startedAt,
            Instant finishedAt,
            String trackingRunId,
            String summaryJson) {}

    /**
     * @param seconds     the last attempt's time
     * @param wallSeconds from the first attempt's start to the end (or to now while it runs): retries included
     */
    public record StageRunRow(
            String pipelineRunId,
            String stage,
            String cacheKey,
            String status,
            int attempt,
            boolean cacheHit,
            String outputManifestDigest,
            String trackingRunId,
            Double seconds,
            String error,
            double wallSeconds) {}

    public void createPipelineRun(String id, String name, String specDigest, String specJson, String codeVersion) {
        db.update("""
                insert into pipeline_runs(id, name, spec_digest, spec_json, code_version, status)
                values (?, ?, ?, ?, ?, 'running') on conflict (id) do nothing""", ps -> {
            ps.setString(1, id);
            ps.setString(2, name);
            ps.setString(3, specDigest);
            ps.setString(4, specJson);
            ps.setString(5, codeVersion);
        });
    }

    public void setPipelineTrackingRun(String id, String trackingRunId) {
        db.update("update pipeline_runs set tracking_run_id = ? where id = ?", ps -> {
            ps.setString(1, trackingRunId);
            ps.setString(2, id);
        });
    }

    public void finishPipelineRun(String id, String status, String summaryJson, String datasetVersionDigest) {
        db.update("""
                update pipeline_runs set status = ?, summary_json = ?, finished_at = now(),
                  dataset_version_digest = coalesce(?, dataset_version_digest) where id = ?""", ps -> {
            ps.setString(1, status);
            ps.setString(2, summaryJson);
            ps.setString(3, datasetVersionDigest);
            ps.setString(4, id);
        });
    }

    public Optional<PipelineRunRow> pipelineRun(String id) {
        return db.queryOne(
                "select * from pipeline_runs where id = ?", ps -> ps.setString(1, id), PipelineJournal::mapRun);
    }

    /** The canonical spec JSON a pipeline run was created with. */
    public Optional<String> specJson(String id) {
        return db.queryOne(
                        "select spec_json from pipeline_runs where id = ?",
                        ps -> ps.setString(1, id),
                        rs -> rs.getString(1))
                .filter(j -> j != null);
    }

    public List<PipelineRunRow> recentPipelineRuns(int limit) {
        return db.query(
                "select * from pipeline_runs order by started_at desc limit ?",
                ps -> ps.setInt(1, limit),
                PipelineJournal::mapRun);
    }

    private static PipelineRunRow mapRun(java.sql.ResultSet rs) throws java.sql.SQLException {
        Timestamp fin = rs.getTimestamp("finished_at");
        return new PipelineRunRow(
                rs.getString("id"),
                rs.getString("name"),
                rs.getString("spec_digest"),
                rs.getString("code_version"),
                rs.getString("status"),
                rs.getTimestamp("started_at").toInstant(),
                fin == null ? null : fin.toInstant(),
                rs.getString("tracking_run_id"),
                rs.getString("summary_json"));
    }

    public void startStageRun(String pipelineRunId, String stage, String cacheKey, int attempt) {
        db.update("""
                insert into stage_runs(pipeline_run_id, stage, cache_key, status, attempt)
                values (?, ?, ?, 'running', ?)
                on conflict (pipeline_run_id, stage) do update set status = 'running', attempt = excluded.attempt,
                  cache_key = excluded.cache_key, error = null""", ps -> {
            ps.setString(1, pipelineRunId);
            ps.setString(2, stage);
            ps.setString(3, cacheKey);
            ps.setInt(4, attempt);
        });
    }

    public void finishStageRun(
            String pipelineRunId,
            String stage,
            String status,
            boolean cacheHit,
            String manifestDigest,
            String trackingRunId,
            double seconds,
            String error) {
        db.update("""
                update stage_runs set status = ?, cache_hit = ?, output_manifest_digest = ?, tracking_run_id = ?,
                  seconds = ?, error = ?, finished_at = now() where pipeline_run_id = ? and stage = ?""", ps -> {
            ps.setString(1, status);
            ps.setBoolean(2, cacheHit);
            ps.setString(3, manifestDigest);
            ps.setString(4, trackingRunId);
            ps.setDouble(5, seconds);
            if (error == null) {
                ps.setNull(6, Types.VARCHAR);
            } else {
                ps.setString(6, error);
            }
            ps.setString(7, pipelineRunId);
            ps.setString(8, stage);
        });
    }

    /** Output manifests of earlier successful runs with this cache key, newest first. */
    /**
     * Claims the computation of {@code cacheKey}'s outputs for this attempt, waiting (polling every second)
     * while an attempt of another pipeline, on any worker, computes them ({@link ComputationClaim}).
     */
    public ComputationClaim claimComputation(String cacheKey, Runnable onFirstWait) {
        return ComputationClaim.acquire(db, cacheKey, java.time.Duration.ofSeconds(1), onFirstWait);
    }

    public List<String> succeededManifests(String cacheKey) {
        return db.query("""
                select output_manifest_digest from stage_runs where cache_key = ? and status = 'succeeded'
                  and output_manifest_digest is not null order by finished_at desc""", ps -> ps.setString(1, cacheKey), rs -> rs.getString(1));
    }

    public List<StageRunRow> stageRuns(String pipelineRunId) {
        // started_at is the first attempt's (a retry updates the row, not its start)
        return db.query(
                """
                select *, extract(epoch from coalesce(finished_at, now()) - started_at) as wall_seconds
                from stage_runs where pipeline_run_id = ? order by id""",
                ps -> ps.setString(1, pipelineRunId),
                rs -> new StageRunRow(
                        rs.getString("pipeline_run_id"),
                        rs.getString("stage"),
                        rs.getString("cache_key"),
                        rs.getString("status"),
                        rs.getInt("attempt"),
                        rs.getBoolean("cache_hit"),
                        rs.getString("output_manifest_digest"),
                        rs.getString("tracking_run_id"),
                        (Double) rs.getObject("seconds"),
                        rs.getString("error"),
                        rs.getDouble("wall_seconds")));
    }

    /** The tracking run of the attempt in progress, recorded when it starts (a finished attempt records it again). */
    public void setStageTrackingRun(String pipelineRunId, String stage, String trackingRunId) {
        db.update("update stage_runs set tracking_run_id = ? where pipeline_run_id = ? and stage = ?", ps -> {
            ps.setString(1, trackingRunId);
            ps.setString(2, pipelineRunId);
            ps.setString(3, stage);
        });
    }

    /**
     * The tracking run of an attempt that started and never recorded an end: its worker died (or was cut off) and
     * Temporal retried the stage.
     */
    public java.util.Optional<String> unfinishedAttemptTrackingRun(String pipelineRunId, String stage) {
        return db
                .query(
                        """
                select tracking_run_id from stage_runs where pipeline_run_id = ? and stage = ? and status = 'running'
                  and tracking_run_id is not null""",
                        ps -> {
                            ps.setString(1, pipelineRunId);
                            ps.setString(2, stage);
                        },
                        rs -> rs.getString(1))
                .stream()
                .findFirst();
    }

    /** Seconds since the first attempt of this stage run started. */
    public java.util.Optional<Double> stageWallSeconds(String pipelineRunId, String stage) {
        return db
                .query(
                        """
                select extract(epoch from now() - started_at) from stage_runs where pipeline_run_id = ? and stage = ?""",
                        ps -> {
                            ps.setString(1, pipelineRunId);
                            ps.setString(2, stage);
                        },
                        rs -> rs.getDouble(1))
                .stream()
                .findFirst();
    }

    public void recordCheckpoint(String cacheKey, String pipelineRunId, long step, String digest) {
        db.update("""
                insert into stage_checkpoints(cache_key, pipeline_run_id, step, object_digest) values (?, ?, ?, ?)
                on conflict (cache_key, pipeline_run_id, step) do update set object_digest = excluded.object_digest""", ps -> {
            ps.setString(1, cacheKey);
            ps.setString(2, pipelineRunId);
            ps.setLong(3, step);
            ps.setString(4, digest);
        });
    }

    public record CheckpointRow(long step, String digest) {}

    /**
     * Checkpoints recorded for a cache key, newest step first: those of this run, and with
     * {@code otherRuns} also those of interrupted earlier runs of the same key.
     */
    public List<CheckpointRow> checkpoints(String cacheKey, String pipelineRunId, boolean otherRuns) {
        return db.query(
                """
                select step, object_digest from stage_checkpoints where cache_key = ? and (pipeline_run_id = ? or ?)
                order by step desc, created_at desc""",
                ps -> {
                    ps.setString(1, cacheKey);
                    ps.setString(2, pipelineRunId);
                    ps.setBoolean(3, otherRuns);
                },
                rs -> new CheckpointRow(rs.getLong(1), rs.getString(2)));
    }

    public void recordArtifact(String digest, long size, String kind) {
        db.update("insert into artifacts(digest, size, kind) values (?, ?, ?) on conflict (digest) do nothing", ps -> {
            ps.setString(1, digest);
            ps.setLong(2, size);
            ps.setString(3, kind);
        });
    }
}
