package dev.causalcxr.core.counterfactual;

import dev.causalcxr.core.disentangle.DisentanglerDataset;
import dev.causalcxr.core.findings.Finding;
import dev.causalcxr.core.findings.FindingMention;
import dev.causalcxr.core.findings.Laterality;
import dev.causalcxr.core.findings.Severity;
import dev.causalcxr.core.findings.Zone;
import dev.causalcxr.core.imaging.GrayImage;
import dev.causalcxr.core.random.SplitMix64;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * The yardstick of within-condition diversity (issue 16, item 2): how much the exact counterfactuals of one
 * request vary on the phantom. The n samples of a request "source + finding X" should differ the way the
 * phantom's own studies showing X differ: X's extent, shape and position. So each of n exact renders keeps
 * the source's anatomy, acquisition, noise and own findings, and draws X anew: the attributes the request
 * leaves open (severity, laterality, zone) from a random study of the data set that shows X with the
 * attributes the request does fix, and its placement from a new seed. Their mean pairwise RMS distance is
 * the same statistic as the generator's diversity ({@link CounterfactualMetrics#diversity(List)}).
 */
final class PhantomVariation {

    private final DisentanglerDataset data;
    /** The findings the data set's studies really show (their phantom truth), per finding. */
    private final Map<Finding, List<FindingMention>> shown = new EnumMap<>(Finding.class);

    PhantomVariation(DisentanglerDataset data) {
        this.data = data;
        for (DisentanglerDataset.Study s : data.studies()) {
            if (s.hasGroundTruth()) {
                for (FindingMention m : s.truthFindings()) {
                    shown.computeIfAbsent(m.finding(), f -> new ArrayList<>()).add(m);
                }
            }
        }
    }

    /**
     * n exact renders of {@code source} showing {@code drawn}, with the mention of {@code target} among them
     * drawn anew in each.
     */
    List<GrayImage> renders(
            DisentanglerDataset.Study source, List<FindingMention> drawn, Finding target, int n, long seed) {
        List<GrayImage> out = new ArrayList<>(n);
        for (int k = 0; k < n; k++) {
            SplitMix64 r = new SplitMix64(SplitMix64.derive(seed, 0xD1E, k));
            List<FindingMention> findings = new ArrayList<>(drawn.size());
            for (FindingMention m : drawn) {
                findings.add(m.finding() == target ? realize(m, shown.getOrDefault(target, List.of()), r) : m);
            }
            out.add(data.counterfactual(source, findings, Map.of(target, r.nextLong()))
                    .image());
        }
        return out;
    }

    /**
     * The requested mention with what it leaves open taken from one of {@code shown} that agrees with what it
     * fixes (the request as it is when none does).
     */
    static FindingMention realize(FindingMention requested, List<FindingMention> shown, SplitMix64 r) {
        List<FindingMention> agreeing = new ArrayList<>();
        for (FindingMention m : shown) {
            if (agrees(requested.severity(), m.severity(), Severity.UNSPECIFIED)
                    && agrees(requested.laterality(), m.laterality(), Laterality.UNSPECIFIED)
                    && agrees(requested.zone(), m.zone(), Zone.UNSPECIFIED)) {
                agreeing.add(m);
            }
        }
        if (agreeing.isEmpty()) {
            return requested;
        }
        FindingMention like = agreeing.get(r.nextInt(agreeing.size()));
        return new FindingMention(
                requested.finding(),
                requested.status(),
                requested.severity() == Severity.UNSPECIFIED ? like.severity() : requested.severity(),
                requested.laterality() == Laterality.UNSPECIFIED ? like.laterality() : requested.laterality(),
                requested.zone() == Zone.UNSPECIFIED ? like.zone() : requested.zone());
    }

    private static <T> boolean agrees(T requested, T shown, T open) {
        return requested == open || requested == shown;
    }
}
