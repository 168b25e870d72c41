package dev.causalcxr.core.reports.eval.iu;

import dev.causalcxr.core.findings.Finding;
import dev.causalcxr.core.findings.FindingMention;
import dev.causalcxr.core.findings.Status;
import dev.causalcxr.core.reports.ReportExtractor;
import dev.causalcxr.core.reports.eval.ParserEvaluation;
import dev.causalcxr.core.reports.eval.ParserEvaluation.Scope;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Scores a report extractor on the IU / OpenI reports against two positives-only golds:
 * <ul>
 *   <li><b>NLM</b>: NLM's gold standard on the nine labels both vocabularies share, every indexed
 *       report of the selection;</li>
 *   <li><b>MeSH strict</b>: the coders' MeSH terms mapped to our vocabulary ({@link IuMeshMapping}),
 *       on the reports whose terms map without ambiguity, every finding;</li>
 *   <li><b>MeSH coded</b>: the same mapping on every indexed report, ambiguous findings skipped; its
 *       severity, laterality and zone accuracy (over correctly found positives whose qualifiers carry
 *       the attribute) is the attribute score on real reports.</li>
 * </ul>
 * A finding counts as positive when the extractor says {@code present}: {@link #countsAsPositive}.
 * Both golds follow the coders' MeSH indexing, so the extractor to compare with them is the rule-based
 * one under {@link dev.causalcxr.core.reports.rules.LabelConvention#MESH} (what a phrase names is decided
 * there, not here); reports with an odd uid are the tuning half; even ones were held out until the
 * precision pass of 2026-12-04 read some of them (bench/reports/RESULTS.md).
 */
public record IuXrayEvaluation(
        Selection selection,
        int reports,
        ParserEvaluation nlm,
        int strictReports,
        ParserEvaluation meshStrict,
        ParserEvaluation meshCoded) {

    /** Which uids: the tuning half (odd), the formerly held-out half (even), or both. */
    public enum Half {
        ALL,
        ODD,
        EVEN;

        boolean contains(IuReport r) {
            return this == ALL || (this == ODD) == r.oddUid();
        }

        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** A half, optionally narrowed to NLM's test list. */
    public record Selection(Half half, boolean testListOnly) {

        public String label() {
            return (testListOnly ? "NLM test list, " : "")
                    + switch (half) {
                        case ALL -> "all uids";
                        case ODD -> "odd uids (tuning half)";
                        case EVEN -> "even uids (held out until 2026-12-04)";
                    };
        }
    }

    /**
     * Our status to the golds' binary label: only {@code present} is positive, {@code uncertain} and
     * {@code absent} are not. The coders indexed what a report asserts: of the findings the starting
     * extractor called uncertain on the tuning half, NLM's gold counts 36 as positive and 113 as not.
     * Hedges the coders did index (probable, likely, "X versus Y") are read as present by the MeSH
     * convention instead.
     */
    public static boolean countsAsPositive(Status status) {
        return status == Status.PRESENT;
    }

    public static IuXrayEvaluation evaluate(IuXrayCollection collection, ReportExtractor extractor, Selection sel) {
        Map<String, List<FindingMention>> predicted = new LinkedHashMap<>();
        Map<String, List<FindingMention>> nlmGold = new LinkedHashMap<>();
        Map<String, List<FindingMention>> strictGold = new LinkedHashMap<>();
        Map<String, List<FindingMention>> codedGold = new LinkedHashMap<>();
        Map<String, Set<Finding>> ambiguous = new LinkedHashMap<>();
        for (IuReport r : collection.reports()) {
            if (!sel.half().contains(r)
                    || (sel.testListOnly() && !collection.testList().contains(r.studyId()))) {
                continue;
            }
            String id = r.studyId();
            predicted.put(id, positives(extractor.extract(r.text())));
            Set<Finding> nlm = collection.nlmPositives(id);
            if (nlm != null) {
                List<FindingMention> g = new ArrayList<>();
                nlm.forEach(f -> g.add(FindingMention.present(f, null, null, null)));
                nlmGold.put(id, g);
            }
            IuMeshMapping.Labels labels = IuMeshMapping.labels(r);
            codedGold.put(id, labels.positives());
            ambiguous.put(id, labels.ambiguous());
            if (labels.strict()) {
                strictGold.put(id, labels.positives());
            }
        }
        Set<Finding> every = EnumSet.allOf(Finding.class);
        return new IuXrayEvaluation(
                sel,
                predicted.size(),
                ParserEvaluation.evaluate(nlmGold, predicted, Scope.positivesOnly(IuXrayCollection.nlmFindings())),
                strictGold.size(),
                ParserEvaluation.evaluate(strictGold, predicted, Scope.positivesOnly(every)),
                ParserEvaluation.evaluate(
                        codedGold, predicted, Scope.positivesOnly(every).ignoring(ambiguous)));
    }

    private static List<FindingMention> positives(List<FindingMention> extracted) {
        List<FindingMention> out = new ArrayList<>(extracted.size());
        for (FindingMention m : extracted) {
            if (countsAsPositive(m.status())) {
                out.add(
                        m.status() == Status.PRESENT
                                ? m
                                : new FindingMention(
                                        m.finding(), Status.PRESENT, m.severity(), m.laterality(), m.zone()));
            }
        }
        return out;
    }

    /** Plain-text tables for the terminal: aggregate scores only, never report text. */
    public String renderTable() {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "IU / OpenI reports, %s: %d reports%n%n", selection.label(), reports));
        sb.append(String.format(Locale.ROOT, "NLM gold standard, nine shared labels (%d reports):%n", nlm.studies()));
        sb.append(nlm.renderTable()).append(System.lineSeparator());
        sb.append(String.format(Locale.ROOT, "MeSH strict set (%d reports):%n", strictReports));
        sb.append(meshStrict.renderTable()).append(System.lineSeparator());
        sb.append(String.format(
                Locale.ROOT,
                "MeSH, every coded report, ambiguous findings skipped (%d reports); attributes from qualifiers:%n",
                meshCoded.studies()));
        sb.append(meshCoded.renderTable());
        return sb.toString();
    }

    /** A JSON-ready map of the three scores. */
    public Map<String, Object> toJsonMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("half", selection.half().label());
        m.put("test_list_only", selection.testListOnly());
        m.put("reports", reports);
        m.put("nlm_gold", nlm.toJsonMap());
        m.put("mesh_strict", meshStrict.toJsonMap());
        m.put("mesh_coded", meshCoded.toJsonMap());
        return m;
    }
}
