package dev.causalcxr.activities.stages;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.causalcxr.activities.runner.StageDefinition;
import dev.causalcxr.activities.runner.StageInputException;
import dev.causalcxr.core.dataset.DatasetBundle;
import dev.causalcxr.core.dataset.DatasetImportException;
import dev.causalcxr.core.dataset.DatasetImporter;
import dev.causalcxr.core.dataset.DatasetManifest;
import dev.causalcxr.core.dataset.ImportFormat;
import dev.causalcxr.core.dataset.ImportOptions;
import dev.causalcxr.core.dataset.ImportResult;
import dev.causalcxr.core.dataset.PhantomDatasetWriter;
import dev.causalcxr.core.dataset.PhantomGroundTruth;
import dev.causalcxr.core.dataset.RowProblem;
import dev.causalcxr.core.dataset.SplitProportions;
import dev.causalcxr.core.phantom.PhantomContactSheet;
import dev.causalcxr.core.phantom.PhantomGenerator;
import dev.causalcxr.core.phantom.PhantomSpec;
import dev.causalcxr.core.spec.IngestConfig;
import dev.causalcxr.core.stage.StageContext;
import dev.causalcxr.infra.datasets.DatasetCatalog;
import dev.causalcxr.infra.datasets.PseudonymKeys;
import dev.causalcxr.core.files.Digests;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The {@code ingest} stage: a phantom cohort (written in the MIMIC-like layout and imported like
 * any site's data, so the import path is always exercised) or an import of real data; the result
 * is a versioned dataset bundle, recorded in the catalogue.
 *
 * <p>Outputs: {@code dataset} (the bundle: manifest, 16-bit PNGs, reports) and, for the phantom,
 * {@code phantom-truth} (identity, acquisition and findings of every study, for exact
 * counterfactuals).
 */
public final class IngestStage implements StageDefinition {
    public static final String NAME = "ingest";
    /** Fraction of the bundle a tail class may reach at most (for the summary). */
    static final double TAIL_FREQUENCY = 0.05;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final DatasetCatalog catalog;
    private final Map<String, String> env;

    public IngestStage(DatasetCatalog catalog, Map<String, String> env) {
        this.catalog = catalog;
        this.env = env;
    }

    @Override
    public String name() {
        return NAME;
    }


    @Override
    public void execute(String configJson, StageContext ctx) throws Exception {
        IngestConfig cfg = JSON.readValue(configJson, IngestConfig.class);
        Path work = ctx.workDir();
        Path datasetDir = work.resolve("dataset");
        ImportResult imported;
        Path truth = null;
        if ("phantom".equals(cfg.source())) {
            PhantomSpec base = PhantomSpec.defaults();
            PhantomSpec spec = new PhantomSpec(cfg.studies(), cfg.minStudiesPerPatient(), cfg.maxStudiesPerPatient(),
                    cfg.imageSize(), ctx.seed(), base.classFrequencies(), base.severityMix(), base.uncertaintyRate());
            List<String> problems = spec.problems();
            if (!problems.isEmpty()) {
                throw new StageInputException("phantom spec: " + String.join("; ", problems));
            }
            PhantomGenerator generator = new PhantomGenerator(spec);
            Path raw = work.resolve("phantom");
            PhantomDatasetWriter.write(generator, raw, (done, total) -> ctx.progress(0.5 * done / total, "rendering"));
            Path sheet = work.resolve("contact_sheet.png");
            PhantomContactSheet.write(generator, 12, Math.max(96, cfg.imageSize()), sheet);
            ctx.addArtifact("ingest/phantom_contact_sheet.png", sheet);
            imported = importFolder(ImportFormat.MIMIC, raw, datasetDir, cfg, PseudonymKeys.forPhantom(ctx.seed()), ctx);
            truth = raw.resolve(PhantomGroundTruth.FILE_NAME);
        } else {
            Path source = Path.of(cfg.path());
            if (!Files.exists(source)) {
                throw new StageInputException("dataset.path does not exist: " + source);
            }
            imported = importFolder(ImportFormat.fromString(cfg.format()), source, datasetDir, cfg,
                    PseudonymKeys.resolve(env), ctx);
        }
        DatasetManifest manifest = imported.manifest();
        if (manifest.entries().isEmpty()) {
            throw new StageInputException("the import produced no studies (" + imported.summaryLine() + ")");
        }
        Path bundle = work.resolve("dataset.zip");
        DatasetBundle.pack(imported.datasetDir(), bundle);
        ctx.addOutput("dataset", bundle);
        if (truth != null) {
            ctx.addOutput("phantom-truth", truth);
        }
        if (!imported.problems().isEmpty()) {
            Path report = work.resolve("import_problems.txt");
            Files.write(report, imported.problems().stream().map(RowProblem::toString).toList());
            ctx.addArtifact("ingest/import_problems.txt", report);
        }
        DatasetCatalog.Recorded rec = catalog.record(manifest, Digests.sha256Hex(bundle), cfg.source());
        ctx.logParam("dataset.name", manifest.name());
        ctx.logParam("dataset.version", manifest.version());
        ctx.logParam("dataset.parent_version", String.valueOf(rec.version().parent()));
        Map<String, Double> freq = manifest.presentFrequencies();
        freq.forEach((finding, f) -> ctx.logMetric("dataset_frequency_" + key(finding), f, 0));
        List<String> tail = manifest.tailClasses(TAIL_FREQUENCY);
        ctx.logParam("dataset.tail_classes", String.join(", ", tail));
        double head = freq.values().stream().mapToDouble(Double::doubleValue).max().orElse(0);
        double rarest = freq.values().stream().mapToDouble(Double::doubleValue).filter(v -> v > 0).min().orElse(0);
        ctx.summaryMetric("dataset_studies", manifest.entries().size());
        ctx.summaryMetric("dataset_patients", manifest.entries().stream().map(e -> e.patientId()).distinct().count());
        ctx.summaryMetric("dataset_skipped_rows", imported.problems().size());
        ctx.summaryMetric("dataset_tail_classes", tail.size());
        if (rarest > 0) {
            ctx.summaryMetric("dataset_head_to_rarest_ratio", head / rarest);
        }
        manifest.countsBySplit().forEach((split, n) -> ctx.logMetric("dataset_studies_" + split.label(), n, 0));
        ctx.progress(1.0, "ingested");
    }

    private static ImportResult importFolder(ImportFormat format, Path source, Path out, IngestConfig cfg, byte[] key,
                                             StageContext ctx) throws IOException {
        try {
            return DatasetImporter.run(new ImportOptions(format, source, out, cfg.name(), cfg.imageSize(), key,
                    cfg.strict(), SplitProportions.defaults()), (done, total) -> ctx.progress(0.5 + 0.45 * done / total,
                    "importing"));
        } catch (DatasetImportException e) {
            throw new StageInputException(e.getMessage() + ": " + e.problems().stream().limit(20)
                    .map(RowProblem::toString).collect(Collectors.joining("; ")));
        }
    }

    static String key(String findingLabel) {
        return findingLabel.toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9]+", "_");
    }
}
