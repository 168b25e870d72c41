package dev.causalcxr.core.stage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StageInputsTest {

    @Test
    void aMissingInputIsTheNonRetryableStageInputExceptionNamingTheInput(@TempDir Path dir) {
        RecordingStageContext ctx = new RecordingStageContext(dir, 1);
        StageInputException e = assertThrows(
                StageInputException.class,
                () -> StageInputs.require(ctx, "ingest/dataset", "the ingest stage's dataset"));
        assertTrue(e.getMessage().contains("the ingest stage's dataset"), e.getMessage());
        assertTrue(e.getMessage().contains("'ingest/dataset'"), e.getMessage());
    }

    @Test
    void aPresentInputIsItsLocalCopy(@TempDir Path dir) {
        Path file = dir.resolve("dataset.tar");
        RecordingStageContext ctx = new RecordingStageContext(dir, 1).withInput("ingest/dataset", file);
        assertEquals(file, StageInputs.require(ctx, "ingest/dataset", "the dataset"));
    }

    @Test
    void theReportsStageWithoutItsCsvFailsAsAnInputError(@TempDir Path dir) {
        RecordingStageContext ctx = new RecordingStageContext(dir, 1);
        assertThrows(
                StageInputException.class,
                () -> dev.causalcxr.core.reports.ParseReportsStage.run(
                        dev.causalcxr.core.spec.ParseReportsConfig.defaults(), ctx));
    }
}
