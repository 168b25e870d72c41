package dev.causalcxr.core.evaluation;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ArmComparisonsTest {

    private static Map<String, Object> arms(String... names) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (String n : names) {
            m.put(n, n);
        }
        return m;
    }

    @Test
    void theOptimizedPriorsAreComparedWithPlainNoiseWhereBothArmsRan() {
        Map<String, String[]> all = DownstreamEvaluation.armComparisons(arms(
                DownstreamEvaluation.REAL,
                DownstreamEvaluation.AUGMENTED,
                DownstreamEvaluation.AUGMENTED_PLAIN,
                DownstreamEvaluation.ORACLE,
                DownstreamEvaluation.ORACLE_CODES));
        assertEquals(
                List.of(
                        DownstreamEvaluation.OPTIMIZED_VS_PLAIN,
                        DownstreamEvaluation.GENERATOR_VS_ORACLE,
                        DownstreamEvaluation.GENERATOR_VS_CODE_ORACLE,
                        DownstreamEvaluation.CODE_ORACLE_VS_ORACLE),
                List.copyOf(all.keySet()));
        // compared − base: augmented − augmented_plain
        assertArrayEquals(
                new String[] {DownstreamEvaluation.AUGMENTED_PLAIN, DownstreamEvaluation.AUGMENTED},
                all.get(DownstreamEvaluation.OPTIMIZED_VS_PLAIN));
    }

    @Test
    void withoutThePlainArmThereIsNoNoiseOptimizationComparison() {
        assertEquals(
                List.of(),
                List.copyOf(DownstreamEvaluation.armComparisons(
                                arms(DownstreamEvaluation.REAL, DownstreamEvaluation.AUGMENTED))
                        .keySet()));
    }
}
