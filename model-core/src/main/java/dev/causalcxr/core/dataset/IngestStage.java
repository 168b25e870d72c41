package dev.causalcxr.core.dataset;

import dev.causalcxr.core.phantom.PhantomContactSheet;
import dev.causalcxr.core.phantom.PhantomGenerator;
import dev.causalcxr.core.phantom.PhantomSpec;
import dev.causalcxr.core.spec.IngestConfig;
import dev.causalcxr.core.spec.StageName;
import dev.causalcxr.core.stage.StageContext;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * The {@code ingest} stage's work: a phantom cohort (written in the MIMIC-like layout and imported like
 * any site's data, so the import path is always exercised) or an import of real data, packed into a
 * dataset bundle.
 *
 * <p>Outputs: {@code dataset} (the bundle: manifest, 16-bit PNGs, reports) and, for the phantom,
 * {@code phantom-truth} (identity, acquisition and findings of every study, for exact
 * counterfactuals). Recording the version in the catalogue is the caller's (it needs the database).
 */
public final class IngestStage {
    public static final String NAME = StageName.Labels.INGEST;
    public static final String OUTPUT_DATASET = "dataset";
    public static final String OUTPUT_PHANTOM_TRUTH = "phantom-truth";

    /** An import packed into a bundle: what {@code dataset import} and the ingest stage both record. */
    public record Packed(ImportResult imported, Path bundle) {
        public DatasetManifest manifest() {
            return imported.manifest();
        }
    }

    private IngestStage() {}

    /**
     * Imports {@code options.source()} and packs the result into {@code bundle}: the one import → pack
     * path of the platform.
     *
     * @throws DatasetImportException a strict import with bad rows (nothing imported), or nothing importable found
     */
    public static Packed importAndPack(ImportOptions options, Path bundle, BiConsumer<Integer, Integer> progress)
            throws IOException, DatasetImportException {
        ImportResult imported = DatasetImporter.run(options, progress);
        if (imported.manifest().entries().isEmpty()) {
            throw new DatasetImportException(
                    "the import produced no studies (" + imported.summaryLine()
                            + (imported.problems().isEmpty() ? "" : ": " + RowProblem.summary(imported.problems()))
                            + ")",
                    imported.problems());
        }
        DatasetBundle.pack(imported.datasetDir(), bundle);
        return new Packed(imported, bundle);
    }

