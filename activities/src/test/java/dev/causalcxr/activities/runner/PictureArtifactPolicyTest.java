package dev.causalcxr.activities.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.causalcxr.core.spec.ExperimentSpec;
import dev.causalcxr.core.stage.StageContext;
import dev.causalcxr.infra.stack.PlatformStack;
import dev.causalcxr.infra.stack.StackConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pictures of real studies are journaled as site-only artifacts — pushed to the site's own MLflow server
 * and to no other — unless the data is the phantom or the spec says {@code tracking.images: allowed};
 * other artifacts are never held back.
 */
class PictureArtifactPolicyTest {
    @TempDir
    static Path dir;

    static PlatformStack stack;
    static StageRunner runner;
    static int runs;

    @BeforeAll
    static void start() {
        stack = PlatformStack.start(
                StackConfig.fromEnvironment(dir.resolve("data"), Map.of("CAUSALCXR_MLFLOW", "off")), false);
        runner = new StageRunner(stack.objectStore(), stack.journal(), stack.tracker(), dir.resolve("data/work"));
    }

    @AfterAll
    static void stop() {
        stack.close();
    }

    /** Publishes a grid picture and a text table, as the training stages do. */
    private static final class PicturesStage implements StageDefinition {
        @Override
        public String name() {
            return "train-disentangler";
        }

        @Override
        public void execute(String configJson, StageContext ctx) throws Exception {
            Path grid = Files.write(ctx.workDir().resolve("grid.png"), new byte[] {(byte) 0x89, 'P', 'N', 'G', 1});
            Path table = Files.writeString(ctx.workDir().resolve("table.txt"), "counts");
            ctx.addArtifact("train-disentangler/recon_grid.png", grid);
            ctx.addArtifact("train-disentangler/summary.txt", table);
            Path out = Files.writeString(ctx.workDir().resolve("model.bin"), "weights");
            ctx.addOutput("model", out);
        }
    }

    private static List<String> siteOnly(String specYaml, boolean force) {
        String runId = "pictures-" + ++runs;
        ExperimentSpec spec = ExperimentSpec.parseYaml(specYaml);
        stack.journal().createPipelineRun(runId, spec.name(), spec.digest(), spec.canonicalJson(), "test");
        StageResult r = runner.run(
                new PicturesStage(),
                new StageRequest(runId, "causalcxr/test", "train-disentangler", "{}", 3, Map.of(), force, null),
                1,
                null,
                Heartbeat.NONE);
        return stack.tracker().siteOnlyArtifacts(r.trackingRunId());
    }

    @Test
    void picturesOfImportedStudiesAreSiteOnlyTablesAreNot() {
        assertEquals(List.of("train-disentangler/recon_grid.png"), siteOnly("""
                name: site
                dataset: {source: import, name: site, format: mimic, path: /site/export}
                """, true));
        // a cache hit records the same artifacts on its new run, under the same policy
        assertEquals(List.of("train-disentangler/recon_grid.png"), siteOnly("""
                name: site
                dataset: {source: import, name: site, format: mimic, path: /site/export}
                """, false));
    }

    @Test
    void phantomPicturesAndPicturesTheSpecAllowsGoToAnyServer() {
        assertTrue(siteOnly("name: phantom\n", true).isEmpty());
        assertTrue(siteOnly("""
                name: site
                dataset: {source: import, name: site, format: mimic, path: /site/export}
                tracking: {images: allowed}
                """, true).isEmpty());
    }

    @Test
    void aRunWithoutARecordedSpecCountsAsRealData() {
        assertTrue(StageRunner.isPicture("evaluate/samples.PNG") && !StageRunner.isPicture("evaluate/report.json"));
        assertTrue(runner.picturesStayOnSite("no-such-run"));
    }
}
