package dev.causalcxr.infra.tracking;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.causalcxr.infra.metadata.MetadataDb;
import dev.causalcxr.infra.objectstore.ObjectStore;
import dev.causalcxr.infra.objectstore.S3Endpoint;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.mlflow.api.proto.Service.CreateRun;
import org.mlflow.api.proto.Service.Metric;
import org.mlflow.api.proto.Service.Param;
import org.mlflow.api.proto.Service.RunStatus;
import org.mlflow.api.proto.Service.RunTag;
import org.mlflow.api.proto.Service.ViewType;
import org.mlflow.tracking.MlflowClient;

/**
 * Replays journal rows into an MLflow server through the MLflow Java client (REST). Artifacts are
 * written to the run's artifact URI directly: {@code s3://} through the object store client,
 * {@code mlflow-artifacts:/} through the server's artifact proxy. The client's own artifact methods
 * shell out to the Python CLI and are never used.
 */
public final class MlflowPusher {
    // MLflow's logBatch limits: 1000 metrics, 100 params, 100 tags, 1000 items in all.
    private static final int MAX_METRICS = 1000;
    private static final int MAX_PARAMS = 100;
    private static final int MAX_TAGS = 100;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String trackingUri;
    private final MlflowClient client;
    private final MetadataDb db;
    private final ObjectStore store;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private final Map<String, String> experimentIds = new ConcurrentHashMap<>();

    private final boolean siteOwned;

    /** A pusher to a server that is not the site's own: pictures of real studies are withheld from it. */
    public MlflowPusher(String trackingUri, MetadataDb db, ObjectStore store) {
        this(trackingUri, db, store, false);
    }

    /** @param siteOwned the site's own embedded server (its backend and artifacts on this site's storage) */
    public MlflowPusher(String trackingUri, MetadataDb db, ObjectStore store, boolean siteOwned) {
        this.trackingUri = trackingUri.replaceAll("/+$", "");
        this.client = new MlflowClient(this.trackingUri);
        this.db = db;
        this.store = store;
        this.siteOwned = siteOwned;
    }

    /** True for the site's own embedded server, which may receive pictures of real studies. */
    public boolean siteOwned() {
        return siteOwned;
    }

    public String trackingUri() {
        return trackingUri;
    }

    public MlflowClient client() {
        return client;
    }

    private record RunRow(
            String localId,
            String experiment,
            String parent,
            String name,
            String status,
            long startMs,
            Long endMs,
            String mlflowId,
            boolean endSynced) {}

    /** Brings one journaled run up to date in MLflow. Serialized: runs are pushed from several threads. */
    public synchronized void push(String localId) {
        RunRow run = db.queryOne(
                        "select * from tracking_runs where local_id = ?",
                        ps -> ps.setString(1, localId),
                        rs -> new RunRow(
                                rs.getString("local_id"),
                                rs.getString("experiment"),
                                rs.getString("parent_local_id"),
                                rs.getString("run_name"),
                                rs.getString("status"),
                                rs.getLong("start_ms"),
                                (Long) rs.getObject("end_ms"),
                                rs.getString("mlflow_run_id"),
                                rs.getBoolean("end_synced")))
                .orElseThrow(() -> new IllegalArgumentException("no journaled run " + localId));
        String runId = run.mlflowId();
        if (runId == null) {
            String parentMlflow = null;
            if (run.parent() != null) {
                push(run.parent());
                parentMlflow = db.queryOne(
                                "select mlflow_run_id from tracking_runs where local_id = ?",
                                ps -> ps.setString(1, run.parent()),
                                rs -> rs.getString(1))
                        .orElse(null);
            }
            CreateRun.Builder req = CreateRun.newBuilder()
                    .setExperimentId(experimentId(run.experiment()))
                    .setRunName(run.name())
                    .setStartTime(run.startMs())
                    .addTags(RunTag.newBuilder().setKey("mlflow.runName").setValue(run.name()))
                    .addTags(
                            RunTag.newBuilder().setKey("causalcxr.local_run_id").setValue(localId));
            if (parentMlflow != null) {
                req.addTags(RunTag.newBuilder().setKey("mlflow.parentRunId").setValue(parentMlflow));
            }
            runId = client.createRun(req.build()).getRunId();
            String id = runId;
            db.update("update tracking_runs set mlflow_run_id = ? where local_id = ?", ps -> {
                ps.setString(1, id);
                ps.setString(2, localId);
            });
        }
        pushParamsAndTags(localId, runId);
        pushMetrics(localId, runId);
        pushArtifacts(localId, runId);
        pushInputs(localId, runId);
        if (run.endMs() != null && !run.endSynced()) {
            client.setTerminated(runId, RunStatus.valueOf(run.status()), run.endMs());
            db.update("update tracking_runs set end_synced = true where local_id = ?", ps -> ps.setString(1, localId));
        }
    }

