package dev.causalcxr.activities.stages;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.causalcxr.activities.runner.StageDefinition;
import dev.causalcxr.core.stage.StageInputException;
import dev.causalcxr.core.dataset.DatasetEntry;
import dev.causalcxr.core.dataset.DatasetManifest;
import dev.causalcxr.core.dataset.PhantomGroundTruth;
import dev.causalcxr.core.findings.FindingMention;
import dev.causalcxr.core.labels.LabelAgreement;
import dev.causalcxr.core.labels.LabelSource;
import dev.causalcxr.core.labels.StudyLabels;
import dev.causalcxr.core.reports.ExtractorVersions;
import dev.causalcxr.core.reports.ParseReportsStage;
import dev.causalcxr.core.reports.batch.FindingsJsonl;
import dev.causalcxr.core.reports.batch.ReportBatchConfig;
import dev.causalcxr.core.reports.eval.ParserEvaluation;
import dev.causalcxr.core.reports.llm.LlmExtractorConfig;
import dev.causalcxr.core.spec.ParseReportsConfig;
import dev.causalcxr.core.stage.StageContext;
import dev.causalcxr.infra.datasets.DatasetCatalog;
import dev.causalcxr.infra.datasets.FindingsStore;
import java.io.IOException;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code parse-reports} stage: every report of the dataset through the configured extractor;
 * findings to a JSONL output and to PostgreSQL; on phantom data, the extractor scored against the
 * generator's ground truth. It publishes the finding labels of every study from the configured
 * source (by default the parsed reports) and logs how far the sources the data has agree.
 */
public final class ParseReportsStageDefinition implements StageDefinition {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Output: the condition vocabulary later stages build their conditions from. */
    public static final String OUTPUT_VOCABULARY = "vocabulary";
    /** Output: the finding labels ({@link StudyLabels}) every later stage trains and is evaluated on. */
    public static final String OUTPUT_LABELS = "labels";
    private static final Logger LOG = LoggerFactory.getLogger(ParseReportsStageDefinition.class);

    private final DatasetCatalog catalog;
    private final FindingsStore findings;

    public ParseReportsStageDefinition(DatasetCatalog catalog, FindingsStore findings) {
        this.catalog = catalog;
        this.findings = findings;
    }

    @Override
    public String name() {
        return ParseReportsStage.NAME;
    }


    /**
     * Per finding seen present: how many studies, what fraction, whether it is a tail class, and
     * which severities, lateralities and zones the reports use for it.
     */
    static Map<String, Object> conditionVocabulary(Map<String, List<FindingMention>> predicted, double tailFrequency) {
        long studies = predicted.values().stream().filter(java.util.Objects::nonNull).count();
        Map<String, Map<String, Object>> perFinding = new java.util.TreeMap<>();
        for (List<FindingMention> list : predicted.values()) {
            if (list == null) {
                continue;
            }
            for (FindingMention m : list) {
                if (m.status() != dev.causalcxr.core.findings.Status.PRESENT) {
                    continue;
                }
                Map<String, Object> f = perFinding.computeIfAbsent(m.finding().label(), k -> {
                    Map<String, Object> x = new LinkedHashMap<>();
                    x.put("present", 0L);
                    x.put("severities", new java.util.TreeSet<String>());
                    x.put("lateralities", new java.util.TreeSet<String>());
                    x.put("zones", new java.util.TreeSet<String>());
                    return x;
                });
                f.put("present", (Long) f.get("present") + 1);
                addTo(f, "severities", m.severity().label());
                addTo(f, "lateralities", m.laterality().label());
                addTo(f, "zones", m.zone().label());
            }
        }
        perFinding.values().forEach(f -> {
            double freq = studies == 0 ? 0 : (Long) f.get("present") / (double) studies;
            f.put("frequency", freq);
            f.put("tail", freq < tailFrequency);
        });
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("studies", studies);
        v.put("tail_frequency", tailFrequency);
        v.put("findings", perFinding);
        return v;
    }

    @SuppressWarnings("unchecked")
    private static void addTo(Map<String, Object> f, String key, String value) {
        ((java.util.Set<String>) f.get(key)).add(value);
    }

