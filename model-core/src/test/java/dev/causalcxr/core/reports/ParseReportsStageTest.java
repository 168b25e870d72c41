package dev.causalcxr.core.reports;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.causalcxr.core.reports.batch.ReportBatchSummary;
import dev.causalcxr.core.reports.eval.DevelopmentSet;
import dev.causalcxr.core.stage.RecordingStageContext;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ParseReportsStageTest {

    @Test
    void parsesTheInputAndPublishesFindingsAndLabelDistribution(@TempDir Path dir) throws Exception {
        Path csv = dir.resolve("reports.csv");
        Files.copy(DevelopmentSet.openReportsCsv(), csv);
        RecordingStageContext ctx = new RecordingStageContext(dir, 1).withInput(ParseReportsStage.INPUT_REPORTS, csv);

        ReportBatchSummary s = ParseReportsStage.run(dev.causalcxr.core.spec.ParseReportsConfig.defaults(), ctx);

        assertEquals(DevelopmentSet.reports().size(), s.rows());
        assertEquals(
                s.rows(),
                Files.readAllLines(ctx.output(ParseReportsStage.OUTPUT_FINDINGS))
                        .size());
        assertTrue(Files.readString(ctx.artifact(ParseReportsStage.ARTIFACT_LABEL_DISTRIBUTION))
                .contains("\"Pleural Effusion\""));
        assertEquals((double) s.rows(), ctx.summary().get("reports_rows"));
        assertTrue(ctx.lastMetric("reports_present_pleural_effusion") > 0);
        assertEquals(1.0, ctx.lastProgress());
    }
}
