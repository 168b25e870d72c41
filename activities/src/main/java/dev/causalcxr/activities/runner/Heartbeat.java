package dev.causalcxr.activities.runner;

/** The liveness signal of a running stage: the runner passes the checkpoint pointer through it. */
@FunctionalInterface
public interface Heartbeat {
    void beat(CheckpointPointer pointer);

    Heartbeat NONE = p -> {};
}
