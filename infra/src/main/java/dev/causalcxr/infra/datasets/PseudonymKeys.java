package dev.causalcxr.infra.datasets;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;

/**
 * The key of the keyed hash that pseudonymizes patient and study ids on import. It comes from
 * {@code CAUSALCXR_PSEUDONYM_KEY}, or from a key file in the user's configuration folder created on
 * first use — never from, or next to, the data.
 */
public final class PseudonymKeys {
    private PseudonymKeys() {}

    /** The site's key, created in the user's configuration folder on first use when none is configured. */
    public static byte[] resolve(Map<String, String> env) {
        Optional<byte[]> present = find(env);
        if (present.isPresent()) {
            return present.get();
        }
        Path file = keyFile(env);
        try {
            Files.createDirectories(file.getParent());
            byte[] fresh = new byte[32];
            new SecureRandom().nextBytes(fresh);
            Path tmp = Files.createTempFile(
                    file.getParent(),
                    ".key",
                    ".tmp",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(tmp, HexFormat.of().formatHex(fresh));
            try {
                Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException raced) {
                Files.deleteIfExists(tmp); // another process created it first: use theirs
            }
        } catch (IOException e) {
            throw new IllegalStateException(
                    "cannot create the pseudonymization key " + file + " (set CAUSALCXR_PSEUDONYM_KEY instead): "
                            + e.getMessage(),
                    e);
        }
        return find(env).orElseThrow(() -> new IllegalStateException("cannot read the pseudonymization key " + file));
    }

    /**
     * The site's key if it is present here ({@code CAUSALCXR_PSEUDONYM_KEY}, or the key file in the user's
     * configuration folder); never creates one — for reading pseudonyms back, a new key would be the wrong one.
     */
    public static Optional<byte[]> find(Map<String, String> env) {
        String configured = env.get("CAUSALCXR_PSEUDONYM_KEY");
        if (configured != null && !configured.isBlank()) {
            byte[] key = configured.trim().getBytes(StandardCharsets.UTF_8);
            if (key.length < 16) {
                throw new IllegalArgumentException("CAUSALCXR_PSEUDONYM_KEY must be at least 16 bytes");
            }
            return Optional.of(key);
        }
        Path file = keyFile(env);
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        try {
            return Optional.of(HexFormat.of().parseHex(Files.readString(file).trim()));
        } catch (IOException | IllegalArgumentException e) {
            throw new IllegalStateException(
                    "cannot read the pseudonymization key " + file + " (set CAUSALCXR_PSEUDONYM_KEY instead): "
                            + e.getMessage(),
                    e);
        }
    }

    /** Where the key file is looked for: {@code $XDG_CONFIG_HOME/causalcxr/pseudonym.key} (default {@code ~/.config}). */
    public static Path keyFile(Map<String, String> env) {
        String home = env.getOrDefault("XDG_CONFIG_HOME", System.getProperty("user.home") + "/.config");
        return Path.of(home, "causalcxr", "pseudonym.key");
    }

    /**
     * Synthetic phantom patients are not people: their key is derived from the generator seed, so
     * a phantom data set is the same version on every machine.
     */
    public static byte[] forPhantom(long seed) {
        return ("causalcxr-phantom-" + seed).getBytes(StandardCharsets.UTF_8);
    }
}
