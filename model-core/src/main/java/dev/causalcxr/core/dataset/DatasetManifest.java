package dev.causalcxr.core.dataset;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The imported data set: entries sorted canonically, and its version, the SHA-256 of the sorted
 * canonical entry lines (independent of the name, of import order and of where the files live).
 * Importing the same files again gives the same version; any added, removed or changed image gives
 * a new one. Recording the parent version is up to the metadata store.
 *
 * @param name      data set name (not part of the version)
 * @param imageSize edge length of the converted square images
 * @param entries   the images
 */
public record DatasetManifest(String name, int imageSize, List<DatasetEntry> entries) {

    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS);

    public DatasetManifest {
        List<DatasetEntry> sorted = new ArrayList<>(entries);
        sorted.sort(Comparator.comparing(DatasetEntry::studyId).thenComparing(DatasetEntry::imageDigest));
        entries = List.copyOf(sorted);
    }

    /** SHA-256 (hex) of the canonical form. */
    @JsonProperty("version")
    public String version() {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update(("causalcxr-dataset-v1\tsize=" + imageSize + "\n").getBytes(StandardCharsets.UTF_8));
            for (DatasetEntry e : entries) {
                md.update((e.canonicalLine() + "\n").getBytes(StandardCharsets.UTF_8));
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * True when every study id is a keyed pseudonym ({@link Pseudonymizer#STUDY_PSEUDONYM}); false for a
     * version imported before study ids were pseudonymized, whose study ids are the source's own.
     */
    @JsonIgnore
    public boolean studyIdsPseudonymized() {
        return entries.stream()
                .allMatch(
                        e -> Pseudonymizer.STUDY_PSEUDONYM.matcher(e.studyId()).matches());
    }

    @JsonIgnore
    public Map<Split, Integer> countsBySplit() {
        Map<Split, Integer> m = new EnumMap<>(Split.class);
        for (Split s : Split.values()) {
            m.put(s, 0);
        }
        entries.forEach(e -> m.merge(e.split(), 1, Integer::sum));
        return m;
    }

    /** Per finding label, how many entries carry each status label. */
    @JsonIgnore
    public Map<String, Map<String, Integer>> labelHistogram() {
        Map<String, Map<String, Integer>> h = new TreeMap<>();
        for (DatasetEntry e : entries) {
            e.labels()
                    .forEach(
                            (k, v) -> h.computeIfAbsent(k, x -> new TreeMap<>()).merge(v, 1, Integer::sum));
        }
        return h;
    }

    /** Per finding label, the fraction of entries labelled present (entries without labels count as not present). */
    @JsonIgnore
    public Map<String, Double> presentFrequencies() {
        Map<String, Double> f = new TreeMap<>();
        if (entries.isEmpty()) {
            return f;
        }
        labelHistogram()
                .forEach((label, counts) -> f.put(label, counts.getOrDefault("present", 0) / (double) entries.size()));
        return f;
    }

    /** Finding labels present in fewer than {@code maxFrequency} of the entries (but at least once). */
    @JsonIgnore
    public List<String> tailClasses(double maxFrequency) {
        return presentFrequencies().entrySet().stream()
                .filter(e -> e.getValue() > 0 && e.getValue() < maxFrequency)
                .map(Map.Entry::getKey)
                .toList();
    }

    public String toJson() {
        try {
            return JSON.writeValueAsString(this);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Parses a manifest; fails with an {@link IOException} that says why if the text is not a manifest
     * (not JSON, not an object, no entries, an entry with missing or invalid fields) or if a stored
     * {@code version} does not match the entries.
     */
    public static DatasetManifest fromJson(String json) throws IOException {
        com.fasterxml.jackson.databind.JsonNode node;
        try {
            node = JSON.readTree(json);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IOException("not a dataset manifest: not valid JSON (" + e.getOriginalMessage() + ")");
        }
        if (node == null || !node.isObject()) {
            throw new IOException("not a dataset manifest: expected a JSON object");
        }
        if (!node.path("entries").isArray()) {
            throw new IOException("not a dataset manifest: no entries array");
        }
        DatasetManifest m;
        try {
            m = new DatasetManifest(
                    node.path("name").asText(null),
                    node.path("imageSize").asInt(),
                    JSON.convertValue(
                            node.path("entries"),
                            JSON.getTypeFactory().constructCollectionType(List.class, DatasetEntry.class)));
        } catch (IllegalArgumentException e) {
            // Jackson wraps an entry's own validation (a missing field, an unknown split) in IllegalArgumentException
            throw new IOException("not a valid dataset manifest: " + rootMessage(e), e);
        }
        String stored = node.path("version").asText(null);
        if (stored != null && !stored.equals(m.version())) {
            throw new IOException("manifest version does not match its entries");
        }
        return m;
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    }

    public void write(Path file) throws IOException {
        java.nio.file.Files.writeString(file, toJson(), StandardCharsets.UTF_8);
    }

    public static DatasetManifest read(Path file) throws IOException {
        return fromJson(java.nio.file.Files.readString(file, StandardCharsets.UTF_8));
    }
}
