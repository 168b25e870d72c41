package dev.causalcxr.activities.runner;

/**
 * The small record heartbeated by a running stage: progress, and where its newest complete
 * checkpoint is (step, object digest). Never the checkpoint itself.
 */
public record CheckpointPointer(double fraction, long step, String checkpointDigest) {}
