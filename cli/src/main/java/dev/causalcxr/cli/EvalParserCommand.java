package dev.causalcxr.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.causalcxr.core.reports.eval.ParserEvaluation;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "eval-parser", mixinStandardHelpOptions = true,
        description = {"Score predicted findings against gold labels (both JSONL in the parse-reports format):",
                "per-finding precision/recall/F1 of present, accuracy of absent and uncertain, and of severity,",
                "laterality and zone on correctly found present findings."})
final class EvalParserCommand implements Callable<Integer> {
    @Option(names = "--gold", required = true, paramLabel = "GOLD.jsonl")
    Path gold;

    @Option(names = "--pred", required = true, paramLabel = "FINDINGS.jsonl")
    Path pred;

    @Option(names = "--json", description = "Print one JSON object instead of the table.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        for (Path p : new Path[] {gold, pred}) {
            if (!Files.isRegularFile(p)) {
                throw new UsageException(p + " is not a file");
            }
        }
        ParserEvaluation ev = ParserEvaluation.evaluate(gold, pred);
        ConsoleOutput console = ConsoleOutput.system();
        console.println(json ? new ObjectMapper().writeValueAsString(ev.toJsonMap()) : ev.renderTable());
        return ExitCodes.OK;
    }
}
