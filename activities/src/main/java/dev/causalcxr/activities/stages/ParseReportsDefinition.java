package dev.causalcxr.activities.stages;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.causalcxr.activities.runner.StageDefinition;
import dev.causalcxr.core.dataset.DatasetManifest;
import dev.causalcxr.core.dataset.PhantomGroundTruth;
import dev.causalcxr.core.findings.FindingMention;
import dev.causalcxr.core.reports.ExtractorVersions;
import dev.causalcxr.core.reports.ParseReportsStage;
import dev.causalcxr.core.reports.llm.LlmExtractorConfig;
import dev.causalcxr.core.spec.ParseReportsConfig;
import dev.causalcxr.core.stage.StageContext;
import dev.causalcxr.core.stage.StageInputException;
import dev.causalcxr.infra.datasets.DatasetCatalog;
import dev.causalcxr.infra.datasets.FindingsStore;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The {@code parse-reports} stage ({@link ParseReportsStage#runOnDataset}): checks that this worker's
 * extractor is the one the run was planned with, hands the ingested dataset (and the phantom's truth, when
 * there is one) to model-core, and stores every study's findings in PostgreSQL.
 */
public final class ParseReportsDefinition implements StageDefinition {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final DatasetCatalog catalog;
    private final FindingsStore findings;

    public ParseReportsDefinition(DatasetCatalog catalog, FindingsStore findings) {
        this.catalog = catalog;
        this.findings = findings;
    }

    @Override
    public String name() {
        return ParseReportsStage.NAME;
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
        Path truthFile = ctx.inputs().get(DatasetInputs.PHANTOM_TRUTH);
        PhantomGroundTruth truth = truthFile == null ? null : PhantomGroundTruth.read(truthFile);
        Map<String, List<FindingMention>> predicted =
                ParseReportsStage.runOnDataset(cfg, datasetDir, manifest, truth, ctx);
        int rows = findings.replace(cfg.extractor(), catalog.studyKeys(manifest.name(), manifest.version()), predicted);
        ctx.logMetric("reports_findings_rows_stored", rows, 0);
    }
}
