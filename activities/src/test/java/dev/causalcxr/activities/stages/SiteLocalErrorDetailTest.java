package dev.causalcxr.activities.stages;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.causalcxr.activities.runner.CheckpointPointer;
import dev.causalcxr.activities.runner.Heartbeat;
import dev.causalcxr.activities.runner.StageDefinition;
import dev.causalcxr.activities.runner.StageRequest;
import dev.causalcxr.activities.runner.StageRunner;
import dev.causalcxr.core.dataset.PhantomDatasetWriter;
import dev.causalcxr.core.dataset.PhantomGroundTruth;
import dev.causalcxr.core.files.SiteLog;
import dev.causalcxr.core.phantom.PhantomSpec;
import dev.causalcxr.core.spec.IngestConfig;
import dev.causalcxr.core.stage.StageContext;
import dev.causalcxr.core.stage.StageInputException;
import dev.causalcxr.infra.datasets.DatasetCatalog;
import dev.causalcxr.infra.metadata.PipelineJournal;
import dev.causalcxr.infra.stack.PlatformStack;
import dev.causalcxr.infra.stack.StackConfig;
import io.temporal.failure.ActivityFailure;
import io.temporal.testing.TestActivityEnvironment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Errors cross process boundaries (the journal, which also feeds MLflow's {@code causalcxr.error} tag, and
 * Temporal's failure, recorded in the workflow history) as a category, a count and a reference; the source
 * files and exception text they stand for stay in the site-local log, readable by its owner only.
 */
class SiteLocalErrorDetailTest {
    private static final String KEY = "site-error-test-key-0123456789";
    private static final ObjectMapper JSON = new ObjectMapper();

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

    private static StageRequest request(String stage, String configJson) {
        String runId = "errors-" + ++runs;
        stack.journal().createPipelineRun(runId, "test", "test-digest", "{}", "test");
        return new StageRequest(runId, "causalcxr/test", stage, configJson, 1, Map.of(), true, null);
    }

    /** A MIMIC-style site folder with two unreadable images and a missing report. */
    private static Path brokenSite(String name, List<String> rawIds) throws Exception {
        Path site = dir.resolve(name);
        PhantomDatasetWriter.Summary s = PhantomDatasetWriter.write(
                PhantomSpec.defaults().withStudies(10).withSize(64).withSeed(4), site);
        List<PhantomGroundTruth.StudyTruth> st = s.groundTruth().studies();
        Files.writeString(site.resolve(st.get(0).image()), "not a picture");
        Files.write(site.resolve(st.get(1).image()), new byte[] {(byte) 0x89, 'P', 'N', 'G'});
        Path report = site.resolve(st.get(2).image())
                .getParent()
                .getParent()
                .resolve(st.get(2).studyId() + ".txt");
        Files.delete(report);
        Files.delete(site.resolve(PhantomGroundTruth.FILE_NAME));
        for (int i = 0; i < 3; i++) {
            rawIds.add(st.get(i).studyId());
            rawIds.add(st.get(i).patientId());
            String file = Path.of(st.get(i).image()).getFileName().toString();
            rawIds.add(file.substring(0, file.indexOf('.')));
        }
        return site;
    }

    private static String ingestConfig(Path site, boolean strict) throws Exception {
        return JSON.writeValueAsString(
                new IngestConfig("import", "site", 64, 0, 1, 4, "mimic", site.toString(), strict, 0.1));
    }

    private static void assertNoneOf(List<String> secrets, String text, String where) {
        for (String s : secrets) {
            assertFalse(text.contains(s), where + " names " + s + ": " + text);
        }
    }

    private static String siteLog() throws Exception {
        Path log = runner.siteLog().file();
        assertEquals(
                dir.resolve("data")
                        .resolve(SiteLog.RELATIVE_PATH)
                        .toAbsolutePath()
                        .normalize(),
                log);
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(log)));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(log.getParent())));
        return Files.readString(log);
    }

    @Test
    void aStrictImportWithBadRowsFailsWithCategoriesCountsAndReferencesOnly() throws Exception {
        List<String> raw = new ArrayList<>();
        Path site = brokenSite("strict-site", raw);
        raw.add(site.toString());
        StageRequest req = request("ingest", ingestConfig(site, true));
        IngestDefinition ingest =
                new IngestDefinition(new DatasetCatalog(stack.db()), Map.of("CAUSALCXR_PSEUDONYM_KEY", KEY));

        TestActivityEnvironment env = TestActivityEnvironment.newInstance();
        env.registerActivitiesImplementations(new StageActivitiesImpl(runner, List.of(ingest)));
        ActivityFailure failure = assertThrows(
                ActivityFailure.class,
                () -> env.newActivityStub(StageActivities.class).ingest(req));
        env.close();

        // what Temporal records: every message of the failure's cause chain
        StringBuilder temporal = new StringBuilder();
        for (Throwable t = failure; t != null; t = t.getCause()) {
            temporal.append(t.getMessage()).append('\n');
        }
        assertTrue(temporal.toString().contains("3 problem(s)"), temporal.toString());
        assertTrue(
                temporal.toString().contains("2 × unreadable image")
                        && temporal.toString().contains("1 × report file missing"),
                temporal.toString());
        assertNoneOf(raw, temporal.toString(), "the Temporal failure");

        PipelineJournal.StageRunRow row =
                stack.journal().stageRuns(req.pipelineRunId()).get(0);
        assertEquals("failed", row.status());
        assertTrue(
                row.error().contains("3 problem(s)") && row.error().matches("(?s).*references R[0-9a-f]{16}.*"),
                row.error());
        assertNoneOf(raw, row.error(), "the journal (and MLflow's causalcxr.error tag)");

        String log = siteLog();
        String ref = row.error().replaceAll("(?s).*references (R[0-9a-f]{16}).*", "$1");
        assertTrue(
                log.lines().anyMatch(l -> l.contains(ref) && l.contains("files/")),
                "the site log has the file: " + log);
        assertTrue(log.contains(raw.get(0)), "the site log names the study: " + log);
    }

    @Test
    void aLenientImportPublishesOnlyReferencesAndCategoriesOfItsSkippedRows() throws Exception {
        List<String> raw = new ArrayList<>();
        Path site = brokenSite("lenient-site", raw);
        StageRequest req = request("ingest", ingestConfig(site, false));
        IngestDefinition ingest =
                new IngestDefinition(new DatasetCatalog(stack.db()), Map.of("CAUSALCXR_PSEUDONYM_KEY", KEY));
        var result = runner.run(ingest, req, 1, null, Heartbeat.NONE);
        var manifest = runner.manifest(result.manifestDigest());
        String problems = new String(
                stack.objectStore()
                        .getBytes(manifest.artifacts()
                                .get("ingest/import_problems.txt")
                                .digest()),
                StandardCharsets.UTF_8);
        assertTrue(problems.startsWith("3 problem(s): 2 × unreadable image, 1 × report file missing"), problems);
        assertNoneOf(raw, problems, "the import_problems.txt artifact (MLflow)");
        assertNoneOf(
                raw,
                new String(
                        stack.objectStore()
                                .getBytes(manifest.outputs().get("dataset").digest()),
                        StandardCharsets.ISO_8859_1),
                "the dataset bundle");
        String log = siteLog();
        for (String line : problems.lines().skip(1).toList()) {
            String ref = line.split("[ :]")[0];
            assertTrue(log.contains(ref + " files/"), "the site log maps " + ref + " to its file: " + log);
        }
    }

    /** A stage whose failure message carries what must not leave the site (a path with a study id in it). */
    private static final class LeakyStage implements StageDefinition {
        @Override
        public String name() {
            return "train-diffusion";
        }

        @Override
        public void execute(String configJson, StageContext ctx) throws Exception {
            throw new IllegalStateException(
                    "cannot decode", new NoSuchFileException("/site/files/p10/p10000001/s50000042/x.jpg"));
        }
    }

    @Test
    void anUnexpectedExceptionCrossesAsItsTypeAndReferenceWithItsTextInTheSiteLog() throws Exception {
        StageRequest req = request("train-diffusion", "{}");
        IllegalStateException thrown = assertThrows(
                IllegalStateException.class,
                () -> runner.run(new LeakyStage(), req, 2, (CheckpointPointer) null, Heartbeat.NONE));
        assertNull(thrown.getCause(), "no cause: Temporal would record its message and stack");
        assertFalse(
                thrown.getMessage().contains("s50000042") || thrown.getMessage().contains("/site/"),
                thrown.getMessage());
        assertTrue(thrown.getMessage().contains("IllegalStateException on attempt 2"), thrown.getMessage());

        PipelineJournal.StageRunRow row =
                stack.journal().stageRuns(req.pipelineRunId()).get(0);
        assertFalse(row.error().contains("s50000042"), row.error());
        String ref = row.error().replaceAll("(?s).*reference (E[0-9a-f]{12}).*", "$1");
        assertTrue(ref.matches("E[0-9a-f]{12}"), row.error());
        String log = siteLog();
        int at = log.indexOf(ref);
        assertTrue(at >= 0 && log.indexOf("s50000042", at) > at, "the detail sits under the reference: " + log);
    }

    @Test
    void aStageInputErrorKeepsItsOwnMessageAndGainsAReference() {
        StageRequest req = request("train-diffusion", "{}");
        StageInputException e = assertThrows(
                StageInputException.class,
                () -> runner.run(
                        new StageDefinition() {
                            @Override
                            public String name() {
                                return "train-diffusion";
                            }

                            @Override
                            public void execute(String configJson, StageContext ctx) {
                                throw new StageInputException("the disentangler's codes have no training split");
                            }
                        },
                        req,
                        1,
                        null,
                        Heartbeat.NONE));
        assertTrue(
                e.getMessage().startsWith("the disentangler's codes have no training split (reference E"),
                e.getMessage());
    }
}
