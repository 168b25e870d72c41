package dev.causalcxr.activities.stages;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.causalcxr.activities.runner.StageDefinition;
import dev.causalcxr.core.dataset.DatasetImportException;
import dev.causalcxr.core.dataset.IngestStage;
import dev.causalcxr.core.dataset.RowProblem;
import dev.causalcxr.core.files.Digests;
import dev.causalcxr.core.spec.IngestConfig;
import dev.causalcxr.core.stage.StageContext;
import dev.causalcxr.core.stage.StageInputException;
import dev.causalcxr.infra.datasets.DatasetCatalog;
import dev.causalcxr.infra.datasets.PseudonymKeys;
import java.util.Map;
import java.util.stream.Collectors;

/** The {@code ingest} stage ({@link IngestStage}); the new version is recorded in the catalogue. */
public final class IngestDefinition implements StageDefinition {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final DatasetCatalog catalog;
    private final Map<String, String> env;

    public IngestDefinition(DatasetCatalog catalog, Map<String, String> env) {
        this.catalog = catalog;
        this.env = env;
    }

    @Override
    public String name() {
        return IngestStage.NAME;
    }

    @Override
    public void execute(String configJson, StageContext ctx) throws Exception {
        IngestConfig cfg = JSON.readValue(configJson, IngestConfig.class);
        byte[] key = "phantom".equals(cfg.source()) ? PseudonymKeys.forPhantom(ctx.seed()) : PseudonymKeys.resolve(env);
        IngestStage.Packed packed;
        try {
            packed = IngestStage.run(cfg, key, ctx);
        } catch (IllegalArgumentException e) {
            throw new StageInputException(e.getMessage(), e);
        } catch (DatasetImportException e) {
            // the message crosses process boundaries (journal, MLflow, Temporal): categories, counts and
            // references only; which file each reference stands for goes to the site log
            if (!e.problems().isEmpty()) {
                ctx.siteDetail(
                        "import problems (" + e.problems().size() + ")",
                        e.problems().stream().map(RowProblem::siteLine).toList());
            }
            String refs = e.problems().stream().limit(5).map(RowProblem::ref).collect(Collectors.joining(", "));
            // the stage runner adds where the site log is
            throw new StageInputException(e.getMessage()
                    + (refs.isEmpty()
                            ? ""
                            : "; references " + refs + (e.problems().size() > 5 ? ", …" : "")));
        }
        DatasetCatalog.Recorded rec =
                catalog.record(packed.manifest(), Digests.sha256Hex(packed.bundle()), cfg.source());
        ctx.logParam("dataset.parent_version", String.valueOf(rec.version().parent()));
    }
}
