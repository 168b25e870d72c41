package dev.causalcxr.cli;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The endpoints of a {@code causalcxr stack} that is up for a data folder, so that other commands
 * on the same folder join it instead of starting a second embedded stack on the same files.
 */
final class RunningStack {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String FILE = "stack.json";

    private RunningStack() {}

    static void publish(Path dataDir, Map<String, String> env) throws IOException {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("pid", ProcessHandle.current().pid());
        doc.put("env", env);
        Path tmp = Files.createTempFile(
                dataDir,
                ".stack",
                ".json",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        JSON.writeValue(tmp.toFile(), doc);
        Files.move(
                tmp,
                dataDir.resolve(FILE),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    static void withdraw(Path dataDir) {
        try {
            Files.deleteIfExists(dataDir.resolve(FILE));
        } catch (IOException ignored) {
            // a stale file is detected by its dead pid
        }
    }

    /** The connection environment of a live stack for this folder, if there is one. */
    static Optional<Map<String, String>> find(Path dataDir) {
        Path f = dataDir.resolve(FILE);
        if (!Files.exists(f)) {
            return Optional.empty();
        }
        try {
            Map<String, Object> doc = JSON.readValue(f.toFile(), new TypeReference<>() {});
            long pid = ((Number) doc.get("pid")).longValue();
            if (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)
                    && pid != ProcessHandle.current().pid()) {
                @SuppressWarnings("unchecked")
                Map<String, String> env = (Map<String, String>) doc.get("env");
                return Optional.of(env);
            }
        } catch (IOException | RuntimeException ignored) {
            // unreadable: treat as absent
        }
        return Optional.empty();
    }
}
