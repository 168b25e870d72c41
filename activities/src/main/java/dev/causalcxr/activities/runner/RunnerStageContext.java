package dev.causalcxr.activities.runner;

import dev.causalcxr.core.stage.StageContext;
import dev.causalcxr.infra.metadata.PipelineJournal.CheckpointRow;
import dev.causalcxr.infra.objectstore.CorruptObjectException;
import dev.causalcxr.infra.objectstore.ObjectRef;
import dev.causalcxr.infra.objectstore.ObjectStore;
import dev.causalcxr.infra.objectstore.ObjectStoreException;
import dev.causalcxr.infra.tracking.Tracker;
import io.temporal.client.ActivityCanceledException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The runner's side of {@link StageContext}: storage, heartbeats and tracking behind the callback. */
final class RunnerStageContext implements StageContext {
    private static final Logger log = LoggerFactory.getLogger(RunnerStageContext.class);

    private final StageRunner runner;
    private final StageRequest req;
    private final String cacheKey;
    private final Path workDir;
    private final Tracker tracker;
    private final String trackingRun;
    private final Heartbeat heartbeat;
    private final CheckpointPointer lastHeartbeat;
    private final boolean picturesStayOnSite;
    private final Map<String, Path> outputs = new LinkedHashMap<>();
    private final Map<String, StageManifest.Entry> artifacts = new LinkedHashMap<>();
    private final Map<String, Double> summary = new LinkedHashMap<>();
    private final Map<String, String> params = new LinkedHashMap<>();
    private Map<String, Path> inputs;
    private volatile boolean cancelled;
    private double fraction;
    private long checkpointStep = -1;
    private String checkpointDigest;

    RunnerStageContext(
            StageRunner runner,
            StageRequest req,
            String cacheKey,
            Path workDir,
            Tracker tracker,
            String trackingRun,
            Heartbeat heartbeat,
            CheckpointPointer lastHeartbeat,
            boolean picturesStayOnSite) {
        this.runner = runner;
        this.req = req;
        this.cacheKey = cacheKey;
        this.workDir = workDir;
        this.tracker = tracker;
        this.trackingRun = trackingRun;
        this.heartbeat = heartbeat;
        this.lastHeartbeat = lastHeartbeat;
        this.picturesStayOnSite = picturesStayOnSite;
    }

    @Override
    public long seed() {
        return req.seed();
    }

    @Override
    public Path workDir() {
        return workDir;
    }

    @Override
    public void progress(double fraction, String message) {
        this.fraction = Math.max(0, Math.min(1, fraction));
        beat();
    }

    private void beat() {
        try {
            heartbeat.beat(new CheckpointPointer(fraction, checkpointStep, checkpointDigest));
        } catch (ActivityCanceledException e) {
            // Temporal reports cancellation through the heartbeat
            cancelled = true;
            throw e;
        }
    }

    @Override
    public void logMetric(String key, double value, long step) {
        tracker.logMetric(trackingRun, key, value, step);
    }

    @Override
    public void summaryMetric(String key, double value) {
        summary.put(key, value);
        tracker.logMetric(trackingRun, key, value, 0);
    }

    @Override
    public void logParam(String key, String value) {
        params.put(key, value);
        tracker.logParams(trackingRun, Map.of(key, value));
    }

    @Override
    public Optional<Checkpoint> latestCheckpoint() {
        // candidates: the heartbeated pointer first, then every recorded checkpoint, newest first
        List<CheckpointRow> candidates = new ArrayList<>();
        if (lastHeartbeat != null && lastHeartbeat.checkpointDigest() != null) {
            candidates.add(new CheckpointRow(lastHeartbeat.step(), lastHeartbeat.checkpointDigest()));
        }
        // --force means start over: then only this run's own checkpoints count
        candidates.addAll(runner.journal().checkpoints(cacheKey, req.pipelineRunId(), !req.force()));
        candidates.sort(Collections.reverseOrder(java.util.Comparator.comparingLong(CheckpointRow::step)));
        // last: a retrain's warm start, the final checkpoint of the model it fine-tunes (never preferred to progress
        // this stage run made itself, whose steps are higher)
        warmStart().ifPresent(candidates::add);
        for (CheckpointRow c : candidates) {
            try {
                Path file = runner.store().getToFile(c.digest(), workDir.resolve("resume-" + c.step() + ".ckpt"));
                checkpointStep = c.step();
                checkpointDigest = c.digest();
                log.info("{}: resuming from the checkpoint of step {}", req.stage(), c.step());
                return Optional.of(new Checkpoint(c.step(), file));
            } catch (CorruptObjectException | ObjectStoreException e) {
                if (ObjectStore.isUnavailable(e)) {
                    throw e; // the store is away, the checkpoint may be fine: retry rather than start over
                }
                log.warn(
                        "{}: checkpoint of step {} unusable ({}); trying an older one",
                        req.stage(),
                        c.step(),
                        e.getMessage());
            }
        }
        return Optional.empty();
    }

