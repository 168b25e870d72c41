package dev.causalcxr.activities.stages;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.causalcxr.activities.runner.StageDefinition;
import dev.causalcxr.core.provenance.CodeFingerprint;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * A stage's cache key holds the fingerprint of the code it can reach, so what it reaches decides which edits rerun
 * it. A config that named the experiment spec reached every stage's config, and through the counterfactual config
 * the generator and the disentangler's model: a field added to the counterfactual stage retrained the disentangler.
 */
class StageCodeReachTest {

    private static final String SPEC = "dev/causalcxr/core/spec/ExperimentSpec";
    private static final String DISENTANGLER_CONFIG = "dev/causalcxr/core/disentangle/DisentanglerConfig";
    private static final String COUNTERFACTUAL_CONFIG = "dev/causalcxr/core/counterfactual/CounterfactualConfig";
    private static final String GENERATOR = "dev/causalcxr/core/counterfactual/CounterfactualGenerator";

    /** The project classes the fingerprint of {@code stage} covers. */
    private static Set<String> reached(Class<? extends StageDefinition> stage) {
        Set<String> read = new TreeSet<>();
        CodeFingerprint.ClassBytes running = CodeFingerprint.ClassBytes.of(StageCodeReachTest.class.getClassLoader());
        CodeFingerprint code = new CodeFingerprint(name -> {
            byte[] bytes = running.read(name);
            if (bytes != null) {
                read.add(name);
            }
            return bytes;
        });
        code.of(stage);
        return read;
    }

    @Test
    void noStageReachesTheSpecThatHoldsEveryStagesConfig() {
        for (Class<? extends StageDefinition> stage : List.of(
                IngestDefinition.class,
                ParseReportsDefinition.class,
                TrainDisentanglerDefinition.class,
                TrainDiffusionDefinition.class,
                OptimizeTailNoiseDefinition.class,
                OptimizeTailNoiseClassDefinition.class,
                GenerateCounterfactualsDefinition.class,
                EvaluateDefinition.class)) {
            Set<String> reached = reached(stage);
            assertTrue(reached.size() > 10, stage.getSimpleName() + " reaches " + reached.size() + " classes");
            assertFalse(reached.contains(SPEC), stage.getSimpleName() + " reaches the experiment spec");
        }
    }

    @Test
    void theStagesBeforeTheGeneratorDoNotReachItOrItsConfig() {
        for (Class<? extends StageDefinition> stage :
                List.of(IngestDefinition.class, ParseReportsDefinition.class, TrainDisentanglerDefinition.class)) {
            Set<String> reached = reached(stage);
            assertFalse(
                    reached.contains(COUNTERFACTUAL_CONFIG),
                    stage.getSimpleName() + " reaches " + COUNTERFACTUAL_CONFIG);
            assertFalse(reached.contains(GENERATOR), stage.getSimpleName() + " reaches " + GENERATOR);
        }
        assertFalse(
                reached(ParseReportsDefinition.class).contains(DISENTANGLER_CONFIG),
                "parsing reaches the disentangler");
        assertTrue(
                reached(TrainDisentanglerDefinition.class).contains(DISENTANGLER_CONFIG), "the walk follows configs");
        assertTrue(
                reached(GenerateCounterfactualsDefinition.class).contains(GENERATOR), "the walk reaches the generator");
    }
}
