package dev.causalcxr.core.reports;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.causalcxr.core.dataset.DatasetEntry;
import dev.causalcxr.core.dataset.DatasetManifest;
import dev.causalcxr.core.dataset.PhantomGroundTruth;
import dev.causalcxr.core.findings.Finding;
import dev.causalcxr.core.findings.FindingMention;
import dev.causalcxr.core.findings.Status;
import dev.causalcxr.core.labels.LabelAgreement;
import dev.causalcxr.core.labels.LabelSource;
import dev.causalcxr.core.labels.StudyLabels;
import dev.causalcxr.core.reports.batch.FindingsJsonl;
import dev.causalcxr.core.reports.batch.ReportBatchConfig;
import dev.causalcxr.core.reports.batch.ReportBatchParser;
import dev.causalcxr.core.reports.batch.ReportBatchSummary;
import dev.causalcxr.core.reports.eval.ParserEvaluation;
import dev.causalcxr.core.spec.ParseReportsConfig;
import dev.causalcxr.core.spec.StageName;
import dev.causalcxr.core.stage.StageContext;
import dev.causalcxr.core.stage.StageInputException;
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
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CancellationException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The report-parsing stage function: reports CSV in, findings JSONL and a label distribution out,
 * through the {@link StageContext} callback (progress by bytes read, metrics, outputs). Writing the
 * findings to the metadata database is the activity's job; it reads the JSONL output.
 */
public final class ParseReportsStage {

    public static final String NAME = StageName.Labels.PARSE_REPORTS;
    /** Output: the condition vocabulary later stages build their conditions from. */
    public static final String OUTPUT_VOCABULARY = "vocabulary";
    /** Output: the finding labels ({@link StudyLabels}) every later stage trains and is evaluated on. */
    public static final String OUTPUT_LABELS = "labels";

    private static final Logger LOG = LoggerFactory.getLogger(ParseReportsStage.class);
    /** Input: the {@code study_id,report} CSV. */
    public static final String INPUT_REPORTS = "reports";
    /** Output: findings JSONL, one line per input row. */
    public static final String OUTPUT_FINDINGS = "findings";
    /** Artifact: per finding, how many studies have it present / uncertain / absent (JSON). */
    public static final String ARTIFACT_LABEL_DISTRIBUTION = "label-distribution";

    private static final ObjectMapper JSON = new ObjectMapper();

    private ParseReportsStage() {}

    /** Parses the stage's input {@code reports} CSV. */
    public static ReportBatchSummary run(ParseReportsConfig config, StageContext ctx) {
        return run(config, StageInputs.require(ctx, INPUT_REPORTS, "a reports CSV"), ctx);
    }

