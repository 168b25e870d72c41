package dev.causalcxr.activities.runner;

import dev.causalcxr.core.files.FileTrees;
import dev.causalcxr.core.spec.ExperimentSpec;
import dev.causalcxr.infra.metadata.PipelineJournal;
import dev.causalcxr.infra.objectstore.CorruptObjectException;
import dev.causalcxr.infra.objectstore.Digests;
import dev.causalcxr.infra.objectstore.ObjectRef;
import dev.causalcxr.infra.objectstore.ObjectStore;
import dev.causalcxr.infra.objectstore.ObjectStoreException;
import dev.causalcxr.infra.tracking.Tracker;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one way every stage runs: cache key, cache lookup (a hit only when the manifest and every
 * object it lists verify), heartbeats with the checkpoint pointer, resume from the newest complete
 * checkpoint, atomic publishing of outputs, the stage run in PostgreSQL and the child run in the
 * tracker.
 */
public final class StageRunner {
    private static final Logger log = LoggerFactory.getLogger(StageRunner.class);

    private final ObjectStore store;
    private final PipelineJournal journal;
    private final Tracker tracker;
    private final Path workRoot;

    public StageRunner(ObjectStore store, PipelineJournal journal, Tracker tracker, Path workRoot) {
        this.store = store;
        this.journal = journal;
        this.tracker = tracker;
        this.workRoot = workRoot;
    }

    public ObjectStore store() {
        return store;
    }

    public PipelineJournal journal() {
        return journal;
    }

