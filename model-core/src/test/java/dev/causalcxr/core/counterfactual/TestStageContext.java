package dev.causalcxr.core.counterfactual;

import dev.causalcxr.core.stage.StageContext;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** A StageContext for tests: records metrics, params, outputs and artifacts; no checkpoints kept. */
final class TestStageContext implements StageContext {

    private final long seed;
    private final Path workDir;
    final Map<String, List<Double>> metrics = new LinkedHashMap<>();
    final Map<String, Double> summary = new LinkedHashMap<>();
    final Map<String, String> params = new LinkedHashMap<>();
    final Map<String, Path> outputs = new LinkedHashMap<>();
    final Map<String, Path> artifacts = new LinkedHashMap<>();
    final List<Double> progress = new ArrayList<>();
    volatile boolean cancel;

    TestStageContext(long seed, Path dir) {
        this.seed = seed;
        this.workDir = dir.resolve("work");
        try {
            Files.createDirectories(workDir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public long seed() {
        return seed;
    }

    @Override
    public Path workDir() {
        return workDir;
    }

    @Override
    public void progress(double fraction, String message) {
        progress.add(fraction);
    }

    @Override
    public void logMetric(String key, double value, long step) {
        metrics.computeIfAbsent(key, k -> new ArrayList<>()).add(value);
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
        return cancel;
    }
}
