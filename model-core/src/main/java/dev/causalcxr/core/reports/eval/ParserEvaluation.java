package dev.causalcxr.core.reports.eval;

import dev.causalcxr.core.findings.Finding;
import dev.causalcxr.core.findings.FindingMention;
import dev.causalcxr.core.findings.Laterality;
import dev.causalcxr.core.findings.Severity;
import dev.causalcxr.core.findings.Status;
import dev.causalcxr.core.findings.Zone;
import dev.causalcxr.core.metrics.classification.ProportionInterval;
import dev.causalcxr.core.reports.batch.FindingsJsonl;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Scores predicted report findings against gold labels (what {@code causalcxr eval-parser} prints):
 * <ul>
 *   <li>per finding, precision / recall / F1 of {@code present} (a finding that is not present in
 *       one of the two, whether absent, uncertain or not mentioned, counts as not present);</li>
 *   <li>micro precision / recall / F1 of {@code present} over all findings;</li>
 *   <li>accuracy of {@code absent} and of {@code uncertain}: over gold mentions with that status, the
 *       share predicted with the same status (not mentioned counts as wrong);</li>
 *   <li>accuracy of severity, laterality and zone over correctly found present findings whose gold
 *       value is specified.</li>
 * </ul>
 * A gold study without a prediction (or whose prediction is an error line) counts as predicting
 * nothing. A {@link Scope} narrows what is scored: a subset of findings (NLM's nine labels), findings
 * to skip per study (where a coded gold is ambiguous), and whether the gold lists positives only
 * (coded data: an unlisted finding is not present, and there is no absent or uncertain gold).
 * Macro scores are means over the scored findings that have at least one gold positive, a finding
 * with no predicted positive counting precision 0.
 *
 * @param studies            gold studies scored
 * @param missingPredictions gold studies with no usable prediction
 * @param positivesOnly      the gold lists positives only (absent/uncertain accuracy not reported)
 */
public record ParserEvaluation(
        int studies,
        int missingPredictions,
        List<FindingScore> perFinding,
        double microPrecision,
        double microRecall,
        double microF1,
        double macroPrecision,
        double macroRecall,
        double macroF1,
        Accuracy absent,
        Accuracy uncertain,
        Accuracy severity,
        Accuracy laterality,
        Accuracy zone,
        boolean positivesOnly) {

    /**
     * What is scored.
     *
     * @param findings      the findings scored (in vocabulary order)
     * @param ignored       per study id, findings that count neither way
     * @param positivesOnly the gold lists positives only
     */
    public record Scope(Set<Finding> findings, Map<String, Set<Finding>> ignored, boolean positivesOnly) {

        /** Every finding, nothing ignored, gold with all three statuses: the development set's gold. */
        public static final Scope ALL = new Scope(EnumSet.allOf(Finding.class), Map.of(), false);

        public Scope {
            findings = findings.isEmpty() ? EnumSet.noneOf(Finding.class) : EnumSet.copyOf(findings);
            ignored = Map.copyOf(ignored);
        }

        /** Positives-only gold over the given findings. */
        public static Scope positivesOnly(Set<Finding> findings) {
            return new Scope(findings, Map.of(), true);
        }

        public Scope ignoring(Map<String, Set<Finding>> ignoredPerStudy) {
            return new Scope(findings, ignoredPerStudy, positivesOnly);
        }
    }

    /** Present-detection counts and scores of one finding. */
    public record FindingScore(
            Finding finding,
            int truePositives,
            int falsePositives,
            int falseNegatives,
            double precision,
            double recall,
            double f1) {
        /** Gold studies with the finding present. */
        public int support() {
            return truePositives + falseNegatives;
        }

        /** 95 % Wilson interval of the precision: with a handful of calls one error moves it by 0.1. */
        public ProportionInterval precisionInterval() {
            return ProportionInterval.wilson95(truePositives, truePositives + falsePositives);
        }

        /** 95 % Wilson interval of the recall. */
        public ProportionInterval recallInterval() {
            return ProportionInterval.wilson95(truePositives, truePositives + falseNegatives);
        }
    }

    /** {@code correct} of {@code total}; {@code value()} is NaN when nothing was scored. */
    public record Accuracy(int correct, int total) {
        public double value() {
            return total == 0 ? Double.NaN : (double) correct / total;
        }
    }

    public static ParserEvaluation evaluate(Path goldJsonl, Path predictedJsonl) {
        return evaluate(goldJsonl, predictedJsonl, Scope.ALL);
    }

    public static ParserEvaluation evaluate(Path goldJsonl, Path predictedJsonl, Scope scope) {
        return evaluate(
                toFindings(FindingsJsonl.read(goldJsonl)), toFindings(FindingsJsonl.read(predictedJsonl)), scope);
    }

    private static Map<String, List<FindingMention>> toFindings(Map<String, FindingsJsonl.Entry> entries) {
        Map<String, List<FindingMention>> out = new LinkedHashMap<>();
        entries.forEach((id, e) -> out.put(id, e.error() == null ? e.findings() : null));
        return out;
    }

    /**
     * @param gold      gold findings per study id
     * @param predicted predicted findings per study id; a null value means the row failed
     */
    public static ParserEvaluation evaluate(
            Map<String, List<FindingMention>> gold, Map<String, List<FindingMention>> predicted) {
        return evaluate(gold, predicted, Scope.ALL);
    }

    /**
     * @param gold      gold findings per study id
     * @param predicted predicted findings per study id; a null value means the row failed
     * @param scope     what is scored
     */
    public static ParserEvaluation evaluate(
            Map<String, List<FindingMention>> gold, Map<String, List<FindingMention>> predicted, Scope scope) {
        int[] tp = new int[Finding.values().length];
        int[] fp = new int[tp.length];
        int[] fn = new int[tp.length];
        int absentOk = 0;
        int absentAll = 0;
        int uncertainOk = 0;
        int uncertainAll = 0;
        int sevOk = 0;
        int sevAll = 0;
        int latOk = 0;
        int latAll = 0;
        int zoneOk = 0;
        int zoneAll = 0;
        int missing = 0;
        for (Map.Entry<String, List<FindingMention>> e : gold.entrySet()) {
            Map<Finding, FindingMention> g = byFinding(e.getValue());
            List<FindingMention> p0 = predicted.get(e.getKey());
            if (p0 == null) {
                missing++;
            }
            Map<Finding, FindingMention> p = byFinding(p0 == null ? List.of() : p0);
            Set<Finding> ignored = scope.ignored().getOrDefault(e.getKey(), Set.of());
            for (Finding f : scope.findings()) {
                if (ignored.contains(f)) {
                    continue;
                }
                FindingMention gm = g.get(f);
                FindingMention pm = p.get(f);
                boolean gp = gm != null && gm.status() == Status.PRESENT;
                boolean pp = pm != null && pm.status() == Status.PRESENT;
                if (gp && pp) {
                    tp[f.ordinal()]++;
                    if (gm.severity() != Severity.UNSPECIFIED) {
                        sevAll++;
                        sevOk += gm.severity() == pm.severity() ? 1 : 0;
                    }
                    if (gm.laterality() != Laterality.UNSPECIFIED) {
                        latAll++;
                        latOk += gm.laterality() == pm.laterality() ? 1 : 0;
                    }
                    if (gm.zone() != Zone.UNSPECIFIED) {
                        zoneAll++;
                        zoneOk += gm.zone() == pm.zone() ? 1 : 0;
                    }
                } else if (gp) {
                    fn[f.ordinal()]++;
                } else if (pp) {
                    fp[f.ordinal()]++;
                }
                if (gm != null && gm.status() == Status.ABSENT) {
                    absentAll++;
                    absentOk += pm != null && pm.status() == Status.ABSENT ? 1 : 0;
                }
                if (gm != null && gm.status() == Status.UNCERTAIN) {
                    uncertainAll++;
                    uncertainOk += pm != null && pm.status() == Status.UNCERTAIN ? 1 : 0;
                }
            }
        }
        List<FindingScore> scores = new ArrayList<>();
        int tpAll = 0;
        int fpAll = 0;
        int fnAll = 0;
        double macroP = 0;
        double macroR = 0;
        double macroF = 0;
        int withSupport = 0;
        for (Finding f : scope.findings()) {
            int t = tp[f.ordinal()];
            int fpos = fp[f.ordinal()];
            int fneg = fn[f.ordinal()];
            tpAll += t;
            fpAll += fpos;
            fnAll += fneg;
            double prec = ratio(t, t + fpos);
            double rec = ratio(t, t + fneg);
            scores.add(new FindingScore(f, t, fpos, fneg, prec, rec, f1(prec, rec)));
            if (t + fneg > 0) {
                withSupport++;
                macroP += t + fpos == 0 ? 0 : prec;
                macroR += rec;
                macroF += 2.0 * t / (2.0 * t + fpos + fneg);
            }
        }
        double mp = ratio(tpAll, tpAll + fpAll);
        double mr = ratio(tpAll, tpAll + fnAll);
        double n = withSupport == 0 ? Double.NaN : withSupport;
        return new ParserEvaluation(
                gold.size(),
                missing,
                List.copyOf(scores),
                mp,
                mr,
                f1(mp, mr),
                macroP / n,
                macroR / n,
                macroF / n,
                new Accuracy(absentOk, absentAll),
                new Accuracy(uncertainOk, uncertainAll),
                new Accuracy(sevOk, sevAll),
                new Accuracy(latOk, latAll),
                new Accuracy(zoneOk, zoneAll),
                scope.positivesOnly());
    }

    private static Map<Finding, FindingMention> byFinding(List<FindingMention> mentions) {
        Map<Finding, FindingMention> m = new EnumMap<>(Finding.class);
        for (FindingMention fm : mentions) {
            m.merge(
                    fm.finding(),
                    fm,
                    (a, b) -> a.status().ordinal() <= b.status().ordinal() ? a : b);
        }
        return m;
    }

    private static double ratio(int a, int b) {
        return b == 0 ? Double.NaN : (double) a / b;
    }

    private static double f1(double p, double r) {
        if (Double.isNaN(p) || Double.isNaN(r)) {
            return Double.NaN;
        }
        return p + r == 0 ? 0 : 2 * p * r / (p + r);
    }

    /** A plain-text table for the terminal. */
    public String renderTable() {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(
                Locale.ROOT,
                "%-28s %6s %6s %6s %9s %9s %9s  %-13s %-13s%n",
                "finding",
                "TP",
                "FP",
                "FN",
                "precision",
                "recall",
                "F1",
                "precision 95%",
                "recall 95%"));
        for (FindingScore s : perFinding) {
            if (s.truePositives() + s.falsePositives() + s.falseNegatives() == 0) {
                continue;
            }
            sb.append(String.format(
                    Locale.ROOT,
                    "%-28s %6d %6d %6d %9s %9s %9s  %-13s %-13s%n",
                    s.finding().label(),
                    s.truePositives(),
                    s.falsePositives(),
                    s.falseNegatives(),
                    fmt(s.precision()),
                    fmt(s.recall()),
                    fmt(s.f1()),
                    fmt(s.precisionInterval()),
                    fmt(s.recallInterval())));
        }
        sb.append(String.format(
                Locale.ROOT,
                "%-28s %6s %6s %6s %9s %9s %9s%n",
                "micro (present)",
                "",
                "",
                "",
                fmt(microPrecision),
                fmt(microRecall),
                fmt(microF1)));
        sb.append(String.format(
                Locale.ROOT,
                "%-28s %6s %6s %6s %9s %9s %9s%n",
                "macro (present)",
                "",
                "",
                "",
                fmt(macroPrecision),
                fmt(macroRecall),
                fmt(macroF1)));
        sb.append(System.lineSeparator());
        if (!positivesOnly) {
            sb.append(accuracyLine("absent accuracy", absent));
            sb.append(accuracyLine("uncertain accuracy", uncertain));
        }
        sb.append(attributeLine("severity accuracy", severity));
        sb.append(attributeLine("laterality accuracy", laterality));
        sb.append(attributeLine("zone accuracy", zone));
        sb.append(String.format(Locale.ROOT, "studies: %d, without prediction: %d%n", studies, missingPredictions));
        return sb.toString();
    }

    /** Nothing for a coded gold without attributes (NLM's labels). */
    private String attributeLine(String name, Accuracy a) {
        return positivesOnly && a.total() == 0 ? "" : accuracyLine(name, a);
    }

    private static String accuracyLine(String name, Accuracy a) {
        return String.format(Locale.ROOT, "%-28s %9s  (%d/%d)%n", name, fmt(a.value()), a.correct(), a.total());
    }

    private static String fmt(ProportionInterval i) {
        return Double.isNaN(i.low()) ? "n/a" : fmt(i.low()) + "-" + fmt(i.high());
    }

    private static String fmt(double v) {
        return Double.isNaN(v) ? "n/a" : String.format(Locale.ROOT, "%.3f", v);
    }

    /** A JSON-ready map (NaN becomes null) for MLflow and machine-readable output. */
    public Map<String, Object> toJsonMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("studies", studies);
        m.put("missing_predictions", missingPredictions);
        Map<String, Object> per = new LinkedHashMap<>();
        for (FindingScore s : perFinding) {
            Map<String, Object> fs = new LinkedHashMap<>();
            fs.put("tp", s.truePositives());
            fs.put("fp", s.falsePositives());
            fs.put("fn", s.falseNegatives());
            fs.put("precision", num(s.precision()));
            fs.put("recall", num(s.recall()));
            fs.put("f1", num(s.f1()));
            fs.put("precision_ci95", interval(s.precisionInterval()));
            fs.put("recall_ci95", interval(s.recallInterval()));
            per.put(s.finding().label(), fs);
        }
        m.put("per_finding", per);
        m.put("micro_precision", num(microPrecision));
        m.put("micro_recall", num(microRecall));
        m.put("micro_f1", num(microF1));
        m.put("macro_precision", num(macroPrecision));
        m.put("macro_recall", num(macroRecall));
        m.put("macro_f1", num(macroF1));
        m.put("positives_only", positivesOnly);
        if (!positivesOnly) {
            m.put("absent_accuracy", num(absent.value()));
            m.put("uncertain_accuracy", num(uncertain.value()));
        }
        m.put("severity_accuracy", num(severity.value()));
        m.put("laterality_accuracy", num(laterality.value()));
        m.put("zone_accuracy", num(zone.value()));
        return m;
    }

    private static List<Double> interval(ProportionInterval i) {
        return Double.isNaN(i.low()) ? null : List.of(i.low(), i.high());
    }

    private static Double num(double v) {
        return Double.isNaN(v) ? null : v;
    }
}
