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

    @Override
    public int codeVersion() {
        return 1;
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
