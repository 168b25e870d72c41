package dev.causalcxr.core.dataset;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.HexFormat;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Keyed pseudonyms (HMAC-SHA256) for every source identifier: patient ids, study ids, and the
 * references that stand for a source file in problem reports. Without the key a pseudonym cannot be
 * linked back to the raw id by hashing candidate ids; the key lives in configuration, never with the data.
 * Each kind of id has its own domain prefix, so a patient id and a study id with the same text get
 * unrelated pseudonyms.
 */
public final class Pseudonymizer {

    /** A study pseudonym: {@code S} + 32 hex digits. */
    public static final Pattern STUDY_PSEUDONYM = Pattern.compile("S[0-9a-f]{32}");
    /** A patient pseudonym: {@code P} + 32 hex digits. */
    public static final Pattern PATIENT_PSEUDONYM = Pattern.compile("P[0-9a-f]{32}");

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
        return "P" + HexFormat.of().formatHex(mac("patient:" + rawId.trim()), 0, 16);
    }

    /**
     * {@code "S"} + 32 hex digits of HMAC-SHA256(key, "study:" + rawId): the source's study id as the
     * importer reads it (a MIMIC study folder name, a manifest's {@code study_id}, a CheXpert
     * {@code patientN/studyN}).
     */
    public String study(String rawId) {
        return "S" + HexFormat.of().formatHex(mac("study:" + rawId.trim()), 0, 16);
    }

    /**
     * {@code "R"} + 16 hex digits: the reference that stands for a source file (or CSV row) in whatever
     * leaves the import — problem lists, failure messages — while the site-local log maps it to the file.
     */
    public String reference(String sourceLabel) {
        return "R" + HexFormat.of().formatHex(mac("source:" + sourceLabel), 0, 8);
    }

    /**
     * A check value of the key (16 hex digits of HMAC(key, a fixed label)): tells whether a key at hand is
     * the one that made a data set's pseudonyms, and reveals nothing about the key.
     */
    public String keyCheck() {
        return HexFormat.of().formatHex(mac("causalcxr-key-check"), 0, 8);
    }

    /** Key material derived for one purpose (32 bytes), so the key itself is never used twice. */
    byte[] derive(String purpose) {
        return mac("derive:" + purpose);
    }

    private byte[] mac(String text) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            return mac.doFinal(text.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }
}
