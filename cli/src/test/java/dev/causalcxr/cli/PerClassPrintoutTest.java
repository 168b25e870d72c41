package dev.causalcxr.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PerClassPrintoutTest {

    private static List<String> printed(Map<String, Double> metrics) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream ps = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        LocalPipeline.printPerClass(metrics, new ConsoleOutput(ps, ps, false));
        return bytes.toString(StandardCharsets.UTF_8).lines().toList();
    }

    @Test
    void eachClassIsPrintedBesideTheJudgesReadingOfTheExactCounterfactualsAndThePhantomsVariation() {
        List<String> lines = printed(Map.of(
                "cf_effectiveness_judge__fracture", 0.25,
                "cf_effectiveness_truth_judge__fracture", 0.5,
                "cf_diversity__fracture", 0.03,
                "cf_diversity_truth__fracture", 0.002,
                "cf_effectiveness_judge__mass", 0.875,
                "cf_effectiveness_judge", 0.6));
        assertEquals(3, lines.size(), String.join("\n", lines));
        assertTrue(lines.get(0).contains("counterfactuals per class (judge)"), lines.get(0));
        assertEquals(
                List.of("fracture", "0.2500", "0.5000", "15.00"),
                List.of(lines.get(1).trim().split("\\s+")));
        // a run without ground truth has neither the exact reading nor the phantom's variation
        assertEquals(
                List.of("mass", "0.8750", "NaN", "NaN"),
                List.of(lines.get(2).trim().split("\\s+")));
    }

    @Test
    void aRunWithoutAJudgePrintsNoPerClassBlock() {
        assertTrue(printed(Map.of("cf_effectiveness__mass", 1.0, "cf_diversity__mass", 0.01))
                .isEmpty());
    }
}