    /**
     * The checkpoint a retrain starts this stage from: the {@link WarmStart#INPUT} manifest's output named after
     * this request's stage ({@code train-disentangler}, …), with its step in the manifest's params.
     */
    private Optional<CheckpointRow> warmStart() {
        String digest = req.inputs().get(WarmStart.INPUT);
        if (digest == null) {
            return Optional.empty();
        }
        StageManifest m = runner.manifest(digest);
        StageManifest.Entry e = m.outputs().get(req.stage());
        String step = m.params().get(WarmStart.stepParam(req.stage()));
        if (e == null || step == null) {
            return Optional.empty();
        }
        log.info("{}: warm start from the checkpoint of step {}", req.stage(), step);
        return Optional.of(new CheckpointRow(Long.parseLong(step), e.digest()));
    }

    @Override
    public void saveCheckpoint(long step, Path file) {
        ObjectRef ref = runner.store().putFile(file);
        runner.journal().recordCheckpoint(cacheKey, req.pipelineRunId(), step, ref.digest());
        checkpointStep = step;
        checkpointDigest = ref.digest();
        // which worker got how far: what an operator (and the fail-over test) reads after a worker dies
        log.info("{}: checkpoint of step {} saved", req.stage(), step);
        beat();
    }

    @Override
    public void addOutput(String name, Path file) {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("output " + name + " is not a file: " + file.getFileName());
        }
        outputs.put(name, file);
    }

    @Override
    public void addArtifact(String name, Path file) {
        ObjectRef ref = runner.store().putFile(file);
        // pictures of real studies: only to the site's own tracking server (the tracker enforces it at push time)
        tracker.logArtifactObject(trackingRun, name, ref, picturesStayOnSite && StageRunner.isPicture(name));
        artifacts.put(name, new StageManifest.Entry(ref.digest(), ref.size()));
    }

    @Override
    public synchronized Map<String, Path> inputs() {
        if (inputs == null) {
            Map<String, Path> m = new LinkedHashMap<>();
            try {
                Path dir = Files.createDirectories(workDir.resolve("inputs"));
                for (Map.Entry<String, String> in : new java.util.TreeMap<>(req.inputs()).entrySet()) {
                    StageManifest manifest = runner.manifest(in.getValue());
                    for (Map.Entry<String, StageManifest.Entry> o :
                            manifest.outputs().entrySet()) {
                        Path local = dir.resolve(in.getKey() + "--" + o.getKey().replace('/', '_'));
                        runner.store().getToFile(o.getValue().digest(), local);
                        m.put(in.getKey() + "/" + o.getKey(), local);
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot stage inputs", e);
            }
            inputs = Collections.unmodifiableMap(m);
        }
        return inputs;
    }

    @Override
    public boolean cancelled() {
        return cancelled;
    }

    @Override
    public void siteDetail(String header, List<String> lines) {
        runner.siteLog().append(req.stage() + " (" + req.pipelineRunId() + "): " + header, lines);
    }

    Map<String, Path> outputs() {
        return outputs;
    }

    Map<String, StageManifest.Entry> artifacts() {
        return artifacts;
    }

    Map<String, Double> summary() {
        return summary;
    }

    Map<String, String> params() {
        return params;
    }

    void flush() {
        tracker.flush(trackingRun);
    }

    void flushQuietly() {
        try {
            flush();
        } catch (RuntimeException e) {
            log.warn("could not flush metrics of a failed stage: {}", e.getMessage());
        }
    }
}
