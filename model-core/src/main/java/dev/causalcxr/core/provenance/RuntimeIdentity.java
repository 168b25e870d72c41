package dev.causalcxr.core.provenance;

import ai.djl.engine.Engine;
import dev.causalcxr.core.engine.Engines;
import dev.causalcxr.core.engine.TorchNative;
import dev.causalcxr.core.files.Digests;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * What this process runs on, as far as it can change a stage's numbers: the Java runtime and CPU
 * architecture for every stage, and for stages that reach the tensor engine also the DJL and libtorch
 * versions, the SHA-256 of the native libraries that were loaded, and the number of intra-op threads
 * (a parallel sum over two threads rounds differently from one over four). Computed once per process;
 * the engine part only when first asked for, since it loads libtorch.
 */
public final class RuntimeIdentity {
    private static volatile Map<String, String> engine;

    private RuntimeIdentity() {}

    /** Java runtime, OS and architecture (for every stage's key and every provenance record). */
    public static Map<String, String> platform() {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("java", System.getProperty("java.vm.vendor") + " " + Runtime.version());
        p.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version"));
        p.put("arch", System.getProperty("os.arch"));
        return p;
    }

    /** The part of {@link #platform()} that can change results: the OS kernel version cannot. */
    public static Map<String, String> platformKey() {
        Map<String, String> p = platform();
        p.remove("os");
        return p;
    }

    /**
     * DJL version, libtorch version, native-library digest and thread settings of the loaded engine.
     * Loads the engine on first call.
     */
    public static Map<String, String> engine() {
        Map<String, String> e = engine;
        if (e == null) {
            synchronized (RuntimeIdentity.class) {
                if (engine == null) {
                    engine = computeEngine();
                }
                e = engine;
            }
        }
        return e;
    }

    /** The part of {@link #engine()} that can change results (inter-op threads only run independent ops side by side). */
    public static Map<String, String> engineKey() {
        Map<String, String> e = new LinkedHashMap<>(engine());
        e.remove("interop_threads");
        return e;
    }

    private static Map<String, String> computeEngine() {
        Engine pytorch = Engines.pytorch();
        Map<String, String> e = new LinkedHashMap<>();
        e.put("djl", Engine.getDjlVersion());
        e.put("libtorch", pytorch.getVersion());
        e.put("native_sha256", nativeLibraryDigest(Path.of(TorchNative.libraryFolder())));
        e.put("intra_op_threads", String.valueOf(TorchNative.intraOpThreads()));
        e.put("interop_threads", String.valueOf(TorchNative.interOpThreads()));
        return e;
    }

    /** SHA-256 over the names and bytes of every library in the folder libtorch was loaded from. */
    static String nativeLibraryDigest(Path libtorchDir) {
        try (Stream<Path> files = Files.list(libtorchDir)) {
            List<Path> libs = files.filter(f ->
                            Files.isRegularFile(f) && f.getFileName().toString().contains(".so"))
                    .sorted()
                    .toList();
            MessageDigest all = Digests.sha256();
            for (Path lib : libs) {
                all.update(lib.getFileName().toString().getBytes(StandardCharsets.UTF_8));
                all.update((byte) 0);
                try (InputStream in = Files.newInputStream(lib)) {
                    all.update(HexFormat.of().parseHex(Digests.sha256Hex(in)));
                }
            }
            return HexFormat.of().formatHex(all.digest());
        } catch (IOException ex) {
            throw new UncheckedIOException("cannot read the native libraries in " + libtorchDir, ex);
        }
    }
}
