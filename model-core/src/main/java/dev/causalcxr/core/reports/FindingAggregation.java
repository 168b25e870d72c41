package dev.causalcxr.core.reports;

import dev.causalcxr.core.findings.Finding;
import dev.causalcxr.core.findings.FindingMention;
import dev.causalcxr.core.findings.Laterality;
import dev.causalcxr.core.findings.Severity;
import dev.causalcxr.core.findings.Status;
import dev.causalcxr.core.findings.Zone;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Report-level aggregation of sentence-level mentions, shared by every extractor so that their
 * outputs follow the same rules:
 * <ul>
 *   <li>per finding, present beats uncertain beats absent;</li>
 *   <li>the attributes come from the mentions with the winning status: laterality is their union
 *       (left and right make bilateral), severity the strongest stated, zone the one stated
 *       (unspecified when they name different zones);</li>
 *   <li>{@code No Finding} is present when no finding other than Support Devices is present or
 *       uncertain; it is not listed otherwise.</li>
 * </ul>
 */
public final class FindingAggregation {

    private FindingAggregation() {}

    public static List<FindingMention> aggregate(List<FindingMention> mentions) {
        Map<Finding, List<FindingMention>> byFinding = new EnumMap<>(Finding.class);
        for (FindingMention m : mentions) {
            if (m.finding() != Finding.NO_FINDING) {
                byFinding.computeIfAbsent(m.finding(), f -> new ArrayList<>()).add(m);
            }
        }
        List<FindingMention> out = new ArrayList<>(byFinding.size() + 1);
        boolean anyPathology = false;
        for (Map.Entry<Finding, List<FindingMention>> e : byFinding.entrySet()) {
            FindingMention merged = merge(e.getKey(), e.getValue());
            out.add(merged);
            if (merged.finding() != Finding.SUPPORT_DEVICES && merged.status() != Status.ABSENT) {
                anyPathology = true;
            }
        }
        if (!anyPathology) {
            out.add(
                    0,
                    FindingMention.present(
                            Finding.NO_FINDING, Severity.UNSPECIFIED, Laterality.UNSPECIFIED, Zone.UNSPECIFIED));
        }
        return out;
    }

    private static FindingMention merge(Finding finding, List<FindingMention> mentions) {
        Status winner = Status.ABSENT;
        for (FindingMention m : mentions) {
            if (rank(m.status()) > rank(winner)) {
                winner = m.status();
            }
        }
        MentionAttributes attributes = new MentionAttributes();
        for (FindingMention m : mentions) {
            if (m.status() == winner) {
                attributes.add(m.severity(), m.laterality(), m.zone());
            }
        }
        return new FindingMention(finding, winner, attributes.severity(), attributes.laterality(), attributes.zone());
    }

    private static int rank(Status s) {
        return switch (s) {
            case ABSENT -> 0;
            case UNCERTAIN -> 1;
            case PRESENT -> 2;
        };
    }
}
