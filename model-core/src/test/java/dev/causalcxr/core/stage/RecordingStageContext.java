package dev.causalcxr.core.stage;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The one in-memory {@link StageContext} for tests: it records everything a stage reports and plays
 * the object store for checkpoints.
 *
 * <ul>
 *   <li>logged metrics per key as (step, value) points, summary metrics, params, progress calls;</li>
 *   <li>outputs and artifacts by name (the stage's own file, or a copy when {@link #copyPublishedFilesTo}
 *       is set);</li>
 *   <li>checkpoints: each saved file is copied at once (the stage may delete it afterwards, as it may with
 *       the real store) unless {@link #keepCheckpointCopies(boolean)} turns that off;
 *       {@link #latestCheckpoint()} is the one set with {@link #resumeFrom}, else the newest saved;</li>
 *   <li>inputs by logical name ({@link #withInput}, {@link #withInputs});</li>
 *   <li>cancellation: {@link #cancel()} now, or after N saved checkpoints or N progress calls;</li>
 *   <li>a hook on each logged metric ({@link #onLogMetric}).</li>
 * </ul>
 *
 * All recording methods are synchronized (stages may report from worker threads); the accessors return
 * snapshots.
 */
public final class RecordingStageContext implements StageContext {

    /** One logged metric value. */
    public record Point(long step, double value) {}

    /** Called on every {@link #logMetric} (after it is recorded), e.g. to time steps in a benchmark. */
    @FunctionalInterface
    public interface MetricListener {
        void logged(String key, double value, long step);
    }

    private final Path workDir;
    private final long seed;

    private final Map<String, List<Point>> metrics = new LinkedHashMap<>();
    private final Map<String, Double> summary = new LinkedHashMap<>();
    private final List<String> metricTrail = new ArrayList<>();
    private final Map<String, String> params = new LinkedHashMap<>();
    private final Map<String, Path> outputs = new LinkedHashMap<>();
    private final Map<String, Path> artifacts = new LinkedHashMap<>();
    private final List<Double> progressFractions = new ArrayList<>();
    private final List<String> progressMessages = new ArrayList<>();
    private final List<Checkpoint> savedCheckpoints = new ArrayList<>();
    private final Map<String, Path> inputs = new LinkedHashMap<>();
    private final List<String> siteDetail = new ArrayList<>();

    private Checkpoint resumeFrom;
    private boolean keepCheckpointCopies = true;
    private Path checkpointDir;
    private Path publishDir;
    private volatile boolean cancelled;
    private int cancelAfterCheckpoints = Integer.MAX_VALUE;
    private int cancelAfterProgressCalls = Integer.MAX_VALUE;
    private MetricListener metricListener = (key, value, step) -> {};

    /** A context whose work folder is {@code workDir} (created if missing). */
    public RecordingStageContext(Path workDir, long seed) {
        this.workDir = workDir;
        this.seed = seed;
        this.checkpointDir = workDir.resolve("kept-checkpoints");
        try {
            Files.createDirectories(workDir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A context working in {@code dir/work} and keeping checkpoint copies in {@code dir/checkpoints}. */
    public static RecordingStageContext under(Path dir, long seed) {
        return new RecordingStageContext(dir.resolve("work"), seed).keepCheckpointsIn(dir.resolve("checkpoints"));
    }

    // ---------------------------------------------------------------- set-up (fluent)

    /** Adds one input by logical name. */
    public synchronized RecordingStageContext withInput(String name, Path file) {
        inputs.put(name, file);
        return this;
    }

    /** Adds inputs by logical name. */
    public synchronized RecordingStageContext withInputs(Map<String, Path> files) {
        inputs.putAll(files);
        return this;
    }

    /** The checkpoint {@link #latestCheckpoint()} returns (an earlier attempt's), ahead of any saved here. */
    public synchronized RecordingStageContext resumeFrom(Checkpoint checkpoint) {
        this.resumeFrom = checkpoint;
        return this;
    }

    /**
     * Whether {@link #saveCheckpoint} copies the file (default: yes, into {@code workDir/kept-checkpoints},
     * so a stage that deletes its file does not break a later resume) or records the stage's own path.
     */
    public synchronized RecordingStageContext keepCheckpointCopies(boolean keep) {
        this.keepCheckpointCopies = keep;
        return this;
    }

    /** Where checkpoint copies go (default {@code workDir/kept-checkpoints}). */
    public synchronized RecordingStageContext keepCheckpointsIn(Path dir) {
        this.checkpointDir = dir;
        return this;
    }

    /**
     * Copies each output and artifact into {@code dir} when it is registered and records the copy, as the
     * real runner publishes them (default: the stage's own path is recorded, no copy).
     */
    public synchronized RecordingStageContext copyPublishedFilesTo(Path dir) {
        this.publishDir = dir;
        return this;
    }

    /** Cancels the run: {@link #cancelled()} is true from now on. */
    public RecordingStageContext cancel() {
        cancelled = true;
        return this;
    }

    /** {@link #cancelled()} turns true once {@code n} checkpoints have been saved. */
    public synchronized RecordingStageContext cancelAfterCheckpoints(int n) {
        this.cancelAfterCheckpoints = n;
        return this;
    }

    /** {@link #cancelled()} turns true once {@code n} progress calls have been made. */
    public synchronized RecordingStageContext cancelAfterProgressCalls(int n) {
        this.cancelAfterProgressCalls = n;
        return this;
    }

    /** Calls {@code listener} on every {@link #logMetric} (replaces an earlier listener). */
    public synchronized RecordingStageContext onLogMetric(MetricListener listener) {
        this.metricListener = listener;
        return this;
    }

    // ---------------------------------------------------------------- StageContext

    @Override
    public long seed() {
        return seed;
    }

    @Override
    public Path workDir() {
        return workDir;
    }

    @Override
    public synchronized void progress(double fraction, String message) {
        progressFractions.add(fraction);
        progressMessages.add(message);
    }

    @Override
    public synchronized void logMetric(String key, double value, long step) {
        metrics.computeIfAbsent(key, k -> new ArrayList<>()).add(new Point(step, value));
        metricTrail.add(key + "@" + step + "=" + value);
        metricListener.logged(key, value, step);
    }

    @Override
    public synchronized void summaryMetric(String key, double value) {
        summary.put(key, value);
        metricTrail.add(key + "=" + value);
    }

    @Override
    public synchronized void logParam(String key, String value) {
        params.put(key, value);
    }

    @Override
    public synchronized Optional<Checkpoint> latestCheckpoint() {
        if (resumeFrom != null) {
            return Optional.of(resumeFrom);
        }
        return savedCheckpoints.isEmpty()
                ? Optional.empty()
                : Optional.of(savedCheckpoints.get(savedCheckpoints.size() - 1));
    }

    @Override
    public synchronized void saveCheckpoint(long step, Path file) {
        Path kept = file;
        if (keepCheckpointCopies) {
            try {
                Files.createDirectories(checkpointDir);
                kept = Files.copy(
                        file, checkpointDir.resolve("step-" + step + ".ckpt"), StandardCopyOption.REPLACE_EXISTING);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        savedCheckpoints.add(new Checkpoint(step, kept));
    }

    @Override
    public synchronized void addOutput(String name, Path file) {
        outputs.put(name, published("outputs", name, file));
    }

    @Override
    public synchronized void addArtifact(String name, Path file) {
        artifacts.put(name, published("artifacts", name, file));
    }

    @Override
    public synchronized Map<String, Path> inputs() {
        return snapshot(inputs);
    }

    @Override
    public synchronized void siteDetail(String header, List<String> lines) {
        siteDetail.add(header);
        siteDetail.addAll(lines);
    }

    /** Everything written to the site-local log, header lines and detail lines in order. */
    public synchronized List<String> siteDetail() {
        return List.copyOf(siteDetail);
    }

    @Override
    public synchronized boolean cancelled() {
        return cancelled
                || savedCheckpoints.size() >= cancelAfterCheckpoints
                || progressFractions.size() >= cancelAfterProgressCalls;
    }

    // ---------------------------------------------------------------- accessors

    /** The keys given to {@link #logMetric}, in first-logged order. */
    public synchronized Set<String> metricKeys() {
        return Collections.unmodifiableSet(new java.util.LinkedHashSet<>(metrics.keySet()));
    }

    public synchronized boolean hasMetric(String key) {
        return metrics.containsKey(key);
    }

    /** The (step, value) points logged under {@code key}, in call order; empty if none. */
    public synchronized List<Point> metricPoints(String key) {
        return List.copyOf(metrics.getOrDefault(key, List.of()));
    }

    /** The values logged under {@code key}, in call order; empty if none. */
    public synchronized List<Double> metricValues(String key) {
        return metrics.getOrDefault(key, List.of()).stream().map(Point::value).toList();
    }

    /** The steps logged under {@code key}, in call order; empty if none. */
    public synchronized List<Long> metricSteps(String key) {
        return metrics.getOrDefault(key, List.of()).stream().map(Point::step).toList();
    }

    /** The last value logged under {@code key}; fails if none was. */
    public synchronized double lastMetric(String key) {
        List<Point> points = metrics.get(key);
        if (points == null) {
            throw new IllegalStateException("no metric " + key + " logged; logged: " + metrics.keySet());
        }
        return points.get(points.size() - 1).value();
    }

    /**
     * Every {@link #logMetric} and {@link #summaryMetric} call in order, as {@code key@step=value} and
     * {@code key=value}: for comparing what two runs reported, in order.
     */
    public synchronized List<String> metricTrail() {
        return List.copyOf(metricTrail);
    }

    /** The summary metrics, in first-reported order (a later value replaces an earlier one). */
    public synchronized Map<String, Double> summary() {
        return snapshot(summary);
    }

    public synchronized boolean hasSummary(String key) {
        return summary.containsKey(key);
    }

    /** One summary metric; fails if it was not reported. */
    public synchronized double summaryValue(String key) {
        Double v = summary.get(key);
        if (v == null) {
            throw new IllegalStateException("no summary metric " + key + "; reported: " + summary.keySet());
        }
        return v;
    }

    public synchronized Map<String, String> params() {
        return snapshot(params);
    }

    /** One param, or null if it was not logged. */
    public synchronized String param(String key) {
        return params.get(key);
    }

    /** The registered outputs by name (copies where {@link #copyPublishedFilesTo} is set). */
    public synchronized Map<String, Path> outputs() {
        return snapshot(outputs);
    }

    /** One output; fails if none was registered under {@code name}. */
    public synchronized Path output(String name) {
        return required("output", outputs, name);
    }

    /** The registered artifacts by name (copies where {@link #copyPublishedFilesTo} is set). */
    public synchronized Map<String, Path> artifacts() {
        return snapshot(artifacts);
    }

    /** One artifact; fails if none was registered under {@code name}. */
    public synchronized Path artifact(String name) {
        return required("artifact", artifacts, name);
    }

    /** The fractions passed to {@link #progress}, in call order. */
    public synchronized List<Double> progressFractions() {
        return List.copyOf(progressFractions);
    }

    /** The messages passed to {@link #progress}, in call order. */
    public synchronized List<String> progressMessages() {
        return Collections.unmodifiableList(new ArrayList<>(progressMessages));
    }

    /** The fraction of the last {@link #progress} call; fails if there was none. */
    public synchronized double lastProgress() {
        if (progressFractions.isEmpty()) {
            throw new IllegalStateException("no progress reported");
        }
        return progressFractions.get(progressFractions.size() - 1);
    }

    /** The checkpoints saved, in order (their files are copies unless turned off). */
    public synchronized List<Checkpoint> savedCheckpoints() {
        return List.copyOf(savedCheckpoints);
    }

    // ---------------------------------------------------------------- helpers

    private Path published(String kind, String name, Path file) {
        if (publishDir == null) {
            return file;
        }
        try {
            Path dir = Files.createDirectories(publishDir.resolve(kind).resolve(name));
            return Files.copy(file, dir.resolve(file.getFileName()), StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Path required(String kind, Map<String, Path> files, String name) {
        Path p = files.get(name);
        if (p == null) {
            throw new IllegalStateException("no " + kind + " " + name + "; registered: " + files.keySet());
        }
        return p;
    }

    private static <K, V> Map<K, V> snapshot(Map<K, V> map) {
        return Collections.unmodifiableMap(new LinkedHashMap<>(map));
    }
}
