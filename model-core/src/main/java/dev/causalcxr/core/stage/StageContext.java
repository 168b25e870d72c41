package dev.causalcxr.core.stage;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * The small callback a stage function in model-core is handed. It knows nothing of Temporal, S3 or
 * MLflow: the shared stage runner behind it heartbeats, uploads checkpoints, logs to the tracker and
 * publishes outputs.
 */
public interface StageContext {

    /** The stage's seed (derived from the experiment seed and the stage name). */
    long seed();

    /** A private scratch folder for this attempt; files placed here are not published by themselves. */
    Path workDir();

    /** Reports progress in [0, 1]; also the liveness signal (heartbeat). */
    void progress(double fraction, String message);

    /** Logs one metric value at a step (batched to the tracker). */
    void logMetric(String key, double value, long step);

    /** Logs a final summary metric (goes to the run summary and the tracker). */
    void summaryMetric(String key, double value);

    void logParam(String key, String value);

    /** The newest complete checkpoint of an earlier attempt of this same stage run, if any. */
    Optional<Checkpoint> latestCheckpoint();

    /**
     * Stores a checkpoint file durably (upload, verify digest) and records the pointer
     * (step, object key, digest) in the heartbeat. The file may be deleted afterwards.
     */
    void saveCheckpoint(long step, Path file);

    /** Registers an output file under a logical name; published atomically when the stage ends. */
    void addOutput(String name, Path file);

    /** Registers a picture or table a person should see in the tracker (also published). */
    void addArtifact(String name, Path file);

    /** The local copies of this stage's inputs, by logical name (resolved from references). */
    Map<String, Path> inputs();

    /** True once the run has been cancelled; long loops should stop at the next step. */
    boolean cancelled();

    /**
     * Writes detail that must stay on site (source file names, study ids, exception text) to the site-local
     * log, never to the tracker or the journal; each line should start with the reference that the public
     * message names.
     */
    void siteDetail(String header, java.util.List<String> lines);

    /** A checkpoint of an earlier attempt, downloaded and verified. */
    record Checkpoint(long step, Path file) {}
}