    /** The cache key: stage name, its code version, canonical config, input manifests and seed. */
    public static String cacheKey(StageDefinition def, StageRequest req) {
        Map<String, Object> key = new LinkedHashMap<>();
        key.put("stage", def.name());
        key.put("code_version", def.codeVersion());
        key.put("config", req.configJson());
        key.put("inputs", new TreeMap<>(req.inputs()));
        key.put("seed", req.seed());
        return Digests.sha256Hex(ExperimentSpec.canonicalJson(key).getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Runs (or reuses) a stage.
     *
     * @param attempt       1 for the first attempt
     * @param lastHeartbeat the pointer heartbeated by the previous attempt, if any
     */
    public StageResult run(StageDefinition def, StageRequest req, int attempt, CheckpointPointer lastHeartbeat,
                           Heartbeat heartbeat) {
        long t0 = System.nanoTime();
        String cacheKey = cacheKey(def, req);
        journal.startStageRun(req.pipelineRunId(), def.name(), cacheKey, attempt);
        if (!req.force()) {
            for (String manifestDigest : journal.succeededManifests(cacheKey)) {
                StageManifest m = verifiedManifest(manifestDigest);
                if (m != null) {
                    return recordCacheHit(def, req, cacheKey, manifestDigest, m, t0);
                }
            }
        }
        String trackingRun = tracker.startRun(req.experiment(), def.name(), req.parentTrackingRunId(),
                Map.of("causalcxr.stage", def.name(), "causalcxr.cache_hit", "false",
                        "causalcxr.pipeline_run", req.pipelineRunId()));
        Map<String, String> params = new LinkedHashMap<>();
        params.put("stage.config", req.configJson());
        params.put("stage.seed", String.valueOf(req.seed()));
        params.put("stage.code_version", String.valueOf(def.codeVersion()));
        params.put("stage.cache_key", cacheKey);
        tracker.logParams(trackingRun, params);
        Path workDir = workRoot.resolve(cacheKey.substring(0, 16)).resolve("attempt-" + attempt);
        RunnerStageContext ctx = null;
        try {
            Files.createDirectories(workDir);
            ctx = new RunnerStageContext(this, req, cacheKey, workDir, tracker, trackingRun, heartbeat, lastHeartbeat);
            def.execute(req.configJson(), ctx);
            ctx.flush();
            Map<String, StageManifest.Entry> outputs = new TreeMap<>();
            for (Map.Entry<String, Path> o : ctx.outputs().entrySet()) {
                ObjectRef ref = store.putFile(o.getValue());
                journal.recordArtifact(ref.digest(), ref.size(), "stage-output");
                outputs.put(o.getKey(), new StageManifest.Entry(ref.digest(), ref.size()));
            }
            StageManifest manifest = new StageManifest(def.name(), def.codeVersion(), cacheKey, req.configJson(),
                    req.seed(), new TreeMap<>(req.inputs()), outputs, new TreeMap<>(ctx.artifacts()),
                    new TreeMap<>(ctx.summary()));
            ObjectRef manifestRef = store.putJson(manifest);
            journal.recordArtifact(manifestRef.digest(), manifestRef.size(), "stage-manifest");
            double seconds = (System.nanoTime() - t0) / 1e9;
            tracker.logMetric(trackingRun, "stage_seconds", seconds, 0);
            tracker.endRun(trackingRun, "FINISHED");
            journal.finishStageRun(req.pipelineRunId(), def.name(), "succeeded", false, manifestRef.digest(), trackingRun,
                    seconds, null);
            return new StageResult(def.name(), manifestRef.digest(), false, seconds, manifest.metrics(), trackingRun);
        } catch (Exception e) {
            double seconds = (System.nanoTime() - t0) / 1e9;
            String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            if (ctx != null) {
                ctx.flushQuietly();
            }
            tracker.setTags(trackingRun, Map.of("causalcxr.error", truncate(message, 4000)));
            tracker.endRun(trackingRun, "FAILED");
            journal.finishStageRun(req.pipelineRunId(), def.name(), "failed", false, null, trackingRun, seconds,
                    truncate(message, 4000));
            if (e instanceof RuntimeException re) {
                throw re;
            }
            throw new IllegalStateException(def.name() + " failed: " + message, e);
        } finally {
            deleteTree(workDir);
        }
    }

    private StageResult recordCacheHit(StageDefinition def, StageRequest req, String cacheKey, String manifestDigest,
                                       StageManifest m, long t0) {
        String trackingRun = tracker.startRun(req.experiment(), def.name(), req.parentTrackingRunId(),
                Map.of("causalcxr.stage", def.name(), "causalcxr.cache_hit", "true",
                        "causalcxr.cached_manifest", manifestDigest, "causalcxr.pipeline_run", req.pipelineRunId()));
        tracker.logParams(trackingRun, Map.of("stage.config", req.configJson(), "stage.seed", String.valueOf(req.seed()),
                "stage.code_version", String.valueOf(def.codeVersion()), "stage.cache_key", cacheKey));
        m.metrics().forEach((k, v) -> tracker.logMetric(trackingRun, k, v, 0));
        m.artifacts().forEach((name, e) -> tracker.logArtifactObject(trackingRun, name, new ObjectRef(e.digest(), e.size())));
        double seconds = (System.nanoTime() - t0) / 1e9;
        tracker.endRun(trackingRun, "FINISHED");
        journal.finishStageRun(req.pipelineRunId(), def.name(), "succeeded", true, manifestDigest, trackingRun, seconds, null);
        log.info("{}: cache hit ({})", def.name(), manifestDigest.substring(0, 12));
        return new StageResult(def.name(), manifestDigest, true, seconds, m.metrics(), trackingRun);
    }

    /** The manifest when it and every object it lists verify; null otherwise. */
    StageManifest verifiedManifest(String digest) {
        try {
            StageManifest m = store.readJson(digest, StageManifest.class);
            for (StageManifest.Entry e : m.outputs().values()) {
                if (!store.verify(e.digest())) {
                    log.warn("cached output {} is missing or corrupt; running the stage again", e.digest());
                    return null;
                }
            }
            for (StageManifest.Entry e : m.artifacts().values()) {
                if (!store.verify(e.digest())) {
                    return null;
                }
            }
            return m;
        } catch (CorruptObjectException | ObjectStoreException e) {
            log.warn("cached manifest {} unusable: {}", digest, e.getMessage());
            return null;
        }
    }

    /** Reads a verified manifest of an input stage. */
    public StageManifest manifest(String digest) {
        return store.readJson(digest, StageManifest.class);
    }

    private static String truncate(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max);
    }

    static void deleteTree(Path dir) {
        try {
            FileTrees.delete(dir);
        } catch (IOException ignored) {
            // scratch space; a leftover file is harmless
        }
    }
}
