package dev.causalcxr.core.reports.llm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.causalcxr.core.findings.FindingMention;
import dev.causalcxr.core.reports.batch.FindingsJsonl;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Validated LLM answers keyed by the SHA-256 digest of the report text and the model name, in memory
 * and optionally in an append-only JSONL file ({@code llm-findings-cache.jsonl} in the cache folder),
 * so that a re-run or a retried stage does not pay for the same report twice. Only digests and
 * findings are stored, never report text. Fallback results are not cached: a later run may get a
 * valid answer.
 */
public final class ExtractionCache {

    private static final Logger LOG = LoggerFactory.getLogger(ExtractionCache.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    public static final String FILE_NAME = "llm-findings-cache.jsonl";

    private final Map<String, List<FindingMention>> entries = new ConcurrentHashMap<>();
    private final Path file;

    /** @param dir the cache folder, or {@code null} for an in-memory cache */
    public ExtractionCache(Path dir) {
        this.file = dir == null ? null : dir.resolve(FILE_NAME);
        if (file != null && Files.exists(file)) {
            load();
        }
    }

    public static String digest(String reportText) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            return HexFormat.of().formatHex(md.digest(reportText.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String key(String model, String digest) {
        return model + '\u0000' + digest;
    }

    public Optional<List<FindingMention>> get(String model, String digest) {
        return Optional.ofNullable(entries.get(key(model, digest)));
    }

    public void put(String model, String digest, List<FindingMention> findings) {
        if (entries.put(key(model, digest), List.copyOf(findings)) == null && file != null) {
            append(model, digest, findings);
        }
    }

    public int size() {
        return entries.size();
    }

    private synchronized void append(String model, String digest, List<FindingMention> findings) {
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("digest", digest);
        line.put("model", model);
        line.put("findings", findings.stream().map(FindingMention::toJsonMap).toList());
        try {
            Files.createDirectories(file.getParent());
            try (BufferedWriter w = Files.newBufferedWriter(
                    file, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND)) {
                w.write(JSON.writeValueAsString(line));
                w.write('\n');
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot append to the LLM cache " + file, e);
        }
    }

    private void load() {
        int bad = 0;
        try {
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                if (line.isBlank()) {
                    continue;
                }
                try {
                    JsonNode n = JSON.readTree(line);
                    entries.put(
                            key(n.get("model").asText(), n.get("digest").asText()),
                            List.copyOf(FindingsJsonl.parseFindings(n.get("findings"))));
                } catch (IOException | RuntimeException e) {
                    bad++; // a torn last line after a crash: skip it, the report is simply asked again
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the LLM cache " + file, e);
        }
        LOG.info("LLM cache {}: {} entries loaded, {} unreadable lines skipped", file, entries.size(), bad);
    }
}