    /**
     * Renders (phantom) or imports the data set, packs it, adds the outputs, the contact sheet and the
     * problem list, and logs the data set's shape.
     *
     * @param pseudonymKey the keyed hash's key for patient ids (a seed-derived one for the phantom)
     * @throws IllegalArgumentException on a bad phantom spec, a missing path or an empty import
     * @throws DatasetImportException   a strict import with bad rows
     */
    public static Packed run(IngestConfig cfg, byte[] pseudonymKey, StageContext ctx)
            throws IOException, DatasetImportException {
        Path work = ctx.workDir();
        ImportFormat format;
        Path source;
        Path truth = null;
        if ("phantom".equals(cfg.source())) {
            PhantomSpec base = PhantomSpec.defaults();
            PhantomSpec spec = new PhantomSpec(
                    cfg.studies(),
                    cfg.minStudiesPerPatient(),
                    cfg.maxStudiesPerPatient(),
                    cfg.imageSize(),
                    ctx.seed(),
                    base.classFrequencies(),
                    base.severityMix(),
                    base.uncertaintyRate());
            List<String> problems = spec.problems();
            if (!problems.isEmpty()) {
                throw new IllegalArgumentException("phantom spec: " + String.join("; ", problems));
            }
            PhantomGenerator generator = new PhantomGenerator(spec);
            source = work.resolve("phantom");
            PhantomDatasetWriter.write(
                    generator, source, (done, total) -> ctx.progress(0.5 * done / total, "rendering"));
            Path sheet = work.resolve("contact_sheet.png");
            PhantomContactSheet.write(generator, 12, Math.max(96, cfg.imageSize()), sheet);
            ctx.addArtifact(NAME + "/phantom_contact_sheet.png", sheet);
            format = ImportFormat.MIMIC;
            truth = source.resolve(PhantomGroundTruth.FILE_NAME);
        } else {
            source = Path.of(cfg.path());
            if (!Files.exists(source)) {
                // the path is the site's: it stays out of the message, which leaves the site
                throw new IllegalArgumentException("dataset.path does not exist");
            }
            format = ImportFormat.fromString(cfg.format());
        }
        Packed packed = importAndPack(
                new ImportOptions(
                        format,
                        source,
                        work.resolve("dataset"),
                        cfg.name(),
                        cfg.imageSize(),
                        pseudonymKey,
                        cfg.strict(),
                        SplitProportions.defaults()),
                work.resolve("dataset.zip"),
                (done, total) -> ctx.progress(0.5 + 0.45 * done / total, "importing"));
        ctx.addOutput(OUTPUT_DATASET, packed.bundle());
        if (truth != null) {
            // the truth names studies as the source folders do: give it the data set's pseudonyms (in place,
            // in this attempt's own folder) so that no raw id leaves the import
            PhantomGroundTruth.pseudonymizeInPlace(truth, pseudonymKey, packed.manifest());
            ctx.addOutput(OUTPUT_PHANTOM_TRUTH, truth);
        }
        List<RowProblem> problems = packed.imported().problems();
        if (!problems.isEmpty()) {
            // the tracker gets references and categories; the files they stand for stay in the site log
            ctx.siteDetail(
                    "import problems (" + problems.size() + ")",
                    problems.stream().map(RowProblem::siteLine).toList());
            Path report = work.resolve("import_problems.txt");
            List<String> lines = new java.util.ArrayList<>();
            lines.add(problems.size() + " problem(s): " + RowProblem.summary(problems)
                    + " (each reference's file and reason: the site log, "
                    + dev.causalcxr.core.files.SiteLog.RELATIVE_PATH
                    + " in the data folder)");
            problems.forEach(p -> lines.add(p.toString()));
            Files.write(report, lines);
            ctx.addArtifact(NAME + "/import_problems.txt", report);
        }
        logShape(packed, cfg.tailFrequency(), ctx);
        ctx.progress(1.0, "ingested");
        return packed;
    }

    private static void logShape(Packed packed, double tailFrequency, StageContext ctx) {
        DatasetManifest manifest = packed.manifest();
        ctx.logParam("dataset.name", manifest.name());
        ctx.logParam("dataset.version", manifest.version());
        Map<String, Double> freq = manifest.presentFrequencies();
        freq.forEach((finding, f) -> ctx.logMetric("dataset_frequency_" + key(finding), f, 0));
        List<String> tail = manifest.tailClasses(tailFrequency);
        ctx.logParam("dataset.tail_classes", String.join(", ", tail));
        double head =
                freq.values().stream().mapToDouble(Double::doubleValue).max().orElse(0);
        double rarest = freq.values().stream()
                .mapToDouble(Double::doubleValue)
                .filter(v -> v > 0)
                .min()
                .orElse(0);
        ctx.summaryMetric("dataset_studies", manifest.entries().size());
        ctx.summaryMetric("dataset_patients", (double) manifest.entries().stream()
                .map(DatasetEntry::patientId)
                .distinct()
                .count());
        ctx.summaryMetric("dataset_skipped_rows", packed.imported().problems().size());
        ctx.summaryMetric("dataset_tail_classes", tail.size());
        if (rarest > 0) {
            ctx.summaryMetric("dataset_head_to_rarest_ratio", head / rarest);
        }
        manifest.countsBySplit().forEach((split, n) -> ctx.logMetric("dataset_studies_" + split.label(), n, 0));
    }

    static String key(String findingLabel) {
        return findingLabel.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "_");
    }
}
