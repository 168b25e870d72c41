package dev.causalcxr.activities.stages;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.causalcxr.core.diffusion.DiffusionConfig;
import dev.causalcxr.core.stage.StageContext;
import dev.causalcxr.core.stage.StageInputException;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A stage run without an input it reads fails with the non-retryable StageInputException, never a retried one. */
class MissingStageInputTest {

    /** A context that has the given inputs and a work folder; the definitions fail before reporting anything. */
    private static StageContext context(Path workDir, Map<String, Path> inputs) {
        return (StageContext) Proxy.newProxyInstance(
                StageContext.class.getClassLoader(),
                new Class<?>[] {StageContext.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "inputs" -> inputs;
                    case "workDir" -> workDir;
                    case "seed" -> 1L;
                    case "cancelled" -> false;
                    default -> null;
                });
    }

    @Test
    void aStageWithoutTheIngestStagesDatasetFailsAsAnInputError(@TempDir Path dir) {
        StageInputException e =
                assertThrows(StageInputException.class, () -> DatasetInputs.unpackDataset(context(dir, Map.of())));
        assertTrue(e.getMessage().contains("dataset"), e.getMessage());
    }

    @Test
    void aStageWithoutTheDisentanglersModelFailsAsAnInputError(@TempDir Path dir) {
        StageInputException e = assertThrows(
                StageInputException.class,
                () -> TailNoiseInputs.require(context(dir, Map.of()), TailNoiseInputs.MODEL));
        assertTrue(e.getMessage().contains(TailNoiseInputs.MODEL), e.getMessage());
    }

    @Test
    void trainDiffusionWithoutTheCodesFailsAsAnInputError(@TempDir Path dir) {
        assertThrows(
                StageInputException.class,
                () -> new TrainDiffusionDefinition()
                        .execute(
                                new ObjectMapper().writeValueAsString(DiffusionConfig.defaults(4)),
                                context(dir, Map.of())));
    }
}
