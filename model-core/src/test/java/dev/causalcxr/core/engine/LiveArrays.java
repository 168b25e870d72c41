package dev.causalcxr.core.engine;

import ai.djl.ndarray.NDManager;

/**
 * Counts every NDArray alive in this process: the PyTorch engine's system manager is the root of every manager, and
 * its managed arrays include those of all its descendants. Tests run one at a time in this module, so a difference
 * between two counts in one test is that test's own.
 */
public final class LiveArrays {
    private LiveArrays() {}

    public static int count() {
        try (NDManager probe = Engines.pytorch().newBaseManager()) {
            return probe.getParentManager().getManagedArrays().size();
        }
    }
}
