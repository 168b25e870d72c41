package dev.causalcxr.cli.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.causalcxr.activities.pipeline.ModelComponents;
import dev.causalcxr.core.counterfactual.Composition;
import dev.causalcxr.infra.registry.ModelVersion;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RegisteredGeneratorsTest {

    private static ModelVersion recording(Map<String, String> provenance) {
        return new ModelVersion("m", 3, "d", Map.of(), provenance, Map.of(), List.of(), Instant.EPOCH, null);
    }

    @Test
    void aVersionComposesAsItsRunRecordedAndResiduallyWhenItRecordsNothing() {
        ModelVersion localized = recording(Map.of(
                ModelComponents.COMPOSITION, "localized", ModelComponents.COMPOSITION_LOCALIZE_THRESHOLD, "0.45"));
        assertEquals(Composition.LOCALIZED, RegisteredGenerators.recordedComposition(localized));
        assertEquals(0.45, RegisteredGenerators.recordedLocalizeThreshold(localized));
        ModelVersion old = recording(Map.of());
        assertEquals(Composition.RESIDUAL, RegisteredGenerators.recordedComposition(old));
        assertEquals(Composition.DEFAULT_LOCALIZE_THRESHOLD, RegisteredGenerators.recordedLocalizeThreshold(old));
    }

    @Test
    void anUnknownCompositionOrAThresholdOutsideTheUnitIntervalIsReportedWithTheVersion() {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> RegisteredGenerators.recordedComposition(
                        recording(Map.of(ModelComponents.COMPOSITION, "blended"))));
        assertTrue(e.getMessage().contains("m@3") && e.getMessage().contains("blended"), e.getMessage());
        for (String bad : List.of("0", "1.5", "half")) {
            e = assertThrows(
                    IllegalArgumentException.class,
                    () -> RegisteredGenerators.recordedLocalizeThreshold(
                            recording(Map.of(ModelComponents.COMPOSITION_LOCALIZE_THRESHOLD, bad))));
            assertTrue(e.getMessage().contains("m@3"), e.getMessage());
        }
    }
}
