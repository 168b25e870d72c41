package dev.causalcxr.core.reports;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.causalcxr.core.findings.Finding;
import dev.causalcxr.core.findings.Status;
import dev.causalcxr.core.reports.batch.ReportBatchConfig;
import dev.causalcxr.core.reports.batch.ReportBatchParser;
import dev.causalcxr.core.reports.batch.ReportBatchSummary;
import dev.causalcxr.core.stage.StageContext;
import dev.causalcxr.core.stage.StageInputs;

import java.io.BufferedWriter;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CancellationException;

/**
 * The report-parsing stage function: reports CSV in, findings JSONL and a label distribution out,
 * through the {@link StageContext} callback (progress by bytes read, metrics, outputs). Writing the
 * findings to the metadata database is the activity's job; it reads the JSONL output.
 */
public final class ParseReportsStage {

    public static final String NAME = "parse-reports";
    /** Input: the {@code study_id,report} CSV. */
    public static final String INPUT_REPORTS = "reports";
    /** Output: findings JSONL, one line per input row. */
    public static final String OUTPUT_FINDINGS = "findings";
    /** Artifact: per finding, how many studies have it present / uncertain / absent (JSON). */
    public static final String ARTIFACT_LABEL_DISTRIBUTION = "label-distribution";

    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * The stage's block of the spec.
     *
     * @param extractor      {@code rules} or {@code llm} (the latter configured from the environment)
     * @param maxReportChars longest report accepted; longer rows become row errors
     */
    public record Config(String extractor, int maxReportChars) {
        public static Config defaults() {
            return new Config(ReportExtractors.RULES, ReportBatchConfig.DEFAULT_MAX_REPORT_CHARS);
        }
    }

    private ParseReportsStage() {
    }

    /** Parses the stage's input {@code reports} CSV. */
    public static ReportBatchSummary run(Config config, StageContext ctx) {
        return run(config, StageInputs.require(ctx, INPUT_REPORTS, "a reports CSV"), ctx);
    }

    /** Parses a {@code study_id,report} CSV that the caller prepared (e.g. from a dataset bundle). */
    public static ReportBatchSummary run(Config config, Path csv, StageContext ctx) {
        Path out = ctx.workDir().resolve("findings.jsonl");
        Path labels = ctx.workDir().resolve("label-distribution.json");
        ctx.logParam("extractor", config.extractor());
        ctx.logParam("max_report_chars", Integer.toString(config.maxReportChars()));
        ReportBatchSummary summary;
        try (ReportExtractor extractor = ReportExtractors.byName(config.extractor());
             CountingInputStream in = new CountingInputStream(Files.newInputStream(csv));
             Writer w = new BufferedWriter(new OutputStreamWriter(Files.newOutputStream(out), StandardCharsets.UTF_8))) {
            long size = Math.max(1, Files.size(csv));
            ReportBatchParser parser = new ReportBatchParser(extractor,
                    new ReportBatchConfig(config.maxReportChars(), 256));
            summary = parser.parse(in, w, rows -> {
                if (ctx.cancelled()) {
                    throw new CancellationException("report parsing cancelled");
                }
                ctx.progress(Math.min(1.0, (double) in.count / size), (long) rows + " reports parsed");
            });
        } catch (IOException e) {
            throw new UncheckedIOException("report parsing failed", e);
        }
        // totals are summary metrics; per-finding counts go to the tracker only
        summary.toMetrics().forEach((k, v) -> {
            String key = "reports_" + k.replace('.', '_');
            if (k.contains(".")) {
                ctx.logMetric(key, v, 0);
            } else {
                ctx.summaryMetric(key, v);
            }
        });
        writeLabelDistribution(summary, labels);
        ctx.addOutput(OUTPUT_FINDINGS, out);
        ctx.addArtifact(ARTIFACT_LABEL_DISTRIBUTION, labels);
        ctx.progress(1.0, summary.rows() + " reports parsed");
        return summary;
    }

    private static void writeLabelDistribution(ReportBatchSummary summary, Path file) {
        Map<String, Map<String, Long>> m = new LinkedHashMap<>();
        for (Finding f : Finding.values()) {
            Map<Status, Long> byStatus = summary.labelCounts().get(f);
            Map<String, Long> row = new LinkedHashMap<>();
            for (Status s : Status.values()) {
                row.put(s.label(), byStatus == null ? 0L : byStatus.getOrDefault(s, 0L));
            }
            m.put(f.label(), row);
        }
        try {
            JSON.writerWithDefaultPrettyPrinter().writeValue(file.toFile(), m);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    /** Counts bytes read so that progress can be reported without a first pass over the file. */
    private static final class CountingInputStream extends FilterInputStream {
        volatile long count;

        CountingInputStream(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                count++;
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0) {
                count += n;
            }
            return n;
        }
    }
}
