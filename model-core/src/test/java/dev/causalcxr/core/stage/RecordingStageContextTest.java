package dev.causalcxr.core.stage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RecordingStageContextTest {

    @Test
    void recordsMetricsSummaryParamsAndProgress(@TempDir Path dir) {
        List<String> heard = new ArrayList<>();
        RecordingStageContext ctx =
                new RecordingStageContext(dir.resolve("work"), 3).onLogMetric((k, v, s) -> heard.add(k + s));
        assertTrue(Files.isDirectory(ctx.workDir()));
        assertEquals(3, ctx.seed());
        ctx.logMetric("loss", 2.0, 1);
        ctx.summaryMetric("fid", 7.0);
        ctx.logMetric("loss", 1.0, 2);
        ctx.logParam("p", "x");
        ctx.progress(0.5, "half");
        ctx.progress(1.0, "done");

        assertEquals(
                List.of(new RecordingStageContext.Point(1, 2.0), new RecordingStageContext.Point(2, 1.0)),
                ctx.metricPoints("loss"));
        assertEquals(List.of(2.0, 1.0), ctx.metricValues("loss"));
        assertEquals(List.of(1L, 2L), ctx.metricSteps("loss"));
        assertEquals(1.0, ctx.lastMetric("loss"));
        assertTrue(ctx.metricValues("absent").isEmpty());
        assertThrows(IllegalStateException.class, () -> ctx.lastMetric("absent"));
        assertEquals(List.of("loss@1=2.0", "fid=7.0", "loss@2=1.0"), ctx.metricTrail());
        assertEquals(List.of("loss1", "loss2"), heard);
        assertEquals(Map.of("fid", 7.0), ctx.summary());
        assertEquals(7.0, ctx.summaryValue("fid"));
        assertFalse(ctx.hasMetric("fid"), "summary metrics are not logged metrics");
        assertEquals("x", ctx.param("p"));
        assertEquals(List.of(0.5, 1.0), ctx.progressFractions());
        assertEquals(List.of("half", "done"), ctx.progressMessages());
        assertEquals(1.0, ctx.lastProgress());
    }

    @Test
    void checkpointsAreCopiedAndTheNewestOrTheResumePointIsLatest(@TempDir Path dir) throws Exception {
        RecordingStageContext ctx = new RecordingStageContext(dir.resolve("work"), 1);
        assertTrue(ctx.latestCheckpoint().isEmpty());
        Path file = Files.writeString(ctx.workDir().resolve("ckpt"), "a");
        ctx.saveCheckpoint(5, file);
        Files.writeString(file, "b");
        ctx.saveCheckpoint(10, file);
        Files.delete(file);

        assertEquals(
                List.of(5L, 10L),
                ctx.savedCheckpoints().stream()
                        .map(StageContext.Checkpoint::step)
                        .toList());
        StageContext.Checkpoint latest = ctx.latestCheckpoint().orElseThrow();
        assertEquals(10, latest.step());
        assertEquals("b", Files.readString(latest.file()));
        assertEquals("a", Files.readString(ctx.savedCheckpoints().get(0).file()));

        RecordingStageContext retry = new RecordingStageContext(dir.resolve("retry"), 1)
                .resumeFrom(ctx.savedCheckpoints().get(0));
        assertEquals(5, retry.latestCheckpoint().orElseThrow().step());

        RecordingStageContext uncopied = new RecordingStageContext(dir.resolve("u"), 1).keepCheckpointCopies(false);
        Path own = Files.writeString(dir.resolve("own"), "c");
        uncopied.saveCheckpoint(1, own);
        assertEquals(own, uncopied.latestCheckpoint().orElseThrow().file());
    }

    @Test
    void cancellationNowOrAfterCheckpointsOrProgressCalls(@TempDir Path dir) throws Exception {
        assertTrue(new RecordingStageContext(dir.resolve("a"), 1).cancel().cancelled());

        RecordingStageContext byCheckpoints = new RecordingStageContext(dir.resolve("b"), 1).cancelAfterCheckpoints(1);
        assertFalse(byCheckpoints.cancelled());
        byCheckpoints.saveCheckpoint(1, Files.writeString(dir.resolve("c1"), "x"));
        assertTrue(byCheckpoints.cancelled());

        RecordingStageContext byProgress = new RecordingStageContext(dir.resolve("c"), 1).cancelAfterProgressCalls(2);
        byProgress.progress(0.1, "");
        assertFalse(byProgress.cancelled());
        byProgress.progress(0.2, "");
        assertTrue(byProgress.cancelled());
    }

    @Test
    void outputsArtifactsAndInputs(@TempDir Path dir) throws Exception {
        Path in = dir.resolve("in.csv");
        RecordingStageContext ctx = new RecordingStageContext(dir.resolve("work"), 1)
                .withInput("reports", in)
                .withInputs(Map.of("other", dir));
        assertEquals(Map.of("reports", in, "other", dir), ctx.inputs());

        Path out = Files.writeString(ctx.workDir().resolve("out.txt"), "o");
        ctx.addOutput("out", out);
        assertEquals(out, ctx.output("out"));
        assertThrows(IllegalStateException.class, () -> ctx.artifact("none"));

        RecordingStageContext copying =
                new RecordingStageContext(dir.resolve("work2"), 1).copyPublishedFilesTo(dir.resolve("published"));
        Path chart = Files.writeString(copying.workDir().resolve("chart.png"), "png");
        copying.addArtifact("chart", chart);
        Files.delete(chart);
        assertNotEquals(chart, copying.artifact("chart"));
        assertEquals("png", Files.readString(copying.artifact("chart")));
        assertEquals(Map.of("chart", copying.artifact("chart")), copying.artifacts());
    }
}
