package dev.causalcxr.core.diffusion;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.causalcxr.core.findings.Finding;
import dev.causalcxr.core.findings.FindingMention;
import dev.causalcxr.core.findings.Laterality;
import dev.causalcxr.core.findings.Severity;
import dev.causalcxr.core.stage.RecordingStageContext;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Severity, laterality and combinations of findings reach the samples, not just the finding. */
class AttributeConditioningTest {
    static final int DIM = 6;

    @BeforeAll
    static void oneThread() {
        SingleThreadedEngine.request();
    }

    /** The code: dim 0 = effusion severity, dim 1 = side (−1 left, +1 right), dim 2 = edema present. */
    static float[] centre(Condition c) {
        float[] x = new float[DIM];
        for (FindingMention m : c.present()) {
            if (m.finding() == Finding.PLEURAL_EFFUSION) {
                x[0] = m.severity() == Severity.SEVERE ? 4f : 1f;
                x[1] = m.laterality() == Laterality.RIGHT ? 2f : -2f;
            } else if (m.finding() == Finding.EDEMA) {
                x[2] = 3f;
            }
        }
        return x;
    }

    /** Effusions of either severity on either side, each stated. */
    static List<Condition> effusions() {
        return List.of(
                Condition.parse("mild left pleural effusion"),
                Condition.parse("severe left pleural effusion"),
                Condition.parse("mild right pleural effusion"),
                Condition.parse("severe right pleural effusion"));
    }

    /** 600 codes around the kinds' centres (0.2 noise), trained on at 800 steps with this attribute dropout. */
    static DiffusionModel trainOn(List<Condition> kinds, long dataSeed, float attributeDropout, Path dir) {
        SplittableRandom rng = new SplittableRandom(dataSeed);
        List<Condition> conditions = new ArrayList<>();
        List<float[]> codes = new ArrayList<>();
        for (int i = 0; i < 600; i++) {
            Condition c = kinds.get(i % kinds.size());
            float[] x = centre(c);
            for (int k = 0; k < DIM; k++) {
                x[k] += 0.2f * (float) rng.nextGaussian();
            }
            conditions.add(c);
            codes.add(x);
        }
        RecordingStageContext ctx = new RecordingStageContext(dir, 4);
        DiffusionTraining.runWithConditions(
                new DiffusionConfig(DIM, 64, 2, 16, 100, 800, 64, 3e-3f, 0.15f, 5L, 0, 100, "cpu", attributeDropout),
                codes.toArray(new float[0][]),
                conditions,
                ctx);
        return DiffusionModel.load(ctx.output(DiffusionTraining.OUTPUT_MODEL));
    }

    /** At least 17 of 20 samples of each kind lie nearest that kind's own centre. */
    static void assertEachKindNearestItsOwnCentre(DiffusionModel model, List<Condition> kinds) {
        for (Condition c : kinds) {
            float[][] samples = model.sample(c, 20, 11, 2f, 25, 0f);
            int nearestOwn = 0;
            for (float[] s : samples) {
                Condition best = kinds.get(0);
                for (Condition other : kinds) {
                    if (ToyCodes.distance(s, centre(other)) < ToyCodes.distance(s, centre(best))) {
                        best = other;
                    }
                }
                nearestOwn += best.equals(c) ? 1 : 0;
            }
            assertTrue(nearestOwn >= 17, c.describe() + ": " + nearestOwn + "/20 samples nearest their own centre");
        }
    }

    @Test
    void severityLateralityAndCombinationsShapeTheSamples(@TempDir Path dir) {
        List<Condition> kinds = new ArrayList<>(effusions());
        kinds.add(Condition.parse("pulmonary edema"));
        kinds.add(Condition.parse("mild right pleural effusion and pulmonary edema"));
        try (DiffusionModel model = trainOn(kinds, 3, 0f, dir)) {
            assertEachKindNearestItsOwnCentre(model, kinds);
        }
    }

    /**
     * Trained with attribute dropout on effusions whose reports always state severity and side, the model reads
     * "pleural effusion" with both left open as the data's mixture: its samples take both sides and both severities,
     * while the stated conditions still land on their own centres.
     */
    @Test
    void attributeDropoutLetsAnOpenRequestDrawTheAttributesAsTheDataDoes(@TempDir Path dir) {
        List<Condition> kinds = effusions();
        try (DiffusionModel model = trainOn(kinds, 5, 0.5f, dir)) {
            float[][] open = model.sample(Condition.of(Finding.PLEURAL_EFFUSION), 40, 11, 2f, 25, 0f);
            int right = 0;
            int severe = 0;
            for (float[] s : open) {
                right += s[1] > 0f ? 1 : 0;
                severe += s[0] > 2.5f ? 1 : 0;
            }
            assertTrue(right >= 8 && right <= 32, right + "/40 open-request samples on the right side");
            assertTrue(severe >= 8 && severe <= 32, severe + "/40 open-request samples severe");
            assertEachKindNearestItsOwnCentre(model, kinds);
        }
    }
}
