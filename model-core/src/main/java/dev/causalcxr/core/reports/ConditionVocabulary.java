package dev.causalcxr.core.reports;

import dev.causalcxr.core.findings.FindingMention;
import dev.causalcxr.core.findings.Status;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The condition vocabulary {@code parse-reports} publishes: per finding seen present, how many studies,
 * what fraction, whether it is a tail class (rarer than the spec's tail threshold), and which severities,
 * lateralities and zones the reports use for it.
 */
public final class ConditionVocabulary {
    private ConditionVocabulary() {}

    /**
     * @param predicted     each study's parsed findings; null for a study whose report failed to parse (not counted)
     * @param tailFrequency findings present in fewer than this fraction of the parsed studies are tail classes
     * @return {@code {studies, tail_frequency, findings: {label: {present, severities, lateralities, zones,
     *         frequency, tail}}}}, findings sorted by label
     */
    public static Map<String, Object> of(Map<String, List<FindingMention>> predicted, double tailFrequency) {
        long studies = predicted.values().stream().filter(Objects::nonNull).count();
        Map<String, Map<String, Object>> perFinding = new TreeMap<>();
        for (List<FindingMention> list : predicted.values()) {
            if (list == null) {
                continue;
            }
            for (FindingMention m : list) {
                if (m.status() != Status.PRESENT) {
                    continue;
                }
                Map<String, Object> f = perFinding.computeIfAbsent(m.finding().label(), k -> {
                    Map<String, Object> x = new LinkedHashMap<>();
                    x.put("present", 0L);
                    x.put("severities", new TreeSet<String>());
                    x.put("lateralities", new TreeSet<String>());
                    x.put("zones", new TreeSet<String>());
                    return x;
                });
                f.put("present", (Long) f.get("present") + 1);
                addTo(f, "severities", m.severity().label());
                addTo(f, "lateralities", m.laterality().label());
                addTo(f, "zones", m.zone().label());
            }
        }
        perFinding.values().forEach(f -> {
            double freq = studies == 0 ? 0 : (Long) f.get("present") / (double) studies;
            f.put("frequency", freq);
            f.put("tail", freq < tailFrequency);
        });
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("studies", studies);
        v.put("tail_frequency", tailFrequency);
        v.put("findings", perFinding);
        return v;
    }

    @SuppressWarnings("unchecked")
    private static void addTo(Map<String, Object> f, String key, String value) {
        ((Set<String>) f.get(key)).add(value);
    }
}
