package dev.causalcxr.core.diffusion.tailnoise;

import dev.causalcxr.core.diffusion.Condition;
import dev.causalcxr.core.diffusion.DiffusionTraining;
import dev.causalcxr.core.findings.Finding;
import java.util.List;
import java.util.Map;

/** Which findings are tail classes of a training split. */
public final class TailClasses {

    private TailClasses() {}

    /**
     * Findings present in at least one training study but in fewer than {@code maxFrequency} of them
     * (a fraction in (0, 1]), rarest first. Findings never present cannot be generated and are not listed.
     */
    public static List<Finding> select(List<Condition> trainingConditions, double maxFrequency) {
        if (!(maxFrequency > 0 && maxFrequency <= 1)) {
            throw new IllegalArgumentException("tail frequency threshold must be in (0, 1], got " + maxFrequency);
        }
        if (trainingConditions.isEmpty()) {
            throw new IllegalArgumentException("no training studies");
        }
        Map<Finding, Integer> counts = DiffusionTraining.findingCounts(trainingConditions);
        double n = trainingConditions.size();
        return counts.entrySet().stream()
                .filter(e -> e.getValue() / n < maxFrequency)
                .sorted(Map.Entry.<Finding, Integer>comparingByValue().thenComparing(Map.Entry.comparingByKey()))
                .map(Map.Entry::getKey)
                .toList();
    }
}
