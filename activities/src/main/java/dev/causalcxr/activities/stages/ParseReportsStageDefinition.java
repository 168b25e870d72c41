package dev.causalcxr.activities.stages;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.causalcxr.activities.runner.StageDefinition;
import dev.causalcxr.core.dataset.DatasetManifest;
import dev.causalcxr.core.dataset.PhantomGroundTruth;
import dev.causalcxr.core.findings.FindingMention;
import dev.causalcxr.core.reports.ParseReportsStage;
import dev.causalcxr.core.reports.batch.FindingsJsonl;
import dev.causalcxr.core.reports.batch.ReportBatchConfig;
import dev.causalcxr.core.reports.eval.ParserEvaluation;
import dev.causalcxr.core.spec.ParseReportsConfig;
import dev.causalcxr.core.stage.StageContext;
import dev.causalcxr.infra.datasets.DatasetCatalog;
import dev.causalcxr.infra.datasets.FindingsStore;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code parse-reports} stage: every report of the dataset through the configured extractor;
 * findings to a JSONL output and to PostgreSQL; on phantom data, the extractor scored against the
 * generator's ground truth.
 */
public final class ParseReportsStageDefinition implements StageDefinition {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Output: the condition vocabulary later stages build their conditions from. */
    public static final String OUTPUT_VOCABULARY = "vocabulary";
    /** A finding present in fewer than this fraction of studies is a tail class. */
    public static final double TAIL_FREQUENCY = 0.05;

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
    static Map<String, Object> conditionVocabulary(Map<String, List<FindingMention>> predicted) {
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
            f.put("tail", freq < TAIL_FREQUENCY);
        });
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("studies", studies);
        v.put("tail_frequency", TAIL_FREQUENCY);
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
        JSON.writerWithDefaultPrettyPrinter().writeValue(vocabulary.toFile(), conditionVocabulary(predicted));
        ctx.addOutput(OUTPUT_VOCABULARY, vocabulary);

        Path truthFile = ctx.inputs().get(DatasetInputs.PHANTOM_TRUTH);
        if (truthFile != null) {
            Map<String, List<FindingMention>> gold = new HashMap<>();
            for (PhantomGroundTruth.StudyTruth t : PhantomGroundTruth.read(truthFile).studies()) {
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
    }
}
