package dev.causalcxr.core.reports.batch;

import dev.causalcxr.core.findings.Finding;
import dev.causalcxr.core.findings.FindingMention;
import dev.causalcxr.core.findings.Status;
import dev.causalcxr.core.reports.ExtractionSource;
import dev.causalcxr.core.reports.ReportExtraction;
import dev.causalcxr.core.reports.ReportExtractor;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.function.DoubleConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Parses a reports CSV into findings JSONL: one output line per input row, in input order. A bad row
 * (empty report, invalid UTF-8, too long, too few fields) becomes an error line and the other rows
 * still parse; a missing column fails the whole file with {@link ReportCsvException}. This is what
 * {@code causalcxr parse-reports} and the parse stage call.
 */
public final class ReportBatchParser {

    private static final Logger LOG = LoggerFactory.getLogger(ReportBatchParser.class);

    private final ReportExtractor extractor;
    private final ReportBatchConfig config;

    public ReportBatchParser(ReportExtractor extractor, ReportBatchConfig config) {
        this.extractor = extractor;
        this.config = config;
    }

    public ReportBatchSummary parse(Path csvIn, Path jsonlOut) {
        try (InputStream in = Files.newInputStream(csvIn);
                Writer out = new BufferedWriter(
                        new OutputStreamWriter(Files.newOutputStream(jsonlOut), StandardCharsets.UTF_8))) {
            return parse(in, out, p -> {});
        } catch (IOException e) {
            throw new UncheckedIOException("cannot parse reports from " + csvIn.getFileName(), e);
        }
    }

    /**
     * @param progress receives the number of rows done so far after each chunk (for heartbeats)
     */
    public ReportBatchSummary parse(InputStream csv, Writer jsonl, DoubleConsumer progress) throws IOException {
        Map<Finding, Map<Status, Long>> counts = new EnumMap<>(Finding.class);
        long rows = 0;
        long parsed = 0;
        long errors = 0;
        long fallbacks = 0;
        try (ReportCsvReader reader = new ReportCsvReader(csv, config.maxReportChars())) {
            List<ReportRow> chunk = new ArrayList<>(config.chunkSize());
            while (true) {
                boolean more = reader.hasNext();
                if (more) {
                    chunk.add(reader.next());
                }
                if (chunk.size() == config.chunkSize() || (!more && !chunk.isEmpty())) {
                    List<ReportExtraction> results = extractChunk(chunk);
                    for (int i = 0; i < chunk.size(); i++) {
                        ReportRow row = chunk.get(i);
                        ReportExtraction r = results.get(i);
                        rows++;
                        if (r == null || !r.ok()) {
                            errors++;
                            String reason = row.ok()
                                    ? "row " + row.rowNumber() + " (line " + row.line() + "): "
                                            + (r == null ? "not extracted" : r.error())
                                    : row.error();
                            LOG.warn("report row not parsed: {}", reason);
                            jsonl.write(FindingsJsonl.errorLine(row.studyId(), reason));
                        } else {
                            parsed++;
                            if (r.source() == ExtractionSource.RULES_FALLBACK) {
                                fallbacks++;
                            }
                            for (FindingMention m : r.findings()) {
                                counts.computeIfAbsent(m.finding(), f -> new EnumMap<>(Status.class))
                                        .merge(m.status(), 1L, Long::sum);
                            }
                            jsonl.write(FindingsJsonl.findingsLine(row.studyId(), r));
                        }
                        jsonl.write('\n');
                    }
                    chunk.clear();
                    progress.accept((double) rows);
                }
                if (!more) {
                    break;
                }
            }
        }
        jsonl.flush();
        LOG.info(
                "parsed {} report rows with the {} extractor: {} ok, {} errors, {} LLM fallbacks",
                rows,
                extractor.name(),
                parsed,
                errors,
                fallbacks);
        return new ReportBatchSummary(rows, parsed, errors, fallbacks, counts);
    }

    /** Extracts the good rows of a chunk together; error rows map to null. */
    private List<ReportExtraction> extractChunk(List<ReportRow> chunk) {
        List<String> texts = new ArrayList<>(chunk.size());
        for (ReportRow r : chunk) {
            if (r.ok()) {
                texts.add(r.report());
            }
        }
        List<ReportExtraction> extracted = extractor.extractAll(texts);
        List<ReportExtraction> out = new ArrayList<>(chunk.size());
        int k = 0;
        for (ReportRow r : chunk) {
            out.add(r.ok() ? extracted.get(k++) : null);
        }
        return out;
    }
}
