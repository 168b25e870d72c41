package dev.causalcxr.infra.datasets;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Map;

/**
 * The key of the keyed hash that pseudonymizes patient ids on import. It comes from
 * {@code CAUSALCXR_PSEUDONYM_KEY}, or from a key file in the user's configuration folder created on
 * first use — never from, or next to, the data.
 */
public final class PseudonymKeys {
    private PseudonymKeys() {
    }

    public static byte[] resolve(Map<String, String> env) {
        String configured = env.get("CAUSALCXR_PSEUDONYM_KEY");
        if (configured != null && !configured.isBlank()) {
            byte[] key = configured.trim().getBytes(StandardCharsets.UTF_8);
            if (key.length < 16) {
                throw new IllegalArgumentException("CAUSALCXR_PSEUDONYM_KEY must be at least 16 bytes");
            }
            return key;
        }
        String home = env.getOrDefault("XDG_CONFIG_HOME", System.getProperty("user.home") + "/.config");
        Path file = Path.of(home, "causalcxr", "pseudonym.key");
        try {
            if (!Files.exists(file)) {
                Files.createDirectories(file.getParent());
                byte[] fresh = new byte[32];
                new SecureRandom().nextBytes(fresh);
                Path tmp = Files.createTempFile(file.getParent(), ".key", ".tmp",
                        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
                Files.writeString(tmp, HexFormat.of().formatHex(fresh));
                try {
                    Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
                } catch (IOException raced) {
                    Files.deleteIfExists(tmp); // another process created it first: use theirs
                }
            }
            return HexFormat.of().parseHex(Files.readString(file).trim());
        } catch (IOException | IllegalArgumentException e) {
            throw new IllegalStateException("cannot read or create the pseudonymization key " + file
                    + " (set CAUSALCXR_PSEUDONYM_KEY instead): " + e.getMessage(), e);
        }
    }

    /**
     * Synthetic phantom patients are not people: their key is derived from the generator seed, so
     * a phantom data set is the same version on every machine.
     */
    public static byte[] forPhantom(long seed) {
        return ("causalcxr-phantom-" + seed).getBytes(StandardCharsets.UTF_8);
    }
}
