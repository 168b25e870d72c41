package dev.causalcxr.activities.runner;

import dev.causalcxr.core.spec.StageName;
import dev.causalcxr.infra.tracking.Tracker;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * The data set versions a stage run trains or evaluates on, as MLflow dataset inputs: read from the ingest stage's
 * manifest that the stage's inputs lead to (directly, or through the stage it reads, as the diffusion model reads
 * the disentangler's codes). Only the catalogue's names, digests and counts: nothing that identifies a study.
 */
public final class DatasetLineage {
    public static final String TRAINING = "training";
    public static final String EVALUATION = "evaluation";
    /** Ingest manifest param: the catalogue name of the data set (written by the ingest stage and by retrains). */
    public static final String NAME_PARAM = "dataset.name";
    /** Ingest manifest param: the catalogue version digest. */
    public static final String VERSION_PARAM = "dataset.version";
    /** Ingest manifest param: the versions a union was built from, {@code NAME@VERSION} comma-separated. */
    public static final String PARENTS_PARAM = "dataset.parents";
    /**
     * Ingest manifest param of a retrain's measuring run: {@value #EVALUATION}, for every stage of the run (its trained
     * stages resume at their last step and only measure).
     */
    public static final String CONTEXT_PARAM = "dataset.context";
    /** Ingest manifest param of a retrain's measuring run: the digest of the frozen test split it measures on. */
    public static final String TEST_SPLIT_PARAM = "dataset.test_split";

    /** Input tags besides MLflow's context. */
    public static final String TAG_STUDIES = "causalcxr.dataset.studies";

    public static final String TAG_PARENTS = "causalcxr.dataset.parents";
    public static final String TAG_PART_OF = "causalcxr.dataset.part_of";
    public static final String TAG_TEST_SPLIT = "causalcxr.test_split_digest";

    private DatasetLineage() {}

    /** What a stage does with its data: the training stages train, the evaluation evaluates, the others neither. */
    public static Optional<String> stageContext(String stage) {
        return StageName.fromLabel(stage).flatMap(s -> switch (s) {
            case TRAIN_DISENTANGLER, TRAIN_DIFFUSION, OPTIMIZE_TAIL_NOISE -> Optional.of(TRAINING);
            case EVALUATE -> Optional.of(EVALUATION);
            default -> Optional.empty();
        });
    }

    /**
     * The dataset inputs of a stage run: none for a stage that neither trains nor evaluates, or whose inputs lead to
     * no ingest manifest; otherwise the data set version, and for a union each version it was built from.
     *
     * @param manifests reads a stage manifest by digest
     */
    public static List<Tracker.DatasetInput> inputs(StageRequest req, Function<String, StageManifest> manifests) {
        Optional<String> stageContext = stageContext(req.stage());
        if (stageContext.isEmpty()) {
            return List.of();
        }
        StageManifest ingest = ingestManifest(req.inputs(), manifests);
        if (ingest == null || ingest.params() == null) {
            return List.of();
        }
        Map<String, String> params = ingest.params();
        String name = params.get(NAME_PARAM);
        String version = params.get(VERSION_PARAM);
        if (name == null || version == null) {
            return List.of();
        }
        String context = EVALUATION.equals(params.get(CONTEXT_PARAM)) ? EVALUATION : stageContext.get();
        Map<String, String> tags = new TreeMap<>();
        Double studies = ingest.metrics() == null ? null : ingest.metrics().get("dataset_studies");
        if (studies != null) {
            tags.put(TAG_STUDIES, String.valueOf(studies.longValue()));
        }
        if (params.get(TEST_SPLIT_PARAM) != null) {
            tags.put(TAG_TEST_SPLIT, params.get(TEST_SPLIT_PARAM));
        }
        String parents = params.get(PARENTS_PARAM);
        if (parents != null && !parents.isBlank()) {
            tags.put(TAG_PARENTS, parents);
        }
        List<Tracker.DatasetInput> out = new ArrayList<>();
        out.add(new Tracker.DatasetInput(name, version, context, tags));
        if (parents != null) {
            for (String p : parents.split(",")) {
                int at = p.trim().lastIndexOf('@');
                if (at > 0) {
                    String ref = p.trim();
                    out.add(new Tracker.DatasetInput(
                            ref.substring(0, at),
                            ref.substring(at + 1),
                            context,
                            Map.of(TAG_PART_OF, name + "@" + version)));
                }
            }
        }
        return out;
    }

    /** The ingest manifest the inputs lead to, breadth first (the nearest); null when none does. */
    private static StageManifest ingestManifest(Map<String, String> inputs, Function<String, StageManifest> manifests) {
        Deque<Map<String, String>> queue = new ArrayDeque<>();
        Set<String> seen = new HashSet<>();
        queue.add(inputs == null ? Map.of() : inputs);
        while (!queue.isEmpty()) {
            Map<String, String> level = new TreeMap<>(queue.poll());
            String ingest = level.get(StageName.INGEST.label());
            if (ingest != null) {
                return manifests.apply(ingest);
            }
            for (Map.Entry<String, String> in : level.entrySet()) {
                // a warm start is the model fine-tuned, not the data it is tuned on
                if (in.getValue() == null || WarmStart.INPUT.equals(in.getKey()) || !seen.add(in.getValue())) {
                    continue;
                }
                StageManifest m = manifests.apply(in.getValue());
                if (m.inputs() != null) {
                    queue.add(m.inputs());
                }
            }
        }
        return null;
    }
}
