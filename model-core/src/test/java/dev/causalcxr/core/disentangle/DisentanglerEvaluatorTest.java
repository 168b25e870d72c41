package dev.causalcxr.core.disentangle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import dev.causalcxr.core.dataset.Split;
import dev.causalcxr.core.findings.Finding;
import dev.causalcxr.core.findings.FindingMention;
import dev.causalcxr.core.phantom.PhantomRenderer;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

class DisentanglerEvaluatorTest {

    @Test
    void theExactReadingCountsEachRenderedFindingOnItsExactImageAndItsFalsePositivesOnTheSource() {
        DisentanglerDataset data = TinyData.small();
        Set<String> expected = new TreeSet<>();
        for (Finding f : data.vocabulary()) {
            if (PhantomRenderer.RENDERABLE.contains(f)) {
                expected.add("exact_read__" + f.key());
                expected.add("exact_read_false_positive__" + f.key());
                expected.add("exact_read_auroc__" + f.key());
            }
        }
        assertTrue(expected.size() >= 4, "the tiny cohort renders several findings: " + expected);
        expected.add("exact_read_min");
        expected.add("exact_read_mean");
        try (DisentanglerModel model =
                DisentanglerModel.create(DisentanglerConfig.tiny(), data.vocabulary(), data.size())) {
            // a head that calls every finding present reads every exact image and every source
            setHeadOutputBias(model, 200f);
            Map<String, Double> always = DisentanglerEvaluator.exactFindingReading(model, data, 5, 1);
            assertEquals(expected, always.keySet());
            // every probability is exactly 1 (0 below) in float: each pair a tie, counted half
            always.forEach((k, v) -> assertEquals(k.startsWith("exact_read_auroc") ? 0.5 : 1.0, v, 1e-12, k));
            // and one that calls none reads nothing
            setHeadOutputBias(model, -200f);
            Map<String, Double> never = DisentanglerEvaluator.exactFindingReading(model, data, 5, 1);
            assertEquals(expected, never.keySet());
            never.forEach((k, v) -> assertEquals(k.startsWith("exact_read_auroc") ? 0.5 : 0.0, v, 1e-12, k));
            // the same seed reads the same studies
            setHeadOutputBias(model, 0f);
            assertEquals(
                    DisentanglerEvaluator.exactFindingReading(model, data, 5, 1),
                    DisentanglerEvaluator.exactFindingReading(model, data, 5, 1));
        }
    }

    @Test
    void aReaderThatSeesOnlyTheAddedFindingReadsEveryExactImageAndNoSource() {
        DisentanglerDataset data = TinyData.small();
        // every exact image the reading can ask about: a test study with one renderable finding it lacks added
        Map<FloatBuffer, Finding> added = new HashMap<>();
        for (int i : data.indices(Split.TEST)) {
            DisentanglerDataset.Study s = data.studies().get(i);
            if (!s.hasGroundTruth() || !DisentanglerDataset.renderable(s.truthFindings())) {
                continue;
            }
            for (Finding f : PhantomRenderer.RENDERABLE) {
                if (s.truthFindings().stream().noneMatch(m -> m.finding() == f)) {
                    List<FindingMention> findings = new ArrayList<>(s.truthFindings());
                    findings.add(FindingMention.present(f, null, null, null));
                    added.put(
                            FloatBuffer.wrap(
                                    data.counterfactual(s, findings).image().toFloat()),
                            f);
                }
            }
        }
        // the columns in an order of their own, so a reading that assumed the vocabulary's order would miss
        List<Finding> columns = new ArrayList<>(data.vocabulary());
        Collections.reverse(columns);
        Function<List<float[]>, float[][]> oracle = images -> {
            float[][] p = new float[images.size()][columns.size()];
            for (int k = 0; k < images.size(); k++) {
                Arrays.fill(p[k], 0.1f);
                Finding f = added.get(FloatBuffer.wrap(images.get(k)));
                if (f != null) {
                    p[k][columns.indexOf(f)] = 0.9f;
                }
            }
            return p;
        };
        Map<String, Double> reading = DisentanglerEvaluator.exactFindingReading(columns, oracle, data, 5, 1);
        assertTrue(reading.size() >= 4 * 3 + 2, "several findings read: " + reading.keySet());
        reading.forEach((k, v) -> assertEquals(k.startsWith("exact_read_false_positive") ? 0.0 : 1.0, v, 1e-12, k));
    }

    @Test
    void withoutPhantomGroundTruthOrStudiesToAddTheFindingToThereIsNoReading() {
        DisentanglerDataset data = TinyData.small();
        try (DisentanglerModel model =
                DisentanglerModel.create(DisentanglerConfig.tiny(), data.vocabulary(), data.size())) {
            assertTrue(
                    DisentanglerEvaluator.exactFindingReading(model, data, 0, 1).isEmpty());
        }
    }

    /** Sets the finding head's output bias (its last bias parameter) to {@code value} for every finding. */
    private static void setHeadOutputBias(DisentanglerModel model, float value) {
        Parameter bias = null;
        for (Pair<String, Parameter> p : model.net().getParameters()) {
            if (p.getKey().contains("findingHead") && p.getKey().endsWith("bias")) {
                bias = p.getValue();
            }
        }
        assertTrue(
                bias != null,
                "the finding head has a bias: " + model.net().getParameters().keys());
        bias.getArray().muli(0).addi(value);
    }
}
