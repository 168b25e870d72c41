package dev.causalcxr.cli;

import dev.causalcxr.activities.runner.StageManifest;
import dev.causalcxr.core.dataset.ImportFormat;
import dev.causalcxr.core.dataset.ImportOptions;
import dev.causalcxr.core.dataset.IngestStage;
import dev.causalcxr.core.dataset.PhantomDatasetWriter;
import dev.causalcxr.core.dataset.SplitProportions;
import dev.causalcxr.core.phantom.PhantomGenerator;
import dev.causalcxr.core.phantom.PhantomSpec;
import dev.causalcxr.core.phantom.SiteProfile;
import dev.causalcxr.core.spec.StageName;
import dev.causalcxr.infra.datasets.DatasetCatalog;
import dev.causalcxr.infra.registry.ModelRegistry;
import dev.causalcxr.infra.registry.ModelVersion;
import dev.causalcxr.infra.stack.PlatformStack;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Data set versions and a champion as the real catalogue, journal and registry record them, without training: what
 * a retrain trigger reads (the champion's run, its ingest manifest naming its training data, the catalogue's
 * versions). The retrain itself is not run from these; tests that train are e2e-tagged.
 */
final class RecordedLineage {
    private RecordedLineage() {}

    /** Imports a small phantom export of {@code site} as a new version of {@code name} (a new seed: a new version). */
    static DatasetCatalog.VersionRow importVersion(PlatformStack stack, Path dir, String name, String site, long seed)
            throws Exception {
        Path export = dir.resolve(name + "-" + seed);
        PhantomDatasetWriter.write(
                new PhantomGenerator(
                        PhantomSpec.defaults().withStudies(12).withSeed(seed).withSize(64),
                        SiteProfile.named(site).orElseThrow()),
                export,
                (a, b) -> {});
        IngestStage.Packed packed = IngestStage.importAndPack(
                new ImportOptions(
                        ImportFormat.MIMIC,
                        export,
                        dir.resolve(name + "-" + seed + "-import"),
                        name,
                        64,
                        "recorded-lineage-key-0123456789abcdef".getBytes(StandardCharsets.UTF_8),
                        false,
                        SplitProportions.defaults()),
                dir.resolve(name + "-" + seed + ".zip"),
                (a, b) -> {});
        return new DatasetCatalog(stack.db())
                .record(
                        packed.manifest(),
                        stack.objectStore().putFile(packed.bundle()).digest(),
                        "mimic")
                .version();
    }

    /**
     * Registers a version of {@code model} whose journaled run ingested {@code trainedOn} and has the stage outputs a
     * retrain starts from, and points {@code champion} at it.
     */
    static ModelVersion champion(PlatformStack stack, String model, String runId, DatasetCatalog.VersionRow trainedOn) {
        stack.journal().createPipelineRun(runId, model, "spec-" + runId, "{\"name\":\"" + model + "\"}", "test");
        String ingest = stack.objectStore()
                .putJson(new StageManifest(
                        StageName.INGEST.label(),
                        "ingest-" + runId,
                        "{}",
                        0,
                        Map.of(),
                        Map.of(),
                        Map.of(),
                        Map.of(),
                        Map.of("dataset.name", trainedOn.dataset(), "dataset.version", trainedOn.version()),
                        Map.of()))
                .digest();
        for (StageName s : List.of(
                StageName.INGEST, StageName.PARSE_REPORTS, StageName.TRAIN_DISENTANGLER, StageName.TRAIN_DIFFUSION)) {
            stack.journal().startStageRun(runId, s.label(), s.label() + "-" + runId, 1);
            stack.journal().finishStageRun(runId, s.label(), "succeeded", false, ingest, null, 1.0, null);
        }
        stack.journal().finishPipelineRun(runId, "succeeded", "{}", trainedOn.version());
        String weights = stack.objectStore()
                .putBytes(("weights of " + runId).getBytes(StandardCharsets.UTF_8))
                .digest();
        ModelVersion v = stack.registry()
                .register(model, Map.of("weights", weights), Map.of(ModelRegistry.PIPELINE_RUN_ID, runId), Map.of());
        stack.registry().setAlias(model, "champion", v.version());
        return v;
    }
}
