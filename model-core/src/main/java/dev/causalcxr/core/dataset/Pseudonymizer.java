package dev.causalcxr.core.dataset;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Keyed pseudonyms (HMAC-SHA256) for patient ids. Without the key a pseudonym cannot be linked back
 * to the raw id by hashing candidate ids; the key lives in configuration, never with the data.
 */
public final class Pseudonymizer {

    private final SecretKeySpec key;

    /** @param key at least 16 bytes of secret key material */
    public Pseudonymizer(byte[] key) {
        if (key == null || key.length < 16) {
            throw new IllegalArgumentException("pseudonymization key must be at least 16 bytes");
        }
        this.key = new SecretKeySpec(key.clone(), "HmacSHA256");
    }

    /** {@code "P"} + 32 hex digits (128 bits) of HMAC-SHA256(key, "patient:" + rawId). */
    public String patient(String rawId) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            byte[] h = mac.doFinal(("patient:" + rawId.trim()).getBytes(StandardCharsets.UTF_8));
            return "P" + HexFormat.of().formatHex(h, 0, 16);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }
}
