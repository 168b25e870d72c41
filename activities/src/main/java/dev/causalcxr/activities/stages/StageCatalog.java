package dev.causalcxr.activities.stages;

import dev.causalcxr.activities.runner.StageDefinition;
import dev.causalcxr.infra.metadata.MetadataDb;
import java.util.List;

/** Every stage this version can run, wired to its dependencies. */
public final class StageCatalog {
    private StageCatalog() {
    }

    public static List<StageDefinition> all(MetadataDb db) {
        return List.of();
    }
}
