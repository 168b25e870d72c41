package dev.causalcxr.core.diffusion;

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

/** A stage context for tests: records metrics, outputs and checkpoints; can cancel after N checkpoints. */
public final class RecordingStageContext implements StageContext {
    final Path workDir;
    final long seed;
    public final Map<String, Path> outputs = new LinkedHashMap<>();
    public final Map<String, Path> artifacts = new LinkedHashMap<>();
    public final List<String> metrics = new ArrayList<>();
    final List<Double> progress = new ArrayList<>();
    public final List<Checkpoint> savedCheckpoints = new ArrayList<>();
    public Checkpoint resumeFrom;
    public int cancelAfterCheckpoints = Integer.MAX_VALUE;

    public RecordingStageContext(Path workDir, long seed) {
        this.workDir = workDir;
        this.seed = seed;
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
        metrics.add(key + "@" + step + "=" + value);
    }

    @Override
    public void summaryMetric(String key, double value) {
        metrics.add(key + "=" + value);
    }

    @Override
    public void logParam(String key, String value) {
    }

    @Override
    public Optional<Checkpoint> latestCheckpoint() {
        return Optional.ofNullable(resumeFrom);
    }

    @Override
    public void saveCheckpoint(long step, Path file) {
        // the stage may delete its file after this call: keep a copy, as the object store would
        try {
            Path kept = workDir.resolve("kept-checkpoint-" + step + ".bin");
            Files.copy(file, kept);
            savedCheckpoints.add(new Checkpoint(step, kept));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
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
        return savedCheckpoints.size() >= cancelAfterCheckpoints;
    }
}
