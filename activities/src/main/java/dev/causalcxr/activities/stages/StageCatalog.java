package dev.causalcxr.activities.stages;

import dev.causalcxr.activities.runner.StageDefinition;
import dev.causalcxr.infra.datasets.DatasetCatalog;
import dev.causalcxr.infra.datasets.FindingsStore;
import dev.causalcxr.infra.metadata.MetadataDb;
import java.util.List;
import java.util.Map;

/** Every stage this version can run, wired to its dependencies. */
public final class StageCatalog {
    private StageCatalog() {}

    public static List<StageDefinition> all(MetadataDb db, Map<String, String> env) {
        DatasetCatalog datasets = new DatasetCatalog(db);
        return List.of(
                new IngestDefinition(datasets, env),
                new ParseReportsDefinition(datasets, new FindingsStore(db)),
                new TrainDisentanglerDefinition(),
                new TrainDiffusionDefinition(),
                new OptimizeTailNoiseDefinition(),
                new GenerateCounterfactualsDefinition(),
                new EvaluateDefinition());
    }
}
