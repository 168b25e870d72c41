package dev.causalcxr.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.causalcxr.core.findings.Finding;
import dev.causalcxr.core.reports.eval.ParserEvaluation;
import dev.causalcxr.core.reports.eval.iu.IuXrayCollection;
import dev.causalcxr.core.reports.eval.iu.IuXrayEvaluation;
import dev.causalcxr.core.reports.rules.LabelConvention;
import dev.causalcxr.core.reports.rules.RuleBasedReportExtractor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
        name = "eval-parser",
        mixinStandardHelpOptions = true,
        description = {
            "Score predicted findings against gold labels (both JSONL in the parse-reports format).",
            "Per finding: precision/recall/F1 of present (micro and macro), accuracy of absent and uncertain,",
            "and of severity, laterality and zone on correctly found present findings.",
            "With --iu DIR: run the rule-based extractor on the Indiana University / OpenI reports in DIR and",
            "score it against NLM's gold standard (nine shared labels) and the coders' MeSH terms."
        })
final class EvalParserCommand implements Callable<Integer> {
    @Option(names = "--gold", paramLabel = "GOLD.jsonl")
    Path gold;

    @Option(names = "--pred", paramLabel = "FINDINGS.jsonl")
    Path pred;

    @Option(
            names = "--positives-only",
            description =
                    "The gold lists positives only (coded data): an unlisted finding is not present; no absent/uncertain accuracy.")
    boolean positivesOnly;

    @Option(
            names = "--findings",
            split = ",",
            paramLabel = "FINDING",
            description = "Score only these findings (labels, comma-separated), e.g. Pleural Effusion,Edema.")
    Set<String> findings;

    @Option(
            names = "--iu",
            paramLabel = "DIR",
            description =
                    "Folder with indiana_reports.csv, openi_gld_std14.csv and openi-testset.txt (e.g. ../shared/data/iu-xray).")
    Path iu;

    @Option(
            names = "--half",
            defaultValue = "all",
            paramLabel = "all|odd|even",
            description =
                    "With --iu: odd uids (the tuning half), even uids (held out until 2026-12-04) or all (default).")
    String half;

    @Option(names = "--test-list", description = "With --iu: only the reports on NLM's test list.")
    boolean testList;

    @Option(
            names = "--convention",
            defaultValue = "mesh",
            paramLabel = "mesh|chexpert",
            description = "With --iu: the extractor's labelling convention; mesh (default) reads phrases as the IU "
                    + "coders' MeSH indexing does, chexpert is the pipeline's default extractor.")
    String convention;

    @Option(names = "--json", description = "Print one JSON object instead of the table.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        ConsoleOutput console = ConsoleOutput.system();
        ObjectMapper mapper = new ObjectMapper();
        if (iu != null) {
            if (gold != null || pred != null) {
                throw new UsageException("--iu scores the rule-based extractor itself: give it without --gold/--pred");
            }
            IuXrayEvaluation ev = evaluateIu();
            if (json) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("extractor", extractorName());
                m.putAll(ev.toJsonMap());
                console.println(mapper.writeValueAsString(m));
            } else {
                console.println("extractor: " + extractorName() + System.lineSeparator() + ev.renderTable());
            }
            return ExitCodes.OK;
        }
        if (gold == null || pred == null) {
            throw new UsageException("give --gold and --pred, or --iu DIR");
        }
        for (Path p : new Path[] {gold, pred}) {
            if (!Files.isRegularFile(p)) {
                throw new UsageException(p + " is not a file");
            }
        }
        Set<Finding> scored = scoredFindings();
        ParserEvaluation.Scope scope = positivesOnly
                ? ParserEvaluation.Scope.positivesOnly(scored)
                : new ParserEvaluation.Scope(scored, Map.of(), false);
        ParserEvaluation ev = ParserEvaluation.evaluate(gold, pred, scope);
        console.println(json ? mapper.writeValueAsString(ev.toJsonMap()) : ev.renderTable());
        return ExitCodes.OK;
    }

    private IuXrayEvaluation evaluateIu() {
        IuXrayEvaluation.Half h;
        try {
            h = IuXrayEvaluation.Half.valueOf(half.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new UsageException("--half must be all, odd or even");
        }
        LabelConvention c;
        try {
            c = LabelConvention.fromLabel(convention);
        } catch (IllegalArgumentException e) {
            throw new UsageException("--convention must be mesh or chexpert");
        }
        if (!IuXrayCollection.isPresent(iu)) {
            throw new UsageException("--iu " + iu + " must hold " + IuXrayCollection.REPORTS_FILE + ", "
                    + IuXrayCollection.NLM_GOLD_FILE + " and " + IuXrayCollection.TEST_LIST_FILE);
        }
        IuXrayCollection collection;
        try {
            collection = IuXrayCollection.load(iu);
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
        return IuXrayEvaluation.evaluate(
                collection, new RuleBasedReportExtractor(c), new IuXrayEvaluation.Selection(h, testList));
    }

    private String extractorName() {
        return new RuleBasedReportExtractor(LabelConvention.fromLabel(convention)).name();
    }

    private Set<Finding> scoredFindings() {
        if (findings == null || findings.isEmpty()) {
            return EnumSet.allOf(Finding.class);
        }
        Set<Finding> out = EnumSet.noneOf(Finding.class);
        for (String label : findings) {
            out.add(Finding.fromLabel(label)
                    .orElseThrow(() -> new UsageException("--findings: unknown finding '" + label + "'")));
        }
        return out;
    }
}
