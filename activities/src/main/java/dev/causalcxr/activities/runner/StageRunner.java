package dev.causalcxr.activities.runner;

import dev.causalcxr.core.files.Digests;
import dev.causalcxr.core.files.FileTrees;
import dev.causalcxr.core.files.SiteLog;
import dev.causalcxr.core.provenance.CodeFingerprint;
import dev.causalcxr.core.provenance.RuntimeIdentity;
import dev.causalcxr.core.spec.CodeVersion;
import dev.causalcxr.core.spec.ExperimentSpec;
import dev.causalcxr.core.stage.StageInputException;
import dev.causalcxr.infra.metadata.ComputationClaim;
import dev.causalcxr.infra.metadata.MetadataDb;
import dev.causalcxr.infra.metadata.PipelineJournal;
import dev.causalcxr.infra.objectstore.CorruptObjectException;
import dev.causalcxr.infra.objectstore.ObjectRef;
import dev.causalcxr.infra.objectstore.ObjectStore;
import dev.causalcxr.infra.objectstore.ObjectStoreException;
import dev.causalcxr.infra.tracking.Tracker;
import io.temporal.client.ActivityCompletionException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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
    /**
     * How long an attempt that failed on an unreachable object store or database waits for it to come back before
     * it ends. Why wait at all: the retry would otherwise start into the same outage and fail again, and one outage
     * would use up the stage's few attempts within seconds. The attempt keeps heartbeating while it waits.
     */
    static final java.time.Duration OUTAGE_PATIENCE = java.time.Duration.ofMinutes(5);

    private final ObjectStore store;
    private final PipelineJournal journal;
    private final Tracker tracker;
    private final WorkArea workArea;
    private final Path workRoot;
    private final CodeFingerprint code;
    private final SiteLog siteLog;

    /** A runner whose cache keys fingerprint the code this process runs. */
    public StageRunner(ObjectStore store, PipelineJournal journal, Tracker tracker, Path workRoot) {
        this(store, journal, tracker, workRoot, CodeFingerprint.running());
    }

    /**
     * {@code workRoot} may be shared by several workers on one machine: each runner claims its own
     * folder there and removes what crashed processes left ({@link WorkArea}).
     */
    public StageRunner(
            ObjectStore store, PipelineJournal journal, Tracker tracker, Path workRoot, CodeFingerprint code) {
        this.store = store;
        this.journal = journal;
        this.tracker = tracker;
        this.workArea = WorkArea.claim(workRoot);
        this.workRoot = workArea.dir();
        this.code = code;
        // the data folder holds the work root; the site log sits beside it
        Path dataDir = workRoot.toAbsolutePath().normalize().getParent();
        this.siteLog = SiteLog.inDataDir(dataDir == null ? workRoot : dataDir);
    }

    /** Where failure detail that must stay on site goes ({@link SiteLog}). */
    public SiteLog siteLog() {
        return siteLog;
    }

    public ObjectStore store() {
        return store;
    }

    public PipelineJournal journal() {
        return journal;
    }

    /**
     * The cache key: everything that can change the stage's output. The stage's name, the fingerprint
     * of the bytecode it can reach ({@link CodeFingerprint}), the Java runtime and CPU architecture,
     * for stages that reach the tensor engine its versions, native-library digest and intra-op thread
     * count, the canonical config, the digests of the input stages' outputs (which in turn depend on
     * everything upstream) and the seed.
     */
    public String cacheKey(StageDefinition def, StageRequest req) {
        return Digests.sha256Hex(
                ExperimentSpec.canonicalJson(keyContents(def, req)).getBytes(StandardCharsets.UTF_8));
    }

    Map<String, Object> keyContents(StageDefinition def, StageRequest req) {
        CodeFingerprint.Identity identity = code.of(def.getClass());
        Map<String, Object> key = new LinkedHashMap<>();
        key.put("stage", def.name());
        key.put("code", identity.digest());
        key.put("platform", RuntimeIdentity.platformKey());
        if (identity.usesEngine()) {
            key.put("engine", RuntimeIdentity.engineKey());
        }
        key.put("config", req.configJson());
        key.put("inputs", inputContents(req));
        key.put("seed", req.seed());
        return key;
    }

    /**
     * The inputs as the stage reads them: per input stage, its outputs' names and digests. Not the
     * input manifests' own digests: those also hold metrics such as wall-clock times, so an upstream
     * stage recomputed bit for bit (after a lost object, or with --force) would otherwise invalidate
     * everything downstream.
     */
    private Map<String, Map<String, String>> inputContents(StageRequest req) {
        Map<String, Map<String, String>> inputs = new TreeMap<>();
        for (Map.Entry<String, String> in : req.inputs().entrySet()) {
            StageManifest m;
            try {
                m = manifest(in.getValue());
            } catch (CorruptObjectException | ObjectStoreException e) {
                if (ObjectStore.isUnavailable(e)) {
                    throw e; // an outage, not a bad input: the attempt is retried
                }
                throw new StageInputException(
                        "the output manifest of " + in.getKey() + " (" + shortDigest(in.getValue())
                                + ") is missing or corrupt; run that stage again",
                        e);
            }
            Map<String, String> outputs = new TreeMap<>();
            m.outputs().forEach((name, entry) -> outputs.put(name, entry.digest()));
            inputs.put(in.getKey(), outputs);
        }
        return inputs;
    }

    /**
     * Where a stage's output came from: the code fingerprint and commit, the runtime (and engine) it
     * ran on, its seed and the spec of the run that computed it. Written into the manifest and onto
     * the stage's tracking run.
     */
    Map<String, String> provenance(StageDefinition def, StageRequest req) {
        CodeFingerprint.Identity identity = code.of(def.getClass());
        Map<String, String> p = new LinkedHashMap<>();
        p.put("code_fingerprint", identity.digest());
        p.put("code_classes", String.valueOf(identity.classes()));
        p.put("causalcxr_version", CodeVersion.current());
        p.put("git_commit", CodeVersion.gitDescription());
        p.putAll(RuntimeIdentity.platform());
        if (identity.usesEngine()) {
            p.putAll(RuntimeIdentity.engine());
        }
        p.put("seed", String.valueOf(req.seed()));
        journal.pipelineRun(req.pipelineRunId()).ifPresent(run -> p.put("spec_digest", run.specDigest()));
        return p;
    }

    /**
     * Runs (or reuses) a stage.
     *
     * @param attempt       1 for the first attempt
     * @param lastHeartbeat the pointer heartbeated by the previous attempt, if any
     */
    public StageResult run(
            StageDefinition def, StageRequest req, int attempt, CheckpointPointer lastHeartbeat, Heartbeat heartbeat) {
        try {
            return attempt(def, req, attempt, lastHeartbeat, heartbeat);
        } catch (RuntimeException e) {
            if (isOutage(e)) {
                // failed before computing (journal, cache lookup, claim): the retry waits for the services too
                awaitServices(def.name(), attempt, e);
            }
            throw e;
        }
    }

    private StageResult attempt(
            StageDefinition def, StageRequest req, int attempt, CheckpointPointer lastHeartbeat, Heartbeat heartbeat) {
        long t0 = System.nanoTime();
        String cacheKey = cacheKey(def, req);
        if (attempt > 1) {
            // the previous attempt never ended (its worker was killed): close its MLflow run, so that every attempt
            // shows in the tracker with its fate instead of one left RUNNING forever
            journal.unfinishedAttemptTrackingRun(req.pipelineRunId(), def.name())
                    .ifPresent(lost -> {
                        // the only trace a stalled worker leaves (memory starvation, a paused VM): say it here
                        log.warn(
                                "{}: attempt {} of run {} never ended (its worker stopped heartbeating: killed, stalled"
                                        + " or out of memory); attempt {} takes over{}",
                                def.name(),
                                attempt - 1,
                                req.pipelineRunId(),
                                attempt,
                                lastHeartbeat == null ? "" : " from the checkpoint of step " + lastHeartbeat.step());
                        tracker.setTags(
                                lost,
                                Map.of(
                                        "causalcxr.error",
                                        "attempt " + (attempt - 1) + " lost: its worker stopped heartbeating; attempt "
                                                + attempt + " took over"));
                        tracker.endRun(lost, "FAILED");
                    });
        }
        journal.startStageRun(req.pipelineRunId(), def.name(), cacheKey, attempt);
        if (req.force()) {
            return compute(def, req, attempt, lastHeartbeat, heartbeat, cacheKey, t0);
        }
        Optional<StageResult> hit = cacheHit(def, req, cacheKey, t0, attempt);
        if (hit.isPresent()) {
            return hit.get();
        }
        return computeOnce(def, req, attempt, lastHeartbeat, heartbeat, cacheKey, t0);
    }

    /**
     * Computes under the claim on the cache key, so that two pipelines that need the same outputs at once compute
     * them once: the second waits, then reads the cache. The cache is read again once the claim is held, whether
     * or not this attempt waited: another attempt may have published the outputs and let go of the claim between
     * this attempt's first lookup and its claim.
     */
    StageResult computeOnce(
            StageDefinition def,
            StageRequest req,
            int attempt,
            CheckpointPointer lastHeartbeat,
            Heartbeat heartbeat,
            String cacheKey,
            long t0) {
        try (ComputationClaim claim = journal.claimComputation(
                cacheKey,
                () -> log.info(
                        "{}: another attempt is computing the same outputs (cache key {}); waiting for it",
                        def.name(),
                        cacheKey.substring(0, 12)))) {
            Optional<StageResult> hit = cacheHit(def, req, cacheKey, t0, attempt);
            if (hit.isPresent()) {
                return hit.get();
            }
            return compute(def, req, attempt, lastHeartbeat, heartbeat, cacheKey, t0);
        }
    }

    private Optional<StageResult> cacheHit(
            StageDefinition def, StageRequest req, String cacheKey, long t0, int attempt) {
        for (String manifestDigest : journal.succeededManifests(cacheKey)) {
            StageManifest m = verifiedManifest(def.name(), manifestDigest);
            if (m != null) {
                return Optional.of(recordCacheHit(def, req, cacheKey, manifestDigest, m, t0, attempt));
            }
        }
        return Optional.empty();
    }

    private StageResult compute(
            StageDefinition def,
            StageRequest req,
            int attempt,
            CheckpointPointer lastHeartbeat,
            Heartbeat heartbeat,
            String cacheKey,
            long t0) {
        String trackingRun = tracker.startRun(
                req.experiment(),
                def.name(),
                req.parentTrackingRunId(),
                Map.of(
                        "causalcxr.stage",
                        def.name(),
                        "causalcxr.cache_hit",
                        "false",
                        "causalcxr.pipeline_run",
                        req.pipelineRunId()));
        Map<String, String> provenance = provenance(def, req);
        Map<String, String> params = new LinkedHashMap<>();
        params.put("stage.config", req.configJson());
        params.put("stage.seed", String.valueOf(req.seed()));
        params.put("stage.cache_key", cacheKey);
        tracker.logParams(trackingRun, params);
        tracker.setTags(trackingRun, provenanceTags(provenance));
        tracker.setTags(trackingRun, Map.of("causalcxr.attempt", String.valueOf(attempt)));
        logDatasetInputs(def.name(), req, trackingRun);
        journal.setStageTrackingRun(req.pipelineRunId(), def.name(), trackingRun);
        log.info("{}: attempt {} of run {} started on this worker", def.name(), attempt, req.pipelineRunId());
        // a worker killed mid-attempt on this machine left its unpacked inputs (report text among them): gone now
        workArea.purgeAbandoned();
        Path workDir = workRoot.resolve(cacheKey.substring(0, 16)).resolve("attempt-" + attempt);
        RunnerStageContext ctx = null;
        try {
            Files.createDirectories(workDir);
            ctx = new RunnerStageContext(
                    this,
                    req,
                    cacheKey,
                    workDir,
                    tracker,
                    trackingRun,
                    heartbeat,
                    lastHeartbeat,
                    picturesStayOnSite(req.pipelineRunId()));
            def.execute(req.configJson(), ctx);
            ctx.flush();
            Map<String, StageManifest.Entry> outputs = new TreeMap<>();
            for (Map.Entry<String, Path> o : ctx.outputs().entrySet()) {
                ObjectRef ref = store.putFile(o.getValue());
                journal.recordArtifact(ref.digest(), ref.size(), "stage-output");
                outputs.put(o.getKey(), new StageManifest.Entry(ref.digest(), ref.size()));
            }
            StageManifest manifest = new StageManifest(
                    def.name(),
                    cacheKey,
                    req.configJson(),
                    req.seed(),
                    new TreeMap<>(req.inputs()),
                    outputs,
                    new TreeMap<>(ctx.artifacts()),
                    new TreeMap<>(ctx.summary()),
                    new TreeMap<>(ctx.params()),
                    provenance);
            ObjectRef manifestRef = store.putJson(manifest);
            journal.recordArtifact(manifestRef.digest(), manifestRef.size(), "stage-manifest");
            double seconds = (System.nanoTime() - t0) / 1e9;
            tracker.logMetric(trackingRun, "stage_seconds", seconds, 0);
            // the stage's time as its user lived it: from the first attempt's start, retries and fail-overs included
            journal.stageWallSeconds(req.pipelineRunId(), def.name())
                    .ifPresent(wall -> tracker.logMetric(trackingRun, "stage_wall_seconds", wall, 0));
            tracker.logMetric(trackingRun, "stage_attempt", attempt, 0);
            tracker.endRun(trackingRun, "FINISHED");
            journal.finishStageRun(
                    req.pipelineRunId(),
                    def.name(),
                    "succeeded",
                    false,
                    manifestRef.digest(),
                    trackingRun,
                    seconds,
                    null);
            return new StageResult(
                    def.name(), manifestRef.digest(), false, seconds, manifest.metrics(), trackingRun, attempt);
        } catch (ActivityCompletionException e) {
            // Temporal's own signal (cancelled, timed out): nothing of the data in it, and it must stay what it is
            double seconds = (System.nanoTime() - t0) / 1e9;
            log.warn(
                    "{}: attempt {} of run {} ended by Temporal after {} s ({})",
                    def.name(),
                    attempt,
                    req.pipelineRunId(),
                    Math.round(seconds),
                    e.getClass().getSimpleName());
            if (ctx != null) {
                ctx.flushQuietly();
            }
            tracker.setTags(trackingRun, Map.of("causalcxr.error", e.getClass().getSimpleName()));
            tracker.endRun(trackingRun, "FAILED");
            journal.finishStageRun(
                    req.pipelineRunId(),
                    def.name(),
                    "failed",
                    false,
                    null,
                    trackingRun,
                    seconds,
                    e.getClass().getSimpleName());
            throw e;
        } catch (Exception e) {
            double seconds = (System.nanoTime() - t0) / 1e9;
            if (isOutage(e)) {
                // the journal below needs the database, the flush too: record this attempt's end once they are back
                awaitServices(def.name(), attempt, e);
            }
            if (ctx != null) {
                ctx.flushQuietly();
            }
            SiteFailure failure = siteFailure(def.name(), req, attempt, e);
            tracker.setTags(
                    trackingRun,
                    Map.of(
                            "causalcxr.error",
                            truncate(failure.message(), 4000),
                            "causalcxr.error_category",
                            failure.category(),
                            "causalcxr.error_ref",
                            failure.ref()));
            tracker.endRun(trackingRun, "FAILED");
            journal.finishStageRun(
                    req.pipelineRunId(),
                    def.name(),
                    "failed",
                    false,
                    null,
                    trackingRun,
                    seconds,
                    truncate(failure.message(), 4000));
            // a new exception without the original as its cause: Temporal records the whole cause chain,
            // messages and all, in the workflow history
            if (e instanceof StageInputException) {
                throw new StageInputException(failure.message());
            }
            throw new IllegalStateException(def.name() + " failed: " + failure.message());
        } finally {
            deleteTree(workDir);
        }
    }

    /**
     * The data set versions a training or evaluating stage uses, as dataset inputs of its tracking run and of the
     * pipeline's run (where MLflow's model version links to), so that MLflow shows what each model was trained and
     * measured on. Lineage that cannot be read (a manifest gone from the store) is left out, not a stage failure.
     */
    private void logDatasetInputs(String stage, StageRequest req, String trackingRun) {
        List<Tracker.DatasetInput> inputs;
        try {
            inputs = DatasetLineage.inputs(req, this::manifest);
        } catch (CorruptObjectException | ObjectStoreException e) {
            if (ObjectStore.isUnavailable(e)) {
                throw e;
            }
            log.warn(
                    "{}: the data set lineage cannot be read ({}); no dataset inputs logged",
                    stage,
                    e.getClass().getSimpleName());
            return;
        }
        tracker.logInputs(trackingRun, inputs);
        if (req.parentTrackingRunId() != null) {
            tracker.logInputs(req.parentTrackingRunId(), inputs);
        }
    }

    /**
     * Whether the pictures this run's stages publish are of real studies that go only to the site's own tracking
     * server: the run's spec imports data ({@code dataset.source} is not {@code phantom}) and does not say
     * {@code tracking.images: allowed}. A run whose spec cannot be read counts as real data.
     */
    boolean picturesStayOnSite(String pipelineRunId) {
        try {
            com.fasterxml.jackson.databind.JsonNode spec = new com.fasterxml.jackson.databind.ObjectMapper()
                    .readTree(journal.specJson(pipelineRunId).orElse("{}"));
            boolean phantom =
                    "phantom".equals(spec.path("dataset").path("source").asText(null));
            boolean allowed =
                    "allowed".equals(spec.path("tracking").path("images").asText(null));
            return !phantom && !allowed;
        } catch (IOException e) {
            return true;
        }
    }

    /** A picture artifact (grids, contact sheets, counterfactual images), by its name. */
    static boolean isPicture(String artifactName) {
        String n = artifactName.toLowerCase(java.util.Locale.ROOT);
        return n.endsWith(".png")
                || n.endsWith(".jpg")
                || n.endsWith(".jpeg")
                || n.endsWith(".gif")
                || n.endsWith(".tif")
                || n.endsWith(".tiff")
                || n.endsWith(".bmp")
                || n.endsWith(".webp");
    }

    /** What of a failure may leave the site: its category, its public message, its site-log reference. */
    record SiteFailure(String category, String message, String ref) {}

    /**
     * Writes the failure's whole detail (every message and stack trace of its cause chain) to the site log
     * under a fresh reference, and returns what may cross a process boundary: a {@link StageInputException}'s
     * own message (written by this project for exactly that purpose: never a path, id or report text), or
     * for any other exception its type alone, with the attempt number and the reference.
     */
    SiteFailure siteFailure(String stage, StageRequest req, int attempt, Exception e) {
        String ref = SiteLog.newReference();
        java.io.StringWriter trace = new java.io.StringWriter();
        e.printStackTrace(new java.io.PrintWriter(trace));
        String where =
                " (reference " + ref + "; detail in the site log, " + SiteLog.RELATIVE_PATH + " in the data folder)";
        try {
            siteLog.append(
                    ref + " " + stage + " attempt " + attempt + " of run " + req.pipelineRunId() + " failed",
                    List.of(trace.toString()));
        } catch (RuntimeException logFailure) {
            log.error(
                    "{}: cannot write failure {} to the site log: {}",
                    stage,
                    ref,
                    logFailure.getClass().getSimpleName());
            where = " (reference " + ref + "; the site log could not be written)";
        }
        if (e instanceof StageInputException) {
            String m = e.getMessage() == null ? "bad input" : e.getMessage();
            return new SiteFailure("StageInputException", m + where, ref);
        }
        String category = e.getClass().getSimpleName();
        return new SiteFailure(category, category + " on attempt " + attempt + where, ref);
    }

    private StageResult recordCacheHit(
            StageDefinition def,
            StageRequest req,
            String cacheKey,
            String manifestDigest,
            StageManifest m,
            long t0,
            int attempt) {
        String trackingRun = tracker.startRun(
                req.experiment(),
                def.name(),
                req.parentTrackingRunId(),
                Map.of(
                        "causalcxr.stage",
                        def.name(),
                        "causalcxr.cache_hit",
                        "true",
                        "causalcxr.cached_manifest",
                        manifestDigest,
                        "causalcxr.pipeline_run",
                        req.pipelineRunId()));
        tracker.logParams(
                trackingRun,
                Map.of(
                        "stage.config",
                        req.configJson(),
                        "stage.seed",
                        String.valueOf(req.seed()),
                        "stage.cache_key",
                        cacheKey));
        if (m.provenance() != null) {
            // the provenance of the run that computed the cached output, not of this one
            tracker.setTags(trackingRun, provenanceTags(m.provenance()));
        }
        m.metrics().forEach((k, v) -> tracker.logMetric(trackingRun, k, v, 0));
        logDatasetInputs(def.name(), req, trackingRun);
        boolean realPictures = picturesStayOnSite(req.pipelineRunId());
        m.artifacts()
                .forEach((name, e) -> tracker.logArtifactObject(
                        trackingRun, name, new ObjectRef(e.digest(), e.size()), realPictures && isPicture(name)));
        double seconds = (System.nanoTime() - t0) / 1e9;
        tracker.endRun(trackingRun, "FINISHED");
        journal.finishStageRun(
                req.pipelineRunId(), def.name(), "succeeded", true, manifestDigest, trackingRun, seconds, null);
        log.info("{}: cache hit ({})", def.name(), manifestDigest.substring(0, 12));
        return new StageResult(def.name(), manifestDigest, true, seconds, m.metrics(), trackingRun, attempt);
    }

    /**
     * The manifest when it and every object it lists verify; null otherwise (a cache miss, never an
     * error: the stage runs again and its publish replaces the missing or corrupt objects).
     */
    StageManifest verifiedManifest(String stage, String digest) {
        StageManifest m;
        try {
            m = store.readJson(digest, StageManifest.class);
        } catch (CorruptObjectException | ObjectStoreException e) {
            if (ObjectStore.isUnavailable(e)) {
                throw e; // unreachable says nothing about the cache: no needless recomputation
            }
            log.warn(
                    "{}: cached manifest {} is missing or corrupt; running the stage again",
                    stage,
                    shortDigest(digest));
            return null;
        }
        for (Map.Entry<String, StageManifest.Entry> e : m.outputs().entrySet()) {
            if (!store.verify(e.getValue().digest())) {
                log.warn(
                        "{}: cached output '{}' ({}) is missing or corrupt; running the stage again",
                        stage,
                        e.getKey(),
                        shortDigest(e.getValue().digest()));
                return null;
            }
        }
        for (Map.Entry<String, StageManifest.Entry> e : m.artifacts().entrySet()) {
            if (!store.verify(e.getValue().digest())) {
                log.warn(
                        "{}: cached artifact '{}' ({}) is missing or corrupt; running the stage again",
                        stage,
                        e.getKey(),
                        shortDigest(e.getValue().digest()));
                return null;
            }
        }
        return m;
    }

    private static String shortDigest(String digest) {
        return digest.length() > 12 ? digest.substring(0, 12) : digest;
    }

    /** Provenance entries as tracking tags ({@code causalcxr.provenance.KEY}). */
    static Map<String, String> provenanceTags(Map<String, String> provenance) {
        Map<String, String> tags = new LinkedHashMap<>();
        provenance.forEach((k, v) -> tags.put("causalcxr.provenance." + k, v));
        return tags;
    }

    /** Whether a failure is the object store or the database being unreachable (not the stage's fault). */
    static boolean isOutage(Throwable e) {
        return ObjectStore.isUnavailable(e) || MetadataDb.isUnavailable(e);
    }

    /**
     * After an attempt failed on an outage: waits (up to {@link #OUTAGE_PATIENCE}) until the object store and the
     * database answer again, so that the retry Temporal schedules next starts on working services.
     */
    private void awaitServices(String stage, int attempt, Throwable outage) {
        log.warn(
                "{}: attempt {} failed because a service is unreachable ({}); waiting for it before the retry",
                stage,
                attempt,
                outage.getClass().getSimpleName());
        long t0 = System.nanoTime();
        try {
            long end = t0 + OUTAGE_PATIENCE.toNanos();
            boolean storeUp = store.awaitAvailable(OUTAGE_PATIENCE);
            boolean dbUp = journal.awaitAvailable(java.time.Duration.ofNanos(Math.max(0, end - System.nanoTime())));
            log.warn(
                    "{}: after {} s the object store is {} and the database is {}",
                    stage,
                    String.format(java.util.Locale.ROOT, "%.1f", (System.nanoTime() - t0) / 1e9),
                    storeUp ? "back" : "still unreachable",
                    dbUp ? "back" : "still unreachable");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
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
