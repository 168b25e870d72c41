package dev.causalcxr.infra.tracking;

import dev.causalcxr.infra.metadata.MetadataDb;
import dev.causalcxr.infra.objectstore.ObjectRef;
import dev.causalcxr.infra.objectstore.ObjectStore;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Experiment tracking. Every run, param, metric, tag and artifact is first written to the journal in
 * the metadata DB (artifacts as content-addressed objects), then pushed to the MLflow server when
 * one is connected. Rows not yet pushed are replayed by {@link #syncAll()} ({@code causalcxr mlflow sync}).
 * Callers never pass report text or patient ids here.
 */
public final class Tracker {
    private static final Logger log = LoggerFactory.getLogger(Tracker.class);
    private static final int METRIC_BUFFER = 500;
    private static final com.fasterxml.jackson.databind.ObjectMapper TAGS_JSON =
            new com.fasterxml.jackson.databind.ObjectMapper();

    private final MetadataDb db;
    private final ObjectStore store;
    private volatile MlflowPusher pusher;
    private volatile String offlineReason;
    private final Map<String, List<PendingMetric>> buffers = new ConcurrentHashMap<>();

    private record PendingMetric(String key, double value, long step, long tsMs) {}

    public Tracker(MetadataDb db, ObjectStore store, MlflowPusher pusher, String offlineReason) {
        this.db = db;
        this.store = store;
        this.pusher = pusher;
        this.offlineReason = pusher == null ? offlineReason : null;
    }

    public boolean online() {
        return pusher != null;
    }

    /** Why tracking is journal-only, when it is. */
    public Optional<String> offlineReason() {
        return Optional.ofNullable(offlineReason);
    }

    public Optional<String> trackingUri() {
        MlflowPusher p = pusher;
        return p == null ? Optional.empty() : Optional.of(p.trackingUri());
    }

    /** True while connected to the site's own MLflow server ({@link MlflowPusher#siteOwned()}). */
    public boolean siteOwnedServer() {
        MlflowPusher p = pusher;
        return p != null && p.siteOwned();
    }

    /** Connects a server later (the embedded MLflow server starts while the pipeline already runs). */
    public void connect(MlflowPusher pusher) {
        this.pusher = pusher;
        this.offlineReason = null;
    }

    public void disconnect(String reason) {
        this.pusher = null;
        this.offlineReason = reason;
    }

    /** Starts a run in the journal (and in MLflow when connected); returns its local id. */
    public String startRun(String experiment, String runName, String parentLocalId, Map<String, String> tags) {
        String localId = UUID.randomUUID().toString().replace("-", "");
        long now = System.currentTimeMillis();
        db.update("""
                insert into tracking_runs(local_id, experiment, parent_local_id, run_name, status, start_ms)
                values (?, ?, ?, ?, 'RUNNING', ?)""", ps -> {
            ps.setString(1, localId);
            ps.setString(2, experiment);
            ps.setString(3, parentLocalId);
            ps.setString(4, runName);
            ps.setLong(5, now);
        });
        if (tags != null && !tags.isEmpty()) {
            setTags(localId, tags);
        }
        push(localId);
        return localId;
    }

    public void logParams(String localId, Map<String, String> params) {
        insertPairs("tracking_params", localId, params);
        push(localId);
    }

    public void setTags(String localId, Map<String, String> tags) {
        insertPairs("tracking_tags", localId, tags);
    }

    private void insertPairs(String table, String localId, Map<String, String> pairs) {
        db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("insert into " + table
                    + "(local_id, key, value) values (?, ?, ?) on conflict (local_id, key) do nothing")) {
                for (Map.Entry<String, String> e : pairs.entrySet()) {
                    ps.setString(1, localId);
                    ps.setString(2, e.getKey());
                    ps.setString(3, truncate(e.getValue(), 6000));
                    ps.addBatch();
                }
                ps.executeBatch();
            }
            return null;
        });
    }

    /**
     * A data set version a run trained or evaluated on, as an MLflow dataset input: the version's name and full
     * catalogue digest (what MLflow gets as digest and source: {@link MlflowPusher#datasetDigest}), the input's
     * context ({@code training}, {@code evaluation}) and further input tags. Nothing in it may identify a patient or
     * a study.
     */
    public record DatasetInput(String name, String version, String context, Map<String, String> tags) {
        public DatasetInput {
            tags = tags == null ? Map.of() : new java.util.TreeMap<>(tags);
        }
    }

    /**
     * Records the data set versions a run used (journaled, then pushed as MLflow dataset inputs). A version the run
     * already has keeps its first context, as in MLflow, so a retried push or a second stage on the same data adds
     * nothing.
     */
    public void logInputs(String localId, List<DatasetInput> inputs) {
        if (inputs.isEmpty()) {
            return;
        }
        db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement("""
                    insert into tracking_inputs(local_id, name, version, context, tags_json) values (?, ?, ?, ?, ?)
                    on conflict (local_id, name, version) do nothing""")) {
                for (DatasetInput in : inputs) {
                    ps.setString(1, localId);
                    ps.setString(2, in.name());
                    ps.setString(3, in.version());
                    ps.setString(4, in.context());
                    ps.setString(5, TAGS_JSON.writeValueAsString(in.tags()));
                    ps.addBatch();
                }
                ps.executeBatch();
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
            return null;
        });
        push(localId);
    }

    /** Buffers a metric value; buffered values are written in batches. */
    public void logMetric(String localId, String key, double value, long step) {
        List<PendingMetric> buf = buffers.computeIfAbsent(localId, k -> new ArrayList<>());
        boolean full;
        synchronized (buf) {
            buf.add(new PendingMetric(key, value, step, System.currentTimeMillis()));
            full = buf.size() >= METRIC_BUFFER;
        }
        if (full) {
            flush(localId);
        }
    }

    /** Writes buffered metrics to the journal and pushes everything pending to MLflow. */
    public void flush(String localId) {
        List<PendingMetric> buf = buffers.get(localId);
        List<PendingMetric> batch;
        if (buf == null) {
            batch = List.of();
        } else {
            synchronized (buf) {
                batch = new ArrayList<>(buf);
                buf.clear();
            }
        }
        if (!batch.isEmpty()) {
            try {
                journalMetrics(localId, batch);
            } catch (RuntimeException e) {
                // the database is away: the values go back to the front of the buffer, for the next flush
                synchronized (buf) {
                    buf.addAll(0, batch);
                }
                throw e;
            }
        }
        push(localId);
    }

    private void journalMetrics(String localId, List<PendingMetric> batch) {
        db.inTransaction(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "insert into tracking_metrics(local_id, key, value, step, ts_ms) values (?, ?, ?, ?, ?)")) {
                for (PendingMetric m : batch) {
                    ps.setString(1, localId);
                    ps.setString(2, m.key());
                    ps.setDouble(3, m.value());
                    ps.setLong(4, m.step());
                    ps.setLong(5, m.tsMs());
                    ps.addBatch();
                }
                ps.executeBatch();
            }
            return null;
        });
    }

    /** Stores a file as a run artifact at {@code artifactPath} (e.g. {@code grids/recon.png}). */
    public void logArtifact(String localId, String artifactPath, Path file) {
        ObjectRef ref = store.putFile(file);
        logArtifactObject(localId, artifactPath, ref);
    }

    /** Records an already published object as a run artifact. */
    public void logArtifactObject(String localId, String artifactPath, ObjectRef ref) {
        logArtifactObject(localId, artifactPath, ref, false);
    }

    /**
     * Records an already published object as a run artifact; a {@code siteOnly} one (a picture of real
     * studies) is pushed only to the site's own MLflow server ({@link MlflowPusher#siteOwned()}), never to
     * another, also when the journal is replayed there later.
     */
    public void logArtifactObject(String localId, String artifactPath, ObjectRef ref, boolean siteOnly) {
        db.update("""
                insert into tracking_artifacts(local_id, path, object_digest, size, site_only) values (?, ?, ?, ?, ?)
                on conflict (local_id, path) do update set object_digest = excluded.object_digest,
                  size = excluded.size, site_only = excluded.site_only, synced = false""", ps -> {
            ps.setString(1, localId);
            ps.setString(2, artifactPath);
            ps.setString(3, ref.digest());
            ps.setLong(4, ref.size());
            ps.setBoolean(5, siteOnly);
        });
        push(localId);
    }

    /** The run's artifacts that stay on site (paths), for checks and the CLI. */
    public List<String> siteOnlyArtifacts(String localId) {
        return db.query(
                "select path from tracking_artifacts where local_id = ? and site_only order by path",
                ps -> ps.setString(1, localId),
                rs -> rs.getString(1));
    }

    public void endRun(String localId, String status) {
        flush(localId);
        db.update("update tracking_runs set status = ?, end_ms = ? where local_id = ?", ps -> {
            ps.setString(1, status);
            ps.setLong(2, System.currentTimeMillis());
            ps.setString(3, localId);
        });
        buffers.remove(localId);
        push(localId);
    }

    public Optional<String> mlflowRunId(String localId) {
        return db.queryOne(
                        "select mlflow_run_id from tracking_runs where local_id = ?",
                        ps -> ps.setString(1, localId),
                        rs -> rs.getString(1))
                .filter(s -> s != null);
    }

    public record SyncReport(int runs, int failures, List<String> errors) {}

    /** Pushes every journaled run that has anything not yet in MLflow (parents first). */
    public SyncReport syncAll() {
        MlflowPusher p = pusher;
        if (p == null) {
            throw new IllegalStateException("no MLflow server connected: " + offlineReason);
        }
        List<String> ids = db.query("""
                select r.local_id from tracking_runs r where r.mlflow_run_id is null or not r.end_synced
                  or exists (select 1 from tracking_params x where x.local_id = r.local_id and not x.synced)
                  or exists (select 1 from tracking_tags x where x.local_id = r.local_id and not x.synced)
                  or exists (select 1 from tracking_metrics x where x.local_id = r.local_id and not x.synced)
                  or exists (select 1 from tracking_artifacts x where x.local_id = r.local_id and not x.synced)
                  or exists (select 1 from tracking_inputs x where x.local_id = r.local_id and not x.synced)
                order by r.start_ms""", ps -> {}, rs -> rs.getString(1));
        List<String> errors = new ArrayList<>();
        for (String id : ids) {
            try {
                p.push(id);
            } catch (RuntimeException e) {
                errors.add(id + ": " + e.getMessage());
            }
        }
        return new SyncReport(ids.size(), errors.size(), errors);
    }

    private void push(String localId) {
        MlflowPusher p = pusher;
        if (p == null) {
            return;
        }
        try {
            p.push(localId);
        } catch (RuntimeException e) {
            // Tracking must never fail a pipeline: keep journaling and let `mlflow sync` catch up.
            log.warn("MLflow push failed; the run stays journaled for a later sync: {}", e.getMessage());
        }
    }

    private static String truncate(String s, int max) {
        return s == null ? "" : s.length() <= max ? s : s.substring(0, max);
    }
}
