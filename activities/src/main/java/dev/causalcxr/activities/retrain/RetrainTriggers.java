package dev.causalcxr.activities.retrain;

import dev.causalcxr.infra.datasets.DatasetCatalog;
import dev.causalcxr.infra.schedules.RetrainSchedules;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;

/**
 * When a retrain is due, and under which id: the one rule that a schedule's tick and an import's
 * {@code --then-retrain} share, so that the same new data set version never retrains the same champion twice.
 */
public final class RetrainTriggers {
    private final RetrainActivitiesImpl retrain;
    private final DatasetCatalog catalog;
    private final RetrainSchedules schedules;

    public RetrainTriggers(RetrainActivitiesImpl retrain, DatasetCatalog catalog, RetrainSchedules schedules) {
        this.retrain = retrain;
        this.catalog = catalog;
        this.schedules = schedules;
    }

    /**
     * The retrain's workflow id for a champion version and a data set version: a second start of the same pair is
     * refused by Temporal as a duplicate id, and found in {@link RetrainSchedules#trigger} after a restart.
     */
    public static String retrainId(String modelName, int championVersion, String dataset, String datasetVersion) {
        return "retrain-" + modelName + "-v" + championVersion + "-on-" + dataset + "-"
                + datasetVersion.substring(0, Math.min(12, datasetVersion.length()));
    }

    /** A retrain that may start: the champion's lineage, the new version, the id. */
    public record Due(
            RetrainActivitiesImpl.ChampionLineage lineage, DatasetCatalog.VersionRow newData, String retrainId) {
        public String modelName() {
            return lineage.champion().name();
        }

        public int championVersion() {
            return lineage.champion().version();
        }
    }

    /** A retrain that is due, or the reason none is ({@code due} null). */
    public record Check(Due due, String reason) {}

    /**
     * Whether {@code model} is due a retrain on {@code datasetName}'s newest version: that version is not in the
     * champion's training data (the version its run ingested and, for a retrained champion, that training set's
     * recorded parents), was recorded after that training data, and no retrain of this champion version on it was
     * started (by a schedule, an import's {@code --then-retrain} or {@code causalcxr retrain}).
     *
     * @throws RetrainInputException the model or alias is unknown, or its lineage is
     */
    public Check check(String model, String datasetName) {
        RetrainActivitiesImpl.ChampionLineage lineage = retrain.lineage(model);
        Optional<DatasetCatalog.VersionRow> newest = catalog.version(datasetName, null);
        if (newest.isEmpty()) {
            return new Check(null, "no version of " + datasetName + " yet");
        }
        return check(lineage, newest.get());
    }

    /** {@link #check(String, String)} for a given data set version. */
    public Check check(RetrainActivitiesImpl.ChampionLineage lineage, DatasetCatalog.VersionRow candidate) {
        DatasetCatalog.VersionRow trained = lineage.trainingData();
        String champion = lineage.champion().reference();
        String label = candidate.dataset() + "@" + candidate.version().substring(0, 12);
        if (ancestry(trained).contains(candidate.dataset() + "@" + candidate.version())) {
            return new Check(null, label + " is part of " + champion + "'s training data");
        }
        if (!candidate.createdAt().isAfter(trained.createdAt())) {
            return new Check(
                    null,
                    label + " is not newer than " + champion + "'s training data " + trained.dataset() + "@"
                            + trained.version().substring(0, 12));
        }
        String name = lineage.champion().name();
        int version = lineage.champion().version();
        Optional<RetrainSchedules.Trigger> done =
                schedules.trigger(name, version, candidate.dataset(), candidate.version());
        if (done.isPresent()) {
            return new Check(
                    null,
                    label + " was retrained against " + champion + " already ("
                            + done.get().workflowId() + ", by " + done.get().trigger() + ")");
        }
        return new Check(
                new Due(lineage, candidate, retrainId(name, version, candidate.dataset(), candidate.version())), null);
    }

    /** {@code NAME@VERSION} of a data set version and of every version it was built from, transitively. */
    private Set<String> ancestry(DatasetCatalog.VersionRow v) {
        Set<String> seen = new HashSet<>();
        Deque<String> pending = new ArrayDeque<>();
        pending.add(v.dataset() + "@" + v.version());
        while (!pending.isEmpty()) {
            String ref = pending.pop();
            if (seen.add(ref)) {
                int at = ref.indexOf('@');
                pending.addAll(catalog.parents(ref.substring(0, at), ref.substring(at + 1)));
            }
        }
        return seen;
    }
}
