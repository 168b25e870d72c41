package dev.causalcxr.core.engine;

import ai.djl.Device;
import ai.djl.engine.Engine;

/**
 * The one way to get DJL's PyTorch engine: offline (libtorch comes from the pytorch-native-cpu jar,
 * nothing is downloaded), seeded, on the device the configuration names.
 */
public final class Engines {
    /**
     * The engine's name. Deliberately not a compile-time constant: {@code NDManager.newBaseManager(Engines.PYTORCH)}
     * must initialize this class (and with it the native settings below) before DJL loads libtorch, and a
     * constant would be inlined into the caller without that.
     */
    public static final String PYTORCH = "PyTorch".intern();

    static {
        // never download: a missing native library must fail loudly, not fetch one at run time
        if (System.getProperty("ai.djl.offline") == null) {
            System.setProperty("ai.djl.offline", "true");
        }
        NativeMemory.tune();
    }

    private Engines() {}

    public static Engine pytorch() {
        return Engine.getEngine(PYTORCH);
    }

    /** Seeds the engine's generator (and thereby parameter initialization and dropout). */
    public static Engine seeded(long seed) {
        Engine e = pytorch();
        e.setRandomSeed((int) (seed ^ (seed >>> 32)));
        return e;
    }

    /** The CUDA devices the loaded libtorch sees (0 with the CPU build this project ships). */
    public static int gpuCount() {
        return pytorch().getGpuCount();
    }

    /** {@code cpu}, {@code gpu} or {@code gpu:N} ({@link DeviceName}); never assumes CUDA is there. */
    public static Device device(String name) {
        int id = DeviceName.gpuIndex(name);
        if (id < 0) {
            return Device.cpu();
        }
        if (pytorch().getGpuCount() <= id) {
            throw new IllegalArgumentException("device " + name + " requested but this engine sees "
                    + pytorch().getGpuCount() + " GPU(s)");
        }
        return Device.gpu(id);
    }
}
