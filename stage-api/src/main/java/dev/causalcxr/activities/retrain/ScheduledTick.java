package dev.causalcxr.activities.retrain;

/**
 * What a schedule's tick found.
 *
 * @param start           the retrain to start, its id derived from the champion version and the data set version
 *                        ({@code RetrainTriggers.retrainId}); null when there is nothing to do
 * @param modelName       the champion's model name (with {@code start})
 * @param championVersion the champion's version (with {@code start})
 * @param datasetVersion  the new data set version, full digest (with {@code start})
 * @param outcome         one line: what was found, and why nothing starts when nothing does
 * @param gone            the schedule was deleted: the workflow ends
 */
public record ScheduledTick(
        RetrainRequest start,
        String modelName,
        int championVersion,
        String datasetVersion,
        String outcome,
        boolean gone) {

    public static ScheduledTick nothing(String outcome) {
        return new ScheduledTick(null, null, 0, null, outcome, false);
    }
}
