package dev.causalcxr.core.evaluation;

import dev.causalcxr.core.stage.StageContext;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** A stage context that records what a stage reports. */
final class RecordingStageContext implements StageContext {
    final Path work;
    final long seed;
    final Map<String, Double> summary = new LinkedHashMap<>();
    final Map<String, Double> metrics = new LinkedHashMap<>();
    final Map<String, String> params = new LinkedHashMap<>();
    final Map<String, Path> outputs = new LinkedHashMap<>();
    final Map<String, Path> artifacts = new LinkedHashMap<>();
    double lastProgress;

    RecordingStageContext(Path work, long seed) {
        this.work = work;
        this.seed = seed;
    }

    @Override
    public long seed() {
        return seed;
    }

    @Override
    public Path workDir() {
        return work;
    }

    @Override
    public void progress(double fraction, String message) {
        lastProgress = fraction;
    }

    @Override
    public void logMetric(String key, double value, long step) {
        metrics.put(key, value);
    }

    @Override
    public void summaryMetric(String key, double value) {
        summary.put(key, value);
    }

    @Override
    public void logParam(String key, String value) {
        params.put(key, value);
    }

    @Override
    public Optional<Checkpoint> latestCheckpoint() {
        return Optional.empty();
    }

    @Override
    public void saveCheckpoint(long step, Path file) {
    }

    @Override
    public void addOutput(String name, Path file) {
        outputs.put(name, file);
    }

    @Override
    public void addArtifact(String name, Path file) {
        artifacts.put(name, file);
    }

    @Override
    public Map<String, Path> inputs() {
        return Map.of();
    }

    @Override
    public boolean cancelled() {
        return false;
    }
}