    private String experimentId(String name) {
        // search instead of get-by-name: the client retries a 404 as if it were a rate limit
        return experimentIds.computeIfAbsent(
                name,
                n -> client
                        .searchExperiments("name = '" + n.replace("'", "''") + "'", ViewType.ALL, 1, List.of())
                        .getItems()
                        .stream()
                        .findFirst()
                        .map(e -> e.getExperimentId())
                        .orElseGet(() -> client.createExperiment(n)));
    }

    private void pushParamsAndTags(String localId, String runId) {
        List<String[]> params = db.query(
                "select key, value from tracking_params where local_id = ? and not synced",
                ps -> ps.setString(1, localId),
                rs -> new String[] {rs.getString(1), rs.getString(2)});
        List<String[]> tags = db.query(
                "select key, value from tracking_tags where local_id = ? and not synced",
                ps -> ps.setString(1, localId),
                rs -> new String[] {rs.getString(1), rs.getString(2)});
        for (int i = 0; i < params.size(); i += MAX_PARAMS) {
            List<Param> batch = new ArrayList<>();
            for (String[] p : params.subList(i, Math.min(params.size(), i + MAX_PARAMS))) {
                batch.add(Param.newBuilder().setKey(p[0]).setValue(p[1]).build());
            }
            client.logBatch(runId, List.of(), batch, List.of());
        }
        for (int i = 0; i < tags.size(); i += MAX_TAGS) {
            List<RunTag> batch = new ArrayList<>();
            for (String[] t : tags.subList(i, Math.min(tags.size(), i + MAX_TAGS))) {
                batch.add(RunTag.newBuilder().setKey(t[0]).setValue(t[1]).build());
            }
            client.logBatch(runId, List.of(), List.of(), batch);
        }
        if (!params.isEmpty()) {
            db.update("update tracking_params set synced = true where local_id = ?", ps -> ps.setString(1, localId));
        }
        if (!tags.isEmpty()) {
            db.update("update tracking_tags set synced = true where local_id = ?", ps -> ps.setString(1, localId));
        }
    }

    /** MLflow's longest dataset digest ({@code MAX_DATASET_DIGEST_SIZE}). */
    static final int MAX_DIGEST = 36;
    /** MLflow's longest input tag value ({@code MAX_INPUT_TAG_VALUE_SIZE}). */
    static final int MAX_INPUT_TAG_VALUE = 500;
    /** The dataset source type: a version of CausalCXR's data set catalogue. */
    public static final String SOURCE_TYPE = "causalcxr-catalog";
    /** The input tag MLflow reads a dataset input's role from. */
    public static final String CONTEXT_TAG = "mlflow.data.context";

    /**
     * The digest MLflow keeps of a catalogue version: its first 36 hex digits (MLflow's limit), a prefix that
     * {@code causalcxr dataset} commands resolve; the whole digest is in the source.
     */
    public static String datasetDigest(String version) {
        return version.length() <= MAX_DIGEST ? version : version.substring(0, MAX_DIGEST);
    }