    @Override
    public void execute(String configJson, StageContext ctx) throws Exception {
        ParseReportsConfig cfg = JSON.readValue(configJson, ParseReportsConfig.class);
        String version = ExtractorVersions.of(cfg.extractor(), System.getenv());
        if (cfg.extractorVersion() != null && !cfg.extractorVersion().equals(version)) {
            // the cache key names the planned version: publishing another version's labels under it would
            // serve them to every later run planned the same way
            throw new StageInputException("the run was planned with the report extractor " + cfg.extractorVersion()
                    + " but this worker's is " + version + ": start the run from the same build (and, for llm, the"
                    + " same " + LlmExtractorConfig.ENV_MODEL + ") as the workers");
        }
        ctx.logParam("extractor_version", version);
        Path datasetDir = DatasetInputs.unpackDataset(ctx);
        DatasetManifest manifest = DatasetInputs.manifest(datasetDir);
        Path csv = DatasetInputs.reportsCsv(datasetDir, manifest, ctx.workDir().resolve("reports.csv"));
        ParseReportsStage.run(new ParseReportsStage.Config(cfg.extractor(), ReportBatchConfig.DEFAULT_MAX_REPORT_CHARS),
                csv, ctx);
        Path jsonl = ctx.workDir().resolve("findings.jsonl");
        Map<String, List<FindingMention>> predicted = new LinkedHashMap<>();
        FindingsJsonl.read(jsonl).forEach((id, e) -> predicted.put(id, e.error() == null ? e.findings() : null));
        int rows = findings.replace(cfg.extractor(), catalog.studyKeys(manifest.name(), manifest.version()), predicted);
        ctx.logMetric("reports_findings_rows_stored", rows, 0);
        Path vocabulary = ctx.workDir().resolve("vocabulary.json");
        JSON.writerWithDefaultPrettyPrinter().writeValue(vocabulary.toFile(), conditionVocabulary(predicted, cfg.tailFrequency()));
        ctx.addOutput(OUTPUT_VOCABULARY, vocabulary);

        Path truthFile = ctx.inputs().get(DatasetInputs.PHANTOM_TRUTH);
        PhantomGroundTruth truth = truthFile == null ? null : PhantomGroundTruth.read(truthFile);
        if (truth != null) {
            Map<String, List<FindingMention>> gold = new HashMap<>();
            for (PhantomGroundTruth.StudyTruth t : truth.studies()) {
                gold.put(t.studyId(), t.reportMentionList());
            }
            ParserEvaluation ev = ParserEvaluation.evaluate(gold, predicted);
            ctx.summaryMetric("parser_phantom_present_f1", ev.microF1());
            ctx.summaryMetric("parser_phantom_absent_accuracy", ev.absent().value());
            ctx.summaryMetric("parser_phantom_uncertain_accuracy", ev.uncertain().value());
            ctx.summaryMetric("parser_phantom_severity_accuracy", ev.severity().value());
            ctx.summaryMetric("parser_phantom_laterality_accuracy", ev.laterality().value());
            Path table = ctx.workDir().resolve("parser_vs_phantom.txt");
            java.nio.file.Files.writeString(table, ev.renderTable());
            ctx.addArtifact("parse-reports/parser_vs_phantom_truth.txt", table);
        }
        publishLabels(cfg, manifest, predicted, truth, ctx);
    }

    /**
     * Chooses the label source, measures how far the available sources agree on the same studies and
     * publishes the chosen labels as the output {@value #OUTPUT_LABELS}.
     */
    private static void publishLabels(ParseReportsConfig cfg, DatasetManifest manifest,
                                      Map<String, List<FindingMention>> predicted, PhantomGroundTruth truth,
                                      StageContext ctx) throws IOException {
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

        List<String> studyIds = manifest.entries().stream().map(DatasetEntry::studyId).distinct().toList();
        List<LabelSource> sources = List.copyOf(available.keySet());
        StringBuilder tables = new StringBuilder();
        for (int i = 0; i < sources.size(); i++) {
            for (int j = i + 1; j < sources.size(); j++) {
                LabelAgreement agreement = LabelAgreement.compare(available.get(sources.get(i)),
                        available.get(sources.get(j)), studyIds);
                agreement.summary().forEach(ctx::summaryMetric);
                agreement.perFinding().forEach((k, v) -> ctx.logMetric(k, v, 0));
                tables.append(agreement.renderTable()).append('\n');
                LOG.info("labels: {} against {} agree on {} of the (study, finding) cells of {} studies, mean kappa {}",
                        sources.get(i), sources.get(j),
                        String.format(Locale.ROOT, "%.3f", agreement.overallAgreement()), agreement.studies(),
                        String.format(Locale.ROOT, "%.3f", agreement.meanKappa()));
            }
        }
        if (!tables.isEmpty()) {
            Path table = ctx.workDir().resolve("label-agreement.txt");
            Files.writeString(table, tables);
            ctx.addArtifact("parse-reports/label_agreement.txt", table);
        }
        long labelled = studyIds.stream().filter(labels::labelled).count();
        ctx.logParam("labels.source", source.label());
        ctx.logParam("labels.sources_available", String.join(", ", sources.stream().map(LabelSource::label).toList()));
        ctx.summaryMetric("labels_labelled_studies", labelled);
        ctx.summaryMetric("labels_unlabelled_studies", studyIds.size() - labelled);
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
    static LabelSource chooseSource(ParseReportsConfig cfg, Set<LabelSource> available,
                                    DatasetManifest manifest) {
        Optional<LabelSource> named = cfg.labelSource();
        if (named.isEmpty()) {
            return available.contains(LabelSource.REPORTS) ? LabelSource.REPORTS : LabelSource.DATASET;
        }
        LabelSource source = named.get();
        if (!available.contains(source)) {
            String why = switch (source) {
                case REPORTS -> "none of the dataset's " + manifest.entries().size() + " images has a report: use"
                        + " labels: dataset to train on its label columns, or import the reports";
                case DATASET -> "the dataset has no label columns (a hospital's MIMIC folder or manifest CSV has none): use"
                        + " labels: reports, or import a CheXpert-style CSV with label columns";
                case TRUTH -> "the dataset has no phantom ground truth: truth needs dataset.source: phantom";
            };
            throw new StageInputException("stages.parse-reports.labels is " + source.label() + ", but " + why);
        }
        return source;
    }
}
