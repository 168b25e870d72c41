package dev.causalcxr.core.reports;

import dev.causalcxr.core.reports.batch.ReportBatchSummary;
import dev.causalcxr.core.reports.eval.DevelopmentSet;
import dev.causalcxr.core.stage.StageContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ParseReportsStageTest {

    /** A recording stage context. */
    private static final class RecordingContext implements StageContext {
        final Path work;
        final Map<String, Path> inputs;
        final Map<String, Double> summary = new HashMap<>();
        final Map<String, Double> metrics = new HashMap<>();
        final Map<String, Path> outputs = new HashMap<>();
        final Map<String, Path> artifacts = new HashMap<>();
        final List<Double> progress = new CopyOnWriteArrayList<>();

        RecordingContext(Path work, Map<String, Path> inputs) {
            this.work = work;
            this.inputs = inputs;
        }

        public long seed() {
            return 1;
        }

        public Path workDir() {
            return work;
        }

        public void progress(double fraction, String message) {
            progress.add(fraction);
        }

        public void logMetric(String key, double value, long step) {
            metrics.put(key, value);
        }

        public void summaryMetric(String key, double value) {
            summary.put(key, value);
        }

        public void logParam(String key, String value) {
        }

        public Optional<Checkpoint> latestCheckpoint() {
            return Optional.empty();
        }

        public void saveCheckpoint(long step, Path file) {
        }

        public void addOutput(String name, Path file) {
            outputs.put(name, file);
        }

        public void addArtifact(String name, Path file) {
            artifacts.put(name, file);
        }

        public Map<String, Path> inputs() {
            return inputs;
        }

        public boolean cancelled() {
            return false;
        }
    }

    @Test
    void parsesTheInputAndPublishesFindingsAndLabelDistribution(@TempDir Path dir) throws Exception {
        Path csv = dir.resolve("reports.csv");
        Files.copy(DevelopmentSet.openReportsCsv(), csv);
        RecordingContext ctx = new RecordingContext(dir, Map.of(ParseReportsStage.INPUT_REPORTS, csv));

        ReportBatchSummary s = ParseReportsStage.run(ParseReportsStage.Config.defaults(), ctx);

        assertEquals(DevelopmentSet.reports().size(), s.rows());
        assertEquals(s.rows(), Files.readAllLines(ctx.outputs.get(ParseReportsStage.OUTPUT_FINDINGS)).size());
        assertTrue(Files.readString(ctx.artifacts.get(ParseReportsStage.ARTIFACT_LABEL_DISTRIBUTION))
                .contains("\"Pleural Effusion\""));
        assertEquals((double) s.rows(), ctx.summary.get("reports_rows"));
        assertTrue(ctx.metrics.get("reports_present_pleural_effusion") > 0);
        assertEquals(1.0, ctx.progress.get(ctx.progress.size() - 1));
    }
}