    /** The dataset source: where the catalogue keeps the version (JSON). */
    public static String datasetSource(String name, String version) {
        ObjectNode src = JSON.createObjectNode();
        src.put("catalog", "causalcxr");
        src.put("dataset", name);
        src.put("version", version);
        return src.toString();
    }

    /**
     * Logs the run's journaled data set inputs ({@code runs/log-inputs}). MLflow keeps one dataset per experiment,
     * name and digest, and one input per dataset and run: pushing the same rows again adds nothing.
     */
    private void pushInputs(String localId, String runId) {
        List<Tracker.DatasetInput> rows = db.query(
                "select name, version, context, tags_json from tracking_inputs where local_id = ? and not synced"
                        + " order by name, version",
                ps -> ps.setString(1, localId),
                rs -> {
                    try {
                        Map<String, String> tags = JSON.readValue(rs.getString(4), new TypeReference<>() {});
                        return new Tracker.DatasetInput(rs.getString(1), rs.getString(2), rs.getString(3), tags);
                    } catch (IOException e) {
                        throw new IllegalStateException("unreadable input tags of run " + localId, e);
                    }
                });
        if (rows.isEmpty()) {
            return;
        }
        ObjectNode req = JSON.createObjectNode();
        req.put("run_id", runId);
        ArrayNode datasets = req.putArray("datasets");
        for (Tracker.DatasetInput in : rows) {
            ObjectNode d = datasets.addObject();
            ObjectNode ds = d.putObject("dataset");
            ds.put("name", in.name());
            ds.put("digest", datasetDigest(in.version()));
            ds.put("source_type", SOURCE_TYPE);
            ds.put("source", datasetSource(in.name(), in.version()));
            ArrayNode tags = d.putArray("tags");
            tags.addObject().put("key", CONTEXT_TAG).put("value", in.context());
            in.tags()
                    .forEach((k, v) -> tags.addObject()
                            .put("key", k)
                            .put("value", v.length() <= MAX_INPUT_TAG_VALUE ? v : v.substring(0, MAX_INPUT_TAG_VALUE)));
        }
        client.sendPost("runs/log-inputs", req.toString());
        for (Tracker.DatasetInput in : rows) {
            db.update(
                    "update tracking_inputs set synced = true where local_id = ? and name = ? and version = ?", ps -> {
                        ps.setString(1, localId);
                        ps.setString(2, in.name());
                        ps.setString(3, in.version());
                    });
        }
    }

    private void pushMetrics(String localId, String runId) {
        while (true) {
            List<Object[]> rows = db.query(
                    """
                    select id, key, value, step, ts_ms from tracking_metrics where local_id = ? and not synced
                    order by id limit ?""",
                    ps -> {
                        ps.setString(1, localId);
                        ps.setInt(2, MAX_METRICS);
                    },
                    rs -> new Object[] {rs.getLong(1), rs.getString(2), rs.getDouble(3), rs.getLong(4), rs.getLong(5)});
            if (rows.isEmpty()) {
                return;
            }
            List<Metric> batch = new ArrayList<>(rows.size());
            for (Object[] r : rows) {
                double v = (Double) r[2];
                batch.add(Metric.newBuilder()
                        .setKey((String) r[1])
                        .setValue(v)
                        .setStep((Long) r[3])
                        .setTimestamp((Long) r[4])
                        .build());
            }
            client.logBatch(runId, batch, List.of(), List.of());
            long maxId = (Long) rows.get(rows.size() - 1)[0];
            db.update("update tracking_metrics set synced = true where local_id = ? and id <= ? and not synced", ps -> {
                ps.setString(1, localId);
                ps.setLong(2, maxId);
            });
        }
    }

