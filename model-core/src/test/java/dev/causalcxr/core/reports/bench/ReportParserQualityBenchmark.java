package dev.causalcxr.core.reports.bench;

import dev.causalcxr.core.findings.Finding;
import dev.causalcxr.core.findings.FindingMention;
import dev.causalcxr.core.findings.Status;
import dev.causalcxr.core.phantom.PhantomGenerator;
import dev.causalcxr.core.phantom.PhantomSpec;
import dev.causalcxr.core.phantom.PhantomStudy;
import dev.causalcxr.core.reports.ReportExtractor;
import dev.causalcxr.core.reports.batch.ReportRow;
import dev.causalcxr.core.reports.eval.DevelopmentSet;
import dev.causalcxr.core.reports.eval.ParserEvaluation;
import dev.causalcxr.core.reports.eval.iu.IuXrayCollection;
import dev.causalcxr.core.reports.eval.iu.IuXrayEvaluation;
import dev.causalcxr.core.reports.rules.LabelConvention;
import dev.causalcxr.core.reports.rules.RuleBasedReportExtractor;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Accuracy of the rule-based extractor on every set the project measures it on: the hand-written
 * development set, the phantom's reports (3 seeds x 1,500 studies, the exactness test's set) and, with
 * {@code --iu DIR}, the IU / OpenI reports on all uids, the odd (tuning) and even (held out until 2026-12-04) halves and
 * NLM's test list, under both labelling conventions, with a summary table at the end. Prints aggregate
 * scores only, never report text. Run with {@code bench/reports/run-quality [--iu ../shared/data/iu-xray]}.
 */
public final class ReportParserQualityBenchmark {

    private ReportParserQualityBenchmark() {}

    public static void main(String[] args) {
        Path iu = null;
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--iu" -> iu = Path.of(args[i + 1]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        ReportExtractor extractor = new RuleBasedReportExtractor();
        developmentSet(extractor);
        phantom(extractor);
        if (iu == null) {
            return;
        }
        IuXrayCollection collection = IuXrayCollection.load(iu);
        List<String> summary = new ArrayList<>();
        for (LabelConvention convention : List.of(LabelConvention.MESH, LabelConvention.CHEXPERT)) {
            RuleBasedReportExtractor rules = new RuleBasedReportExtractor(convention);
            for (IuXrayEvaluation.Selection sel : SELECTIONS) {
                IuXrayEvaluation ev = IuXrayEvaluation.evaluate(collection, rules, sel);
                System.out.printf(Locale.ROOT, "extractor: %s%n%s%n", rules.name(), ev.renderTable());
                summary.add(summaryRow(rules.name(), ev));
            }
        }
        System.out.println("Summary (NLM: nine shared labels; min P: lowest precision among labels with >= 10 "
                + "positives in the selection):");
        System.out.println("| extractor | reports | NLM micro P / R / F1 | NLM macro F1 | NLM min P (label) "
                + "| MeSH strict micro / macro F1 | MeSH coded severity / laterality / zone |");
        System.out.println("|---|---|---|---|---|---|---|");
        summary.forEach(System.out::println);
    }

    private static final List<IuXrayEvaluation.Selection> SELECTIONS = List.of(
            new IuXrayEvaluation.Selection(IuXrayEvaluation.Half.ALL, false),
            new IuXrayEvaluation.Selection(IuXrayEvaluation.Half.ODD, false),
            new IuXrayEvaluation.Selection(IuXrayEvaluation.Half.EVEN, false),
            new IuXrayEvaluation.Selection(IuXrayEvaluation.Half.ALL, true));

    private static String summaryRow(String extractor, IuXrayEvaluation ev) {
        ParserEvaluation.FindingScore weakest = null;
        for (ParserEvaluation.FindingScore s : ev.nlm().perFinding()) {
            if (s.support() >= 10 && (weakest == null || s.precision() < weakest.precision())) {
                weakest = s;
            }
        }
        ParserEvaluation coded = ev.meshCoded();
        return String.format(
                Locale.ROOT,
                "| %s, %s | %d | %.3f / %.3f / %.3f | %.3f | %s | %.3f / %.3f | %.3f / %.3f / %.3f |",
                extractor,
                ev.selection().label(),
                ev.reports(),
                ev.nlm().microPrecision(),
                ev.nlm().microRecall(),
                ev.nlm().microF1(),
                ev.nlm().macroF1(),
                weakest == null
                        ? "n/a"
                        : String.format(
                                Locale.ROOT,
                                "%.3f (%s)",
                                weakest.precision(),
                                weakest.finding().label()),
                ev.meshStrict().microF1(),
                ev.meshStrict().macroF1(),
                coded.severity().value(),
                coded.laterality().value(),
                coded.zone().value());
    }

    private static void developmentSet(ReportExtractor extractor) {
        Map<String, List<FindingMention>> predicted = new LinkedHashMap<>();
        for (ReportRow r : DevelopmentSet.reports()) {
            predicted.put(r.studyId(), extractor.extract(r.report()));
        }
        System.out.printf(
                Locale.ROOT,
                "Development set (%d reports):%n%s%n",
                predicted.size(),
                ParserEvaluation.evaluate(DevelopmentSet.gold(), predicted).renderTable());
    }

    /** The phantom exactness test's studies: how many match exactly, and the usual scores. */
    private static void phantom(ReportExtractor extractor) {
        Map<String, List<FindingMention>> gold = new LinkedHashMap<>();
        Map<String, List<FindingMention>> predicted = new LinkedHashMap<>();
        int exact = 0;
        for (long seed : new long[] {1, 2, 3}) {
            PhantomGenerator generator = new PhantomGenerator(
                    PhantomSpec.defaults().withStudies(1500).withSeed(seed));
            for (PhantomStudy s : generator.studies()) {
                String id = seed + "/" + s.studyId();
                List<FindingMention> out = extractor.extract(s.report().text());
                gold.put(id, s.report().mentions());
                predicted.put(id, out);
                exact += normalized(s.report().mentions()).equals(normalized(out)) ? 1 : 0;
            }
        }
        System.out.printf(
                Locale.ROOT,
                "Phantom reports (seeds 1-3, %d studies): %d exact%n%s%n",
                gold.size(),
                exact,
                ParserEvaluation.evaluate(gold, predicted).renderTable());
    }

    /** As the exactness test compares: by finding, absent and uncertain on status alone, No Finding aside. */
    private static List<FindingMention> normalized(List<FindingMention> mentions) {
        return mentions.stream()
                .filter(m -> m.finding() != Finding.NO_FINDING)
                .map(m -> m.status() == Status.PRESENT
                        ? m
                        : new FindingMention(m.finding(), m.status(), null, null, null))
                .sorted(Comparator.comparing(FindingMention::finding))
                .toList();
    }
}
