package dev.causalcxr.cli;

import dev.causalcxr.core.reports.ReportExtractor;
import dev.causalcxr.core.reports.ReportExtractors;
import dev.causalcxr.core.reports.ReportTextException;
import dev.causalcxr.core.reports.batch.ReportBatchConfig;
import dev.causalcxr.core.reports.batch.ReportBatchParser;
import dev.causalcxr.core.reports.batch.ReportBatchSummary;
import dev.causalcxr.core.reports.batch.ReportCsvException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
        name = "parse-reports",
        mixinStandardHelpOptions = true,
        description = {
            "Extract findings (finding, status, severity, laterality, zone) from reports.",
            "Input: CSV with columns study_id,report (RFC 4180; multi-line reports quoted).",
            "Output: JSONL, one object per input row; a bad row gets {\"study_id\", \"error\"} and the rest still parse."
        })
final class ParseReportsCommand implements Callable<Integer> {
    @Option(names = "--in", required = true, paramLabel = "REPORTS.csv")
    Path in;

    @Option(names = "--out", required = true, paramLabel = "FINDINGS.jsonl")
    Path out;

    @Option(
            names = "--extractor",
            defaultValue = "rules",
            description = "rules (offline, default), rules-mesh (the same, reading phrases as MeSH indexing does) "
                    + "or llm (CAUSALCXR_LLM_ENDPOINT/_MODEL/_API_KEY).")
    String extractor;

    @Override
    public Integer call() {
        if (!Files.isRegularFile(in)) {
            throw new UsageException("--in " + in + " is not a file");
        }
        if (!extractor.equals(ReportExtractors.RULES)
                && !extractor.equals(ReportExtractors.RULES_MESH)
                && !extractor.equals(ReportExtractors.LLM)) {
            throw new UsageException("--extractor must be rules, rules-mesh or llm");
        }
        ConsoleOutput console = ConsoleOutput.system();
        ReportExtractor chosen;
        try {
            chosen = ReportExtractors.byName(extractor);
        } catch (ReportTextException e) {
            // the extractor's settings (the LLM's endpoint and model) are missing or wrong: nothing was read
            throw new UsageException(e.getMessage());
        }
        ReportBatchSummary s;
        try (ReportExtractor ex = chosen) {
            // into a temporary file beside --out, moved there only when every row is written: a CSV it cannot read
            // leaves no partial output (and an earlier file of that name as it was)
            s = LocalPipeline.writeFile(
                    out, tmp -> new ReportBatchParser(ex, ReportBatchConfig.defaults()).parse(in, tmp));
        } catch (ReportCsvException e) {
            throw new UsageException(e.getMessage());
        }
        console.printf(
                "parsed %d of %d rows (%d row errors%s) → %s",
                s.parsed(),
                s.rows(),
                s.errors(),
                s.llmFallbacks() > 0 ? ", " + s.llmFallbacks() + " LLM answers replaced by the rule-based result" : "",
                out);
        return ExitCodes.OK;
    }
}
