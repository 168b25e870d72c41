package dev.causalcxr.core.labels;

import dev.causalcxr.core.findings.Finding;
import dev.causalcxr.core.findings.FindingMention;
import dev.causalcxr.core.findings.Laterality;
import dev.causalcxr.core.findings.Severity;
import dev.causalcxr.core.findings.Zone;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * How far two label sources agree on the same studies: the label noise a generator trained on one of
 * them carries, measured against the other. Only studies that both sources label count.
 *
 * <p>Per finding (any finding either source names present): a 2 × 2 table of presence, its raw
 * agreement and Cohen's κ. Per attribute (severity, laterality, zone): among the (study, finding)
 * cells both call present and the reference ({@code b}) states the attribute, how often {@code a}
 * states the same value; NaN where the reference never states it (label columns have no attributes).
 *
 * @param a         the labels under test (e.g. the parser's)
 * @param b         the reference (e.g. the phantom truth)
 * @param studies   studies both sources label
 * @param findings  per finding, in {@link Finding} order
 * @param severity  severity agreement where both call a finding present
 * @param laterality laterality agreement
 * @param zone      zone agreement
 */
public record LabelAgreement(
        LabelSource a,
        LabelSource b,
        int studies,
        List<FindingAgreement> findings,
        AttributeAgreement severity,
        AttributeAgreement laterality,
        AttributeAgreement zone) {

    /**
     * Presence of one finding in both sources.
     *
     * @param both   studies both call it present
     * @param onlyA  present in {@code a} only (for the parser against the truth: a false positive)
     * @param onlyB  present in {@code b} only (a miss)
     * @param neither present in neither
     */
    public record FindingAgreement(Finding finding, int both, int onlyA, int onlyB, int neither) {

        public int studies() {
            return both + onlyA + onlyB + neither;
        }

        /** Fraction of studies on which the two sources agree. */
        public double agreement() {
            return studies() == 0 ? Double.NaN : (both + neither) / (double) studies();
        }

        /** Cohen's κ of presence; 1 when both sources agree on a finding neither varies on. */
        public double kappa() {
            double n = studies();
            if (n == 0) {
                return Double.NaN;
            }
            double observed = (both + neither) / n;
            double aYes = (both + onlyA) / n;
            double bYes = (both + onlyB) / n;
            double expected = aYes * bYes + (1 - aYes) * (1 - bYes);
            return expected >= 1 ? 1.0 : (observed - expected) / (1 - expected);
        }

        /** Of the studies {@code b} calls present, the fraction {@code a} calls present too. */
        public double recall() {
            return both + onlyB == 0 ? Double.NaN : both / (double) (both + onlyB);
        }

        /** Of the studies {@code a} calls present, the fraction {@code b} calls present too. */
        public double precision() {
            return both + onlyA == 0 ? Double.NaN : both / (double) (both + onlyA);
        }
    }

    /** One attribute's agreement: of {@code stated} cells where the reference states it, {@code same} match. */
    public record AttributeAgreement(int same, int stated) {
        public double value() {
            return stated == 0 ? Double.NaN : same / (double) stated;
        }
    }

    /** Compares {@code a} with {@code b} over the given studies that both label. */
    public static LabelAgreement compare(StudyLabels a, StudyLabels b, Collection<String> studyIds) {
        List<String> shared = new TreeSet<>(studyIds)
                .stream().filter(id -> a.labelled(id) && b.labelled(id)).toList();
        Map<Finding, int[]> cells = new EnumMap<>(Finding.class);
        int[] severity = new int[2];
        int[] laterality = new int[2];
        int[] zone = new int[2];
        for (String id : shared) {
            Map<Finding, FindingMention> inA = byFinding(a.findings(id));
            Map<Finding, FindingMention> inB = byFinding(b.findings(id));
            inA.keySet().forEach(f -> cells.computeIfAbsent(f, k -> new int[4]));
            inB.keySet().forEach(f -> cells.computeIfAbsent(f, k -> new int[4]));
            inB.forEach((f, mb) -> {
                FindingMention ma = inA.get(f);
                if (ma != null) {
                    count(severity, ma, mb, FindingMention::severity, Severity.UNSPECIFIED);
                    count(laterality, ma, mb, FindingMention::laterality, Laterality.UNSPECIFIED);
                    count(zone, ma, mb, FindingMention::zone, Zone.UNSPECIFIED);
                }
            });
        }
        // a second pass fills the 2 × 2 tables now that every finding either source names is known
        for (String id : shared) {
            Map<Finding, FindingMention> inA = byFinding(a.findings(id));
            Map<Finding, FindingMention> inB = byFinding(b.findings(id));
            cells.forEach((f, c) -> {
                boolean pa = inA.containsKey(f);
                boolean pb = inB.containsKey(f);
                c[pa && pb ? 0 : pa ? 1 : pb ? 2 : 3]++;
            });
        }
        List<FindingAgreement> findings = new ArrayList<>();
        cells.forEach((f, c) -> findings.add(new FindingAgreement(f, c[0], c[1], c[2], c[3])));
        return new LabelAgreement(
                a.source(),
                b.source(),
                shared.size(),
                findings,
                new AttributeAgreement(severity[0], severity[1]),
                new AttributeAgreement(laterality[0], laterality[1]),
                new AttributeAgreement(zone[0], zone[1]));
    }

    private static Map<Finding, FindingMention> byFinding(List<FindingMention> mentions) {
        Map<Finding, FindingMention> m = new EnumMap<>(Finding.class);
        mentions.forEach(x -> m.putIfAbsent(x.finding(), x));
        return m;
    }

    private static <T> void count(
            int[] acc, FindingMention a, FindingMention b, Function<FindingMention, T> attribute, T unspecified) {
        T reference = attribute.apply(b);
        if (!reference.equals(unspecified)) {
            acc[1]++;
            if (reference.equals(attribute.apply(a))) {
                acc[0]++;
            }
        }
    }

    public Optional<FindingAgreement> finding(Finding f) {
        return findings.stream().filter(x -> x.finding() == f).findFirst();
    }

    /** Raw agreement over every (study, finding) cell of the findings either source names. */
    public double overallAgreement() {
        long agree = 0;
        long total = 0;
        for (FindingAgreement f : findings) {
            agree += f.both() + f.neither();
            total += f.studies();
        }
        return total == 0 ? Double.NaN : agree / (double) total;
    }

    /** Mean Cohen's κ over the findings either source names present. */
    public double meanKappa() {
        return findings.stream()
                .mapToDouble(FindingAgreement::kappa)
                .filter(v -> !Double.isNaN(v))
                .average()
                .orElse(Double.NaN);
    }

    /** Metric-name stem of this comparison, e.g. {@code labels_reports_vs_truth}. */
    public String key() {
        return "labels_" + a.label() + "_vs_" + b.label();
    }

    /**
     * The headline numbers, keyed by {@link #key()} plus a suffix: {@code _agreement}, {@code _kappa},
     * {@code _severity}, {@code _laterality}, {@code _zone} (NaN values left out).
     */
    public Map<String, Double> summary() {
        Map<String, Double> m = new LinkedHashMap<>();
        put(m, key() + "_agreement", overallAgreement());
        put(m, key() + "_kappa", meanKappa());
        put(m, key() + "_severity", severity.value());
        put(m, key() + "_laterality", laterality.value());
        put(m, key() + "_zone", zone.value());
        return m;
    }

    /** Per finding: {@code <key>_kappa__<finding>}, {@code _recall__}, {@code _precision__} (NaN left out). */
    public Map<String, Double> perFinding() {
        Map<String, Double> m = new LinkedHashMap<>();
        for (FindingAgreement f : findings) {
            put(m, key() + "_kappa__" + f.finding().key(), f.kappa());
            put(m, key() + "_recall__" + f.finding().key(), f.recall());
            put(m, key() + "_precision__" + f.finding().key(), f.precision());
        }
        return m;
    }

    private static void put(Map<String, Double> m, String k, double v) {
        if (!Double.isNaN(v)) {
            m.put(k, v);
        }
    }

    /** A plain-text table: one row per finding, then the attributes. */
    public String renderTable() {
        StringBuilder t = new StringBuilder();
        t.append(String.format(
                Locale.ROOT, "%s (a) against %s (b) on %d studies both label%n%n", a.label(), b.label(), studies));
        t.append(String.format(
                Locale.ROOT,
                "%-28s %6s %6s %6s %7s %9s %7s %7s %7s%n",
                "finding",
                "both",
                "a only",
                "b only",
                "neither",
                "agreement",
                "kappa",
                "recall",
                "prec."));
        for (FindingAgreement f : findings) {
            t.append(String.format(
                    Locale.ROOT,
                    "%-28s %6d %6d %6d %7d %9s %7s %7s %7s%n",
                    f.finding().label(),
                    f.both(),
                    f.onlyA(),
                    f.onlyB(),
                    f.neither(),
                    fmt(f.agreement()),
                    fmt(f.kappa()),
                    fmt(f.recall()),
                    fmt(f.precision())));
        }
        t.append(String.format(Locale.ROOT, "%nwhere both call a finding present and b states it:%n"));
        attributeLine(t, "severity", severity);
        attributeLine(t, "laterality", laterality);
        attributeLine(t, "zone", zone);
        return t.toString();
    }

    private static void attributeLine(StringBuilder t, String name, AttributeAgreement a) {
        t.append(String.format(Locale.ROOT, "  %-10s %s of %d%n", name, fmt(a.value()), a.stated()));
    }

    private static String fmt(double v) {
        return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.3f", v);
    }
}
