package dev.causalcxr.activities.runner;

import dev.causalcxr.infra.metadata.PipelineJournal;
import dev.causalcxr.infra.objectstore.ObjectStore;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/**
 * Compares the outputs of two pipeline runs stage by stage, by content digest: is a rerun from
 * scratch bit-identical to an earlier run, and if not, which stage differs first. Outputs are what
 * later stages and the registered model read; artifacts (pictures, tables) are compared too.
 * Metrics are not: some of them are wall-clock times.
 */
public final class RunVerification {

    /** One stage of the later run against the same stage of the earlier run. */
    public record StageComparison(
            String stage,
            boolean inEarlierRun,
            List<String> differingOutputs,
            List<String> differingArtifacts,
            int outputs) {
        public boolean identical() {
            return inEarlierRun && differingOutputs.isEmpty() && differingArtifacts.isEmpty();
        }
    }

    /** Every stage of the later run, in run order, and the first that is not identical. */
    public record Result(List<StageComparison> stages) {
        public Optional<StageComparison> firstDifference() {
            return stages.stream().filter(s -> !s.identical()).findFirst();
        }
    }

    private RunVerification() {}

    /**
     * @throws IllegalArgumentException when either run is unknown or has no succeeded stage
     */
    public static Result compare(PipelineJournal journal, ObjectStore store, String earlierRunId, String laterRunId) {
        Map<String, String> earlier = succeededManifests(journal, earlierRunId);
        Map<String, String> later = succeededManifests(journal, laterRunId);
        List<StageComparison> out = new ArrayList<>();
        for (Map.Entry<String, String> stage : later.entrySet()) {
            String before = earlier.get(stage.getKey());
            StageManifest now = store.readJson(stage.getValue(), StageManifest.class);
            if (before == null) {
                out.add(new StageComparison(
                        stage.getKey(),
                        false,
                        List.of(),
                        List.of(),
                        now.outputs().size()));
                continue;
            }
            StageManifest then = store.readJson(before, StageManifest.class);
            out.add(new StageComparison(
                    stage.getKey(),
                    true,
                    differing(then.outputs(), now.outputs()),
                    differing(then.artifacts(), now.artifacts()),
                    now.outputs().size()));
        }
        return new Result(out);
    }

    private static Map<String, String> succeededManifests(PipelineJournal journal, String runId) {
        if (journal.pipelineRun(runId).isEmpty()) {
            throw new IllegalArgumentException("no run " + runId + " in this data folder (see `causalcxr status`)");
        }
        Map<String, String> manifests = new LinkedHashMap<>();
        for (PipelineJournal.StageRunRow row : journal.stageRuns(runId)) {
            if ("succeeded".equals(row.status()) && row.outputManifestDigest() != null) {
                manifests.put(row.stage(), row.outputManifestDigest());
            }
        }
        if (manifests.isEmpty()) {
            throw new IllegalArgumentException("run " + runId + " has no succeeded stage to compare");
        }
        return manifests;
    }

    private static List<String> differing(Map<String, StageManifest.Entry> a, Map<String, StageManifest.Entry> b) {
        TreeSet<String> all = new TreeSet<>(a.keySet());
        all.addAll(b.keySet());
        List<String> names = new ArrayList<>();
        for (String name : all) {
            StageManifest.Entry x = a.get(name);
            StageManifest.Entry y = b.get(name);
            if (x == null || y == null || !x.digest().equals(y.digest())) {
                names.add(name);
            }
        }
        return names;
    }
}
