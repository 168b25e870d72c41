package dev.causalcxr.core.metrics.classification;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ProportionIntervalTest {

    /** Newcombe (1998), Statistics in Medicine 17:857, table I, method 3 (Wilson score, no continuity correction). */
    @Test
    void matchesNewcombesPublishedWilsonIntervals() {
        assertInterval(0.2553, 0.3662, ProportionInterval.wilson95(81, 263));
        assertInterval(0.0624, 0.1605, ProportionInterval.wilson95(15, 148));
        assertInterval(0.0000, 0.1611, ProportionInterval.wilson95(0, 20));
        assertInterval(0.0061, 0.1718, ProportionInterval.wilson95(1, 29));
    }

    @Test
    void aPerfectScoreOnFewCasesIsFarFromCertain() {
        ProportionInterval six = ProportionInterval.wilson95(6, 6);
        assertEquals(1.0, six.high());
        assertEquals(0.6097, six.low(), 5e-5);
        assertTrue(ProportionInterval.wilson95(600, 600).low() > 0.99);
    }

    @Test
    void noTrialsHaveNoInterval() {
        ProportionInterval none = ProportionInterval.wilson95(0, 0);
        assertTrue(Double.isNaN(none.low()) && Double.isNaN(none.high()));
    }

    @Test
    void impossibleCountsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> ProportionInterval.wilson95(3, 2));
        assertThrows(IllegalArgumentException.class, () -> ProportionInterval.wilson95(-1, 2));
    }

    private static void assertInterval(double low, double high, ProportionInterval actual) {
        assertEquals(low, actual.low(), 5e-5, "low");
        assertEquals(high, actual.high(), 5e-5, "high");
    }
}
