package dev.causalcxr.activities.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.causalcxr.infra.tracking.Tracker;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DatasetLineageTest {
    private static final String A = "a".repeat(64);
    private static final String B = "b".repeat(64);
    private static final String U = "c".repeat(64);

    private final Map<String, StageManifest> store = new HashMap<>();

    private String put(String digest, String stage, Map<String, String> inputs, Map<String, String> params) {
        store.put(
                digest,
                new StageManifest(
                        stage,
                        "key",
                        "{}",
                        0,
                        inputs,
                        Map.of(),
                        Map.of(),
                        Map.of("dataset_studies", 80.0),
                        params,
                        Map.of()));
        return digest;
    }

    private List<Tracker.DatasetInput> inputs(String stage, Map<String, String> inputs) {
        return DatasetLineage.inputs(new StageRequest("run", "exp", stage, "{}", 1, inputs, false, "parent"), d -> {
            StageManifest m = store.get(d);
            if (m == null) {
                throw new IllegalStateException("read " + d);
            }
            return m;
        });
    }

    @Test
    void theDiffusionModelTrainsOnTheDataSetItsDisentanglerWasTrainedOn() {
        String ingest = put("i", "ingest", Map.of(), Map.of("dataset.name", "site-a", "dataset.version", A));
        String dis = put("d", "train-disentangler", Map.of("ingest", ingest, "parse-reports", "unread"), Map.of());
        // the warm start is the model tuned, not its data: never followed
        List<Tracker.DatasetInput> in = inputs("train-diffusion", Map.of("train-disentangler", dis, "warm-start", "w"));
        assertEquals(
                List.of(new Tracker.DatasetInput("site-a", A, "training", Map.of(DatasetLineage.TAG_STUDIES, "80"))),
                in);
    }

    @Test
    void aMeasuringRunEvaluatesOnItsTestSplitInEveryStage() {
        String ingest = put(
                "i",
                "ingest",
                Map.of(),
                Map.of(
                        "dataset.name",
                        "site-b",
                        "dataset.version",
                        B,
                        DatasetLineage.CONTEXT_PARAM,
                        DatasetLineage.EVALUATION,
                        DatasetLineage.TEST_SPLIT_PARAM,
                        "t".repeat(64)));
        Tracker.DatasetInput in =
                inputs("train-disentangler", Map.of("ingest", ingest)).get(0);
        assertEquals("evaluation", in.context());
        assertEquals("t".repeat(64), in.tags().get(DatasetLineage.TAG_TEST_SPLIT));
        assertEquals(
                "evaluation",
                inputs("evaluate", Map.of("ingest", ingest)).get(0).context());
    }

    @Test
    void aUnionIsLoggedWithTheVersionsItWasBuiltFrom() {
        String parents = "site-a@" + A + ",site-b@" + B;
        String ingest = put(
                "i",
                "ingest",
                Map.of(),
                Map.of("dataset.name", "site-b-with-site-a", "dataset.version", U, "dataset.parents", parents));
        List<Tracker.DatasetInput> in = inputs("train-disentangler", Map.of("ingest", ingest));
        assertEquals(3, in.size());
        assertEquals("site-b-with-site-a", in.get(0).name());
        assertEquals(parents, in.get(0).tags().get(DatasetLineage.TAG_PARENTS));
        assertEquals(
                new Tracker.DatasetInput(
                        "site-a", A, "training", Map.of(DatasetLineage.TAG_PART_OF, "site-b-with-site-a@" + U)),
                in.get(1));
        assertEquals("site-b", in.get(2).name());
        assertEquals(B, in.get(2).version());
    }

    @Test
    void stagesThatNeitherTrainNorEvaluateHaveNoDatasetInputs() {
        String ingest = put("i", "ingest", Map.of(), Map.of("dataset.name", "site-a", "dataset.version", A));
        assertTrue(inputs("parse-reports", Map.of("ingest", ingest)).isEmpty());
        assertTrue(inputs("generate-counterfactuals", Map.of("ingest", ingest)).isEmpty());
        assertTrue(inputs("train-disentangler", Map.of()).isEmpty(), "no ingest among the inputs: nothing to log");
    }
}
