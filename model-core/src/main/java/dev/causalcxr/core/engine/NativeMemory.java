package dev.causalcxr.core.engine;

import com.sun.jna.Library;
import com.sun.jna.Native;
import java.util.List;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * glibc malloc settings for libtorch's large, short-lived tensors, applied once before the engine
 * loads. libtorch is called from JVM threads, which allocate from glibc's secondary arenas; with
 * glibc's defaults those hand freed memory back to the kernel at once, so every training step
 * page-faults its activations in again (1.2 M faults and about a quarter of the disentangler's step time,
 * bench/disentangle/RESULTS.md). Keeping freed memory in the heap, as CPython's main thread
 * effectively does, removes that. Skipped where the user set glibc's own variables
 * ({@code MALLOC_*_}, {@code GLIBC_TUNABLES}), off Linux, or with
 * {@code -Dcausalcxr.native-malloc=default}.
 */
public final class NativeMemory {
    /** mallopt parameters (malloc.h). */
    private static final int M_TRIM_THRESHOLD = -1;

    private static final int M_TOP_PAD = -2;
    private static final int M_MMAP_THRESHOLD = -3;
    /** Largest block served from the heap rather than a fresh mapping, and freed memory kept. */
    static final int KEEP_BYTES = 1 << 30;
    /** Heap growth per extension, so a step's tensors are not mapped piecemeal. */
    static final int TOP_PAD_BYTES = 256 << 20;

    static final List<String> USER_SETTINGS = List.of(
            "MALLOC_TRIM_THRESHOLD_",
            "MALLOC_TOP_PAD_",
            "MALLOC_MMAP_THRESHOLD_",
            "MALLOC_ARENA_MAX",
            "GLIBC_TUNABLES");
    public static final String PROPERTY = "causalcxr.native-malloc";
    private static final Logger LOG = LoggerFactory.getLogger(NativeMemory.class);
    private static Boolean applied;

    private NativeMemory() {}

    /** The C library's allocator tuning call. */
    interface CLibrary extends Library {
        int mallopt(int parameter, int value);
    }

    /** Applies the settings once per process; true when they are in effect. */
    public static synchronized boolean tune() {
        if (applied == null) {
            applied = apply();
        }
        return applied;
    }

    private static boolean apply() {
        if ("default".equalsIgnoreCase(System.getProperty(PROPERTY, ""))
                || !System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("linux")
                || USER_SETTINGS.stream().anyMatch(v -> System.getenv(v) != null)) {
            return false;
        }
        try {
            CLibrary c = Native.load("c", CLibrary.class);
            // all three settings are applied, whichever of them fails
            boolean mmap = c.mallopt(M_MMAP_THRESHOLD, KEEP_BYTES) == 1;
            boolean trim = c.mallopt(M_TRIM_THRESHOLD, KEEP_BYTES) == 1;
            boolean pad = c.mallopt(M_TOP_PAD, TOP_PAD_BYTES) == 1;
            boolean ok = mmap && trim && pad;
            LOG.debug("glibc malloc tuned for tensors: {}", ok);
            return ok;
        } catch (UnsatisfiedLinkError | RuntimeException e) {
            // not glibc (musl, no mallopt): run with the allocator's defaults
            LOG.debug("glibc malloc left at its defaults: {}", e.toString());
            return false;
        }
    }
}
