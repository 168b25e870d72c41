package dev.causalcxr.core.counterfactual;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.causalcxr.core.findings.Finding;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class OffTargetTest {

    private static final List<Finding> READER =
            List.of(Finding.MASS, Finding.NODULE, Finding.PLEURAL_EFFUSION, Finding.NO_FINDING);

    private static CounterfactualMetrics.Pair adding(Finding f) {
        return new CounterfactualMetrics.Pair(0, f.key(), f, Set.of(), null);
    }

    @Test
    void aRequestThatRaisesAFindingItDidNotAskForIsAmplification() {
        // mass asked for and drawn; nodule rises from 0.1 to 0.7 along with it, effusion stays
        CounterfactualMetrics.OffTarget o = CounterfactualMetrics.OffTarget.of(
                READER, adding(Finding.MASS), new float[] {0.1f, 0.1f, 0.2f, 0.9f}, new float[] {0.9f, 0.7f, 0.2f, 0.1f
                });
        assertEquals(0.6, o.largestRise(), 1e-6);
        assertEquals(0.5, o.flips(), 1e-9, "nodule flips, effusion does not");
        assertEquals(0.3, o.meanAbsoluteChange(), 1e-6);
    }

    @Test
    void onlyTheFindingAskedForChangingIsNoAmplification() {
        // the target and "No Finding" move as a request should; nothing else does, or it falls
        CounterfactualMetrics.OffTarget o = CounterfactualMetrics.OffTarget.of(
                READER, adding(Finding.MASS), new float[] {0.1f, 0.3f, 0.6f, 0.9f}, new float[] {
                    0.95f, 0.3f, 0.6f, 0.05f
                });
        assertEquals(0.0, o.largestRise(), 0.0);
        assertEquals(0.0, o.flips(), 0.0);
        assertEquals(0.0, o.meanAbsoluteChange(), 1e-7);
        CounterfactualMetrics.OffTarget falling = CounterfactualMetrics.OffTarget.of(
                READER, adding(Finding.MASS), new float[] {0.1f, 0.3f, 0.6f, 0.9f}, new float[] {
                    0.95f, 0.1f, 0.4f, 0.05f
                });
        assertEquals(0.0, falling.largestRise(), 0.0, "nothing rose");
        assertEquals(0.5, falling.flips(), 1e-9, "effusion's decision flipped to absent");
        assertEquals(0.2, falling.meanAbsoluteChange(), 1e-6);
    }

    @Test
    void aRemovalMayChangeTheFindingsItRemovesButNotTheOthers() {
        CounterfactualMetrics.Pair removal = new CounterfactualMetrics.Pair(
                0, CounterfactualMetrics.REMOVAL_CLASS, null, Set.of(Finding.PLEURAL_EFFUSION), null);
        CounterfactualMetrics.OffTarget o = CounterfactualMetrics.OffTarget.of(
                READER, removal, new float[] {0.1f, 0.1f, 0.9f, 0.1f}, new float[] {0.1f, 0.4f, 0.05f, 0.9f});
        assertEquals(0.3, o.largestRise(), 1e-6, "nodule, not effusion");
        assertEquals(0.0, o.flips(), 0.0);
        assertEquals(0.15, o.meanAbsoluteChange(), 1e-6, "over mass and nodule");
    }

    @Test
    void theMatrixKeepsEachOtherFindingsMeanChange() {
        java.util.Map<Finding, double[]> cells = new java.util.TreeMap<>();
        CounterfactualMetrics.Pair mass = adding(Finding.MASS);
        float[] source = {0.1f, 0.1f, 0.2f, 0.9f};
        CounterfactualMetrics.OffTarget.accumulate(READER, mass, source, new float[] {0.9f, 0.7f, 0.2f, 0.1f}, cells);
        CounterfactualMetrics.OffTarget.accumulate(READER, mass, source, new float[] {0.9f, 0.3f, 0.0f, 0.1f}, cells);
        assertEquals(java.util.Set.of(Finding.NODULE, Finding.PLEURAL_EFFUSION), cells.keySet());
        assertEquals(0.4, cells.get(Finding.NODULE)[0] / cells.get(Finding.NODULE)[1], 1e-6, "(0.6 + 0.2) / 2");
        assertEquals(-0.1, cells.get(Finding.PLEURAL_EFFUSION)[0] / 2, 1e-6);
    }

    @Test
    void aReaderThatPredictsNothingElseCannotTell() {
        CounterfactualMetrics.OffTarget o = CounterfactualMetrics.OffTarget.of(
                List.of(Finding.MASS), adding(Finding.MASS), new float[] {0.1f}, new float[] {0.9f});
        assertTrue(Double.isNaN(o.largestRise()));
        assertTrue(Double.isNaN(o.flips()));
        assertTrue(Double.isNaN(o.meanAbsoluteChange()));
    }
}