    /**
     * Parses a {@code study_id,report} CSV that the caller prepared (e.g. from a dataset bundle); reports longer
     * than {@link ReportBatchConfig#DEFAULT_MAX_REPORT_CHARS} become row errors.
     */
    public static ReportBatchSummary run(ParseReportsConfig config, Path csv, StageContext ctx) {
        int maxReportChars = ReportBatchConfig.DEFAULT_MAX_REPORT_CHARS;
        Path out = ctx.workDir().resolve("findings.jsonl");
        Path labels = ctx.workDir().resolve("label-distribution.json");
        ctx.logParam("extractor", config.extractor());
        ctx.logParam("max_report_chars", Integer.toString(maxReportChars));
        ReportBatchSummary summary;
        try (ReportExtractor extractor = ReportExtractors.byName(config.extractor());
                CountingInputStream in = new CountingInputStream(Files.newInputStream(csv));
                Writer w = new BufferedWriter(
                        new OutputStreamWriter(Files.newOutputStream(out), StandardCharsets.UTF_8))) {
            long size = Math.max(1, Files.size(csv));
            ReportBatchParser parser = new ReportBatchParser(extractor, new ReportBatchConfig(maxReportChars, 256));
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

    /**
     * The whole stage on an ingested dataset: every report (a {@code study_id,report} CSV written from the
     * dataset) through the configured extractor; the condition vocabulary ({@value #OUTPUT_VOCABULARY}); on
     * phantom data, the extractor scored against the generator's ground truth; and the finding labels of every
     * study from the configured source ({@value #OUTPUT_LABELS}, by default the parsed reports), with how far
     * the sources the data has agree.
     *
     * @param truth the phantom's ground truth, or null
     * @return every study's parsed findings (null for a study whose report failed to parse), for the caller to
     *         store
     * @throws StageInputException when the configured label source is one the data does not have
     */
    public static Map<String, List<FindingMention>> runOnDataset(
            ParseReportsConfig cfg,
            Path datasetDir,
            DatasetManifest manifest,
            PhantomGroundTruth truth,
            StageContext ctx)
            throws IOException {
        Path csv = reportsCsv(datasetDir, manifest, ctx.workDir().resolve("reports.csv"));
        run(cfg, csv, ctx);
        Path jsonl = ctx.workDir().resolve("findings.jsonl");
        Map<String, List<FindingMention>> predicted = new LinkedHashMap<>();
        FindingsJsonl.read(jsonl).forEach((id, e) -> predicted.put(id, e.error() == null ? e.findings() : null));
        Path vocabulary = ctx.workDir().resolve("vocabulary.json");
        JSON.writerWithDefaultPrettyPrinter()
                .writeValue(vocabulary.toFile(), ConditionVocabulary.of(predicted, cfg.tailFrequency()));
        ctx.addOutput(OUTPUT_VOCABULARY, vocabulary);

        if (truth != null) {
            Map<String, List<FindingMention>> gold = new HashMap<>();
            for (PhantomGroundTruth.StudyTruth t : truth.studies()) {
                gold.put(t.studyId(), t.reportMentionList());
            }
            ParserEvaluation ev = ParserEvaluation.evaluate(gold, predicted);
            ctx.summaryMetric("parser_phantom_present_f1", ev.microF1());
            ctx.summaryMetric("parser_phantom_absent_accuracy", ev.absent().value());
            ctx.summaryMetric(
                    "parser_phantom_uncertain_accuracy", ev.uncertain().value());
            ctx.summaryMetric("parser_phantom_severity_accuracy", ev.severity().value());
            ctx.summaryMetric(
                    "parser_phantom_laterality_accuracy", ev.laterality().value());
            Path table = ctx.workDir().resolve("parser_vs_phantom.txt");
            Files.writeString(table, ev.renderTable());
            ctx.addArtifact(NAME + "/parser_vs_phantom_truth.txt", table);
        }
        publishLabels(cfg, manifest, predicted, truth, ctx);
        return predicted;
    }

    /** Writes the {@code study_id,report} CSV (RFC 4180) of every study with a report. */
    static Path reportsCsv(Path datasetDir, DatasetManifest manifest, Path csv) throws IOException {
        try (BufferedWriter w = Files.newBufferedWriter(csv, StandardCharsets.UTF_8)) {
            w.write("study_id,report\r\n");
            for (DatasetEntry e : manifest.entries()) {
                if (e.reportPath() == null) {
                    continue;
                }
                String text = Files.readString(datasetDir.resolve(e.reportPath()), StandardCharsets.UTF_8);
                w.write(quote(e.studyId()));
                w.write(',');
                w.write(quote(text));
                w.write("\r\n");
            }
        }
        return csv;
    }

    private static String quote(String s) {
        return "\"" + s.replace("\"", "\"\"") + "\"";
    }

    /**
     * Chooses the label source, measures how far the available sources agree on the same studies and
     * publishes the chosen labels as the output {@value #OUTPUT_LABELS}.
     */
    private static void publishLabels(
            ParseReportsConfig cfg,
            DatasetManifest manifest,
            Map<String, List<FindingMention>> predicted,
            PhantomGroundTruth truth,
            StageContext ctx)
            throws IOException {
        Map<LabelSource, StudyLabels> available = new EnumMap<>(LabelSource.class);
        if (!predicted.isEmpty()) {
            available.put(LabelSource.REPORTS, StudyLabels.fromReports(predicted));
        }
        StudyLabels columns = StudyLabels.fromManifest(manifest);
        if (!columns.studies().isEmpty()) {
            available.put(LabelSource.DATASET, columns);
        }
        if (truth != null) {
            available.put(LabelSource.TRUTH, StudyLabels.fromTruth(truth));
        }
        LabelSource source = chooseSource(cfg, available.keySet(), manifest);
        StudyLabels labels = available.getOrDefault(source, new StudyLabels(source, Map.of()));

        List<String> studyIds = manifest.entries().stream()
                .map(DatasetEntry::studyId)
                .distinct()
                .toList();
        List<LabelSource> sources = List.copyOf(available.keySet());
        StringBuilder tables = new StringBuilder();
        for (int i = 0; i < sources.size(); i++) {
            for (int j = i + 1; j < sources.size(); j++) {
                LabelAgreement agreement =
                        LabelAgreement.compare(available.get(sources.get(i)), available.get(sources.get(j)), studyIds);
                agreement.summary().forEach(ctx::summaryMetric);
                agreement.perFinding().forEach((k, v) -> ctx.logMetric(k, v, 0));
                tables.append(agreement.renderTable()).append('\n');
                LOG.info(
                        "labels: {} against {} agree on {} of the (study, finding) cells of {} studies, mean kappa {}",
                        sources.get(i),
                        sources.get(j),
                        String.format(Locale.ROOT, "%.3f", agreement.overallAgreement()),
                        agreement.studies(),
                        String.format(Locale.ROOT, "%.3f", agreement.meanKappa()));
            }
        }
        if (!tables.isEmpty()) {
            Path table = ctx.workDir().resolve("label-agreement.txt");
            Files.writeString(table, tables);
            ctx.addArtifact(NAME + "/label_agreement.txt", table);
        }
        long labelled = studyIds.stream().filter(labels::labelled).count();
        ctx.logParam("labels.source", source.label());
        ctx.logParam(
                "labels.sources_available",
                String.join(", ", sources.stream().map(LabelSource::label).toList()));
        ctx.summaryMetric("labels_labelled_studies", (double) labelled);
        ctx.summaryMetric("labels_unlabelled_studies", (double) (studyIds.size() - labelled));
        labels.presentCounts(studyIds).forEach((f, n) -> ctx.logMetric("labels_present__" + f.key(), n, 0));
        LOG.info("labels from {}: {} of {} studies labelled", source, labelled, studyIds.size());
        Path file = ctx.workDir().resolve("labels.json");
        labels.write(file);
        ctx.addOutput(OUTPUT_LABELS, file);
    }

    /**
     * The configured source, or by default the reports when the dataset has any and its label columns
     * otherwise. A named source the data does not have fails here, at once.
     */
    public static LabelSource chooseSource(
            ParseReportsConfig cfg, Set<LabelSource> available, DatasetManifest manifest) {
        Optional<LabelSource> named = cfg.labelSource();
        if (named.isEmpty()) {
            return available.contains(LabelSource.REPORTS) ? LabelSource.REPORTS : LabelSource.DATASET;
        }
        LabelSource source = named.get();
        if (!available.contains(source)) {
            String why = switch (source) {
                case REPORTS ->
                    "none of the dataset's " + manifest.entries().size() + " images has a report: use"
                            + " labels: dataset to train on its label columns, or import the reports";
                case DATASET ->
                    "the dataset has no label columns (a hospital's MIMIC folder or manifest CSV has none): use"
                            + " labels: reports, or import a CheXpert-style CSV with label columns";
                case TRUTH -> "the dataset has no phantom ground truth: truth needs dataset.source: phantom";
            };
            throw new StageInputException("stages.parse-reports.labels is " + source.label() + ", but " + why);
        }
        return source;
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
    @SuppressWarnings("NonAtomicVolatileUpdate") // one writer (the reading thread); volatile is for the progress reader
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