    private void pushArtifacts(String localId, String runId) {
        List<String[]> rows = db.query("""
                select path, object_digest, site_only from tracking_artifacts where local_id = ? and not synced""", ps -> ps.setString(1, localId), rs ->
                new String[] {rs.getString(1), rs.getString(2), String.valueOf(rs.getBoolean(3))});
        if (rows.isEmpty()) {
            return;
        }
        if (!siteOwned) {
            // pictures of real studies never go to a server that is not the site's own: withheld, and said so
            List<String[]> withheld =
                    rows.stream().filter(r -> Boolean.parseBoolean(r[2])).toList();
            if (!withheld.isEmpty()) {
                client.setTag(
                        runId,
                        "causalcxr.images_withheld",
                        withheld.size()
                                + " picture(s) of real studies kept on site (spec tracking.images: allowed sends them)");
                for (String[] r : withheld) {
                    db.update("update tracking_artifacts set synced = true where local_id = ? and path = ?", ps -> {
                        ps.setString(1, localId);
                        ps.setString(2, r[0]);
                    });
                }
                rows = rows.stream().filter(r -> !Boolean.parseBoolean(r[2])).toList();
                if (rows.isEmpty()) {
                    return;
                }
            }
        }
        String artifactUri = client.getRun(runId).getInfo().getArtifactUri();
        for (String[] row : rows) {
            Path tmp = null;
            try {
                tmp = Files.createTempFile("artifact-", ".bin");
                store.getToFile(row[1], tmp);
                upload(artifactUri, row[0], tmp);
            } catch (IOException e) {
                throw new IllegalStateException("cannot stage artifact " + row[0] + ": " + e.getMessage(), e);
            } finally {
                if (tmp != null) {
                    try {
                        Files.deleteIfExists(tmp);
                    } catch (IOException ignored) {
                        // a temp file left behind is harmless
                    }
                }
            }
            db.update("update tracking_artifacts set synced = true where local_id = ? and path = ?", ps -> {
                ps.setString(1, localId);
                ps.setString(2, row[0]);
            });
        }
    }

    /** Writes one file under a run's artifact URI. */
    void upload(String artifactUri, String artifactPath, Path file) throws IOException {
        if (artifactUri.startsWith("mlflow-artifacts:")) {
            String base = artifactUri.substring("mlflow-artifacts:".length()).replaceFirst("^/+", "");
            // mlflow-artifacts://host:port/path names the server explicitly; otherwise it is this one
            if (artifactUri.startsWith("mlflow-artifacts://")) {
                base = base.substring(base.indexOf('/') + 1);
            }
            String url = trackingUri + "/api/2.0/mlflow-artifacts/artifacts/" + encodePath(base + "/" + artifactPath);
            HttpRequest req = HttpRequest.newBuilder(URI.create(url))
                    .timeout(Duration.ofMinutes(5))
                    .PUT(HttpRequest.BodyPublishers.ofFile(file))
                    .build();
            try {
                HttpResponse<String> resp = http.send(req, HttpResponse.BodyHandlers.ofString());
                if (resp.statusCode() / 100 != 2) {
                    throw new IOException("artifact proxy answered " + resp.statusCode() + " for " + artifactPath);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while uploading " + artifactPath, e);
            }
        } else if (artifactUri.startsWith("s3://")) {
            URI u = URI.create(artifactUri);
            String bucket = u.getHost();
            String key = u.getPath().replaceFirst("^/+", "") + "/" + artifactPath;
            S3Endpoint own = store.endpoint();
            ObjectStore target = bucket.equals(own.bucket())
                    ? store
                    : new ObjectStore(new S3Endpoint(own.url(), own.accessKey(), own.secretKey(), bucket));
            target.putAtKey(key, file);
        } else {
            throw new IOException(
                    "unsupported artifact URI scheme in " + artifactUri + " (expected s3:// or mlflow-artifacts:/)");
        }
    }

    private static String encodePath(String path) {
        StringBuilder sb = new StringBuilder();
        for (String seg : path.split("/")) {
            if (seg.isEmpty()) {
                continue;
            }
            if (sb.length() > 0) {
                sb.append('/');
            }
            sb.append(URLEncoder.encode(seg, StandardCharsets.UTF_8).replace("+", "%20"));
        }
        return sb.toString();
    }
}
