package dev.causalcxr.core.dataset;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The way back from a pseudonym to the source's own id, for the site that holds the key: each raw id,
 * encrypted (AES-256-GCM) under a key derived from the pseudonymization key, stored in the data set as
 * {@value #FILE_NAME}. Without the key the file is opaque; with it, {@code dataset resolve-id} answers.
 *
 * <p>The encryption is deterministic (the nonce is derived from the key and the pseudonym), so importing
 * the same files with the same key gives the same bytes and the data set bundle keeps its digest.
 */
public final class SourceIds {
    public static final String FILE_NAME = "source-ids.json";
    static final String SCHEME = "causalcxr-source-ids-v1";

    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS);

    private final String keyCheck;
    private final Map<String, String> sealed;

    private SourceIds(String keyCheck, Map<String, String> sealed) {
        this.keyCheck = keyCheck;
        this.sealed = sealed;
    }

    /** The key at hand is not the one that pseudonymized the data set. */
    public static final class WrongKeyException extends Exception {
        private static final long serialVersionUID = 1L;

        WrongKeyException() {
            super("the pseudonymization key at hand is not the one this data set was imported with");
        }
    }

    /** Collects pseudonym → raw id pairs during an import. */
    public static final class Builder {
        private final Pseudonymizer pseudonymizer;
        private final Map<String, String> raw = new TreeMap<>();

        public Builder(Pseudonymizer pseudonymizer) {
            this.pseudonymizer = pseudonymizer;
        }

        public void add(String pseudonym, String rawId) {
            raw.putIfAbsent(pseudonym, rawId.trim());
        }

        public SourceIds build() {
            Map<String, String> sealed = new TreeMap<>();
            raw.forEach((p, id) -> sealed.put(p, seal(pseudonymizer, p, id)));
            return new SourceIds(pseudonymizer.keyCheck(), sealed);
        }
    }

    public int size() {
        return sealed.size();
    }

    public boolean contains(String pseudonym) {
        return sealed.containsKey(pseudonym);
    }

    /**
     * The source id behind {@code pseudonym}, or empty when this data set has no such pseudonym.
     *
     * @throws WrongKeyException when {@code pseudonymizer}'s key did not make this data set's pseudonyms
     */
    public Optional<String> resolve(Pseudonymizer pseudonymizer, String pseudonym) throws WrongKeyException {
        if (!pseudonymizer.keyCheck().equals(keyCheck)) {
            throw new WrongKeyException();
        }
        String s = sealed.get(pseudonym);
        if (s == null) {
            return Optional.empty();
        }
        try {
            byte[] all = Base64.getDecoder().decode(s);
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(
                    Cipher.DECRYPT_MODE,
                    new SecretKeySpec(pseudonymizer.derive("source-ids-aes"), "AES"),
                    new GCMParameterSpec(128, all, 0, 12));
            c.updateAAD(pseudonym.getBytes(StandardCharsets.UTF_8));
            return Optional.of(new String(c.doFinal(all, 12, all.length - 12), StandardCharsets.UTF_8));
        } catch (AEADBadTagException | IllegalArgumentException e) {
            throw new WrongKeyException();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM unavailable", e);
        }
    }

    private static String seal(Pseudonymizer p, String pseudonym, String raw) {
        try {
            byte[] nonce = Arrays.copyOf(p.derive("source-ids-nonce:" + pseudonym), 12);
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(
                    Cipher.ENCRYPT_MODE,
                    new SecretKeySpec(p.derive("source-ids-aes"), "AES"),
                    new GCMParameterSpec(128, nonce));
            c.updateAAD(pseudonym.getBytes(StandardCharsets.UTF_8));
            byte[] ct = c.doFinal(raw.getBytes(StandardCharsets.UTF_8));
            byte[] all = new byte[12 + ct.length];
            System.arraycopy(nonce, 0, all, 0, 12);
            System.arraycopy(ct, 0, all, 12, ct.length);
            return Base64.getEncoder().encodeToString(all);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM unavailable", e);
        }
    }

    public byte[] toJson() throws IOException {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("scheme", SCHEME);
        doc.put("keyCheck", keyCheck);
        doc.put("ids", sealed);
        return JSON.writeValueAsBytes(doc);
    }

    public void write(Path file) throws IOException {
        Files.write(file, toJson());
    }

    /** Parses {@value #FILE_NAME}; an {@link IOException} that says why when it is not one. */
    public static SourceIds fromJson(byte[] json) throws IOException {
        JsonNode node;
        try {
            node = JSON.readTree(json);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IOException(FILE_NAME + " is not valid JSON");
        }
        if (node == null
                || !SCHEME.equals(node.path("scheme").asText())
                || !node.path("ids").isObject()
                || !node.path("keyCheck").isTextual()) {
            throw new IOException(FILE_NAME + " is not a " + SCHEME + " document");
        }
        Map<String, String> sealed = new TreeMap<>();
        node.path("ids")
                .fields()
                .forEachRemaining(e -> sealed.put(e.getKey(), e.getValue().asText()));
        return new SourceIds(node.path("keyCheck").asText(), sealed);
    }
}
