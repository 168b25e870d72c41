package dev.causalcxr.core.engine;

import java.util.Locale;

/**
 * The device names the engine accepts ({@code cpu}, {@code gpu} or {@code gpu:N}, any case), read without loading
 * the engine: {@link Engines#device} parses them with this, and a spec checks them with it before anything runs.
 */
public final class DeviceName {
    /** What a config says when a device name is not one of these. */
    public static final String FORMS = "cpu, gpu or gpu:N";

    private DeviceName() {}

    /**
     * The GPU index a device name names: -1 for {@code cpu} (and null), 0 for {@code gpu}, N for {@code gpu:N}.
     *
     * @throws IllegalArgumentException for anything else
     */
    public static int gpuIndex(String name) {
        String n = name == null ? "cpu" : name.trim().toLowerCase(Locale.ROOT);
        if (n.equals("cpu")) {
            return -1;
        }
        if (n.equals("gpu")) {
            return 0;
        }
        if (n.startsWith("gpu:") && n.substring(4).matches("\\d{1,9}")) {
            return Integer.parseInt(n.substring(4));
        }
        throw new IllegalArgumentException("device must be " + FORMS + ", not " + name);
    }

    /** Null when the engine accepts the name, else what is wrong with it. */
    public static String problem(String name) {
        try {
            gpuIndex(name);
            return null;
        } catch (IllegalArgumentException e) {
            return "must be " + FORMS + " (got '" + name + "')";
        }
    }
}
