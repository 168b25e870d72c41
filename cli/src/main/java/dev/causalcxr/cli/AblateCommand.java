package dev.causalcxr.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.causalcxr.core.evaluation.AblationTable;
import dev.causalcxr.core.spec.ExperimentSpec;
import dev.causalcxr.core.spec.StageName;
import dev.causalcxr.infra.stack.PlatformStack;
import dev.causalcxr.infra.stack.StackConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
        name = "ablate",
        mixinStandardHelpOptions = true,
        description = {
            "The paper's ablations over seeds: one table with and without each component.",
            "Runs the spec once per seed (each run trains the disentangler"
                    + " with and without group supervision, draws counterfactuals from optimized and from plain"
                    + " initial noise, and trains the downstream classifier on real data alone and with each set of"
                    + " counterfactuals), then writes one table: with and without each component, mean ± std over"
                    + " seeds, and the paired difference with its 95 %% t-interval. The table goes to MLflow (run"
                    + " `ablation` of the spec's experiment: metrics and ablation-table.md) and, with --table, to a"
                    + " Markdown file. Where the runs score the evaluation-only cohort, a second table gives each"
                    + " arm's tail delta over the seeds. --from-summaries builds the same tables from runs made"
                    + " earlier (the files `run --summary-json` wrote), without running or tracking anything. Exit"
                    + " 1 when a run fails, 2 for bad input."
        })
final class AblateCommand implements Callable<Integer> {
    private static final YAMLMapper YAML = new YAMLMapper();
    private static final ObjectMapper JSON = new ObjectMapper();

    @Mixin
    DataDirOption dataDir;

    @Option(names = "--spec", paramLabel = "FILE", description = "The experiment spec (or --from-summaries).")
    Path spec;

    @Option(
            names = "--from-summaries",
            arity = "2..*",
            paramLabel = "SUMMARY_JSON",
            description = "Tabulate these earlier runs (one per seed, the files `run --summary-json` wrote) instead"
                    + " of running the spec.")
    List<Path> summaries;

    @Option(
            names = "--seeds",
            defaultValue = "3",
            paramLabel = "N",
            description = "How many seeds: the spec's seed, seed + 1, … (at least 2; default 3).")
    int seeds;

    @Option(names = "--table", paramLabel = "FILE", description = "Also write the table as Markdown to FILE.")
    Path table;

    @Option(
            names = "--no-local-workers",
            description = "Do not run workers in this process (workers started with `causalcxr worker` do the work).")
    boolean noLocalWorkers;

    @Override
    public Integer call() {
        if ((spec == null) == (summaries == null)) {
            throw new UsageException("give either --spec (run the ablations) or --from-summaries (tabulate runs)");
        }
        if (summaries != null) {
            return fromSummaries(summaries, table, ConsoleOutput.system());
        }
        if (seeds < 2) {
            throw new UsageException("--seeds must be at least 2: an interval needs two paired differences");
        }
        String text;
        try {
            text = Files.readString(spec, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UsageException(FileErrors.cannot("cannot read the spec", spec, e));
        }
        ExperimentSpec base = ExperimentSpec.parseYaml(text); // every problem at once, exit 2
        List<ExperimentSpec> runs = new ArrayList<>();
        for (int i = 0; i < seeds; i++) {
            runs.add(withAblations(text, base.seed() + i));
        }
        return run(runs, dataDir.config(), table, !noLocalWorkers, ConsoleOutput.system());
    }

    /** The tables over runs made earlier: printed and, with {@code tableFile}, written; nothing is tracked. */
    static int fromSummaries(List<Path> files, Path tableFile, ConsoleOutput console) {
        List<RunSummary> summaries = new ArrayList<>();
        for (Path f : files) {
            JsonNode doc;
            try {
                doc = JSON.readTree(f.toFile());
            } catch (IOException e) {
                throw new UsageException(FileErrors.cannot("cannot read the summary", f, e));
            }
            if (!doc.path("metrics").isObject() || !doc.path("run_id").isTextual()) {
                throw new UsageException(f + " is not a run summary (`run --summary-json`): no run_id and metrics");
            }
            RunSummary summary = RunSummary.of(doc);
            if (summaries.stream().anyMatch(s -> s.runId().equals(summary.runId()))) {
                // the same run twice would count as two agreeing seeds and narrow the interval
                throw new UsageException(f + ": run " + summary.runId()
                        + " is given twice; each run counts once (one summary per seed)");
            }
            summaries.add(summary);
        }
        String markdown = String.format(
                        Locale.ROOT,
                        "Ablations over %d runs (%s). With − without is paired within a run; its interval is Student's"
                                + " t over the runs.%n%n",
                        summaries.size(),
                        String.join(
                                ", ", summaries.stream().map(RunSummary::runId).toList()))
                + AblationTable.of(summaries.stream().map(RunSummary::metrics).toList())
                        .markdown();
        printAndWrite(markdown, tableFile, console);
        return ExitCodes.OK;
    }

    /** What the table reads of one run's summary file ({@code run --summary-json}). */
    private record RunSummary(String runId, Map<String, Double> metrics) {
        static RunSummary of(JsonNode doc) {
            Map<String, Double> metrics = new LinkedHashMap<>();
            doc.path("metrics")
                    .fields()
                    .forEachRemaining(e -> metrics.put(e.getKey(), e.getValue().asDouble()));
            return new RunSummary(doc.path("run_id").asText(), metrics);
        }
    }

    private static void printAndWrite(String markdown, Path tableFile, ConsoleOutput console) {
        console.println(markdown);
        if (tableFile != null) {
            LocalPipeline.writeTextFile(tableFile, markdown);
            console.println("table: " + tableFile);
        }
    }

    /**
     * The spec at one seed with every ablation it can carry switched on: the disentangler's second model without
     * group supervision and the plain-noise counterfactuals (each only where its stage runs).
     */
    static ExperimentSpec withAblations(String specText, long seed) {
        ObjectNode root;
        try {
            root = (ObjectNode) YAML.readTree(specText);
        } catch (IOException | ClassCastException e) {
            throw new UsageException("the spec is not a YAML mapping: " + e.getMessage());
        }
        root.put("seed", seed);
        ObjectNode stages = root.has("stages") && root.get("stages").isObject()
                ? (ObjectNode) root.get("stages")
                : root.putObject("stages");
        ExperimentSpec parsed = ExperimentSpec.parse(root);
        List<StageName> order = parsed.stageOrder();
        if (order.contains(StageName.TRAIN_DISENTANGLER)) {
            block(stages, StageName.TRAIN_DISENTANGLER).put("run_ablation", true);
        }
        if (order.contains(StageName.GENERATE_COUNTERFACTUALS)) {
            block(stages, StageName.GENERATE_COUNTERFACTUALS).put("plain_ablation", true);
        }
        return ExperimentSpec.parse(root);
    }

    private static ObjectNode block(ObjectNode stages, StageName stage) {
        JsonNode b = stages.get(stage.label());
        return b != null && b.isObject() ? (ObjectNode) b : stages.putObject(stage.label());
    }

    static int run(
            List<ExperimentSpec> runs,
            StackConfig config,
            Path tableFile,
            boolean localWorkers,
            ConsoleOutput console) {
        List<Map<String, Double>> perSeed = new ArrayList<>();
        List<String> runIds = new ArrayList<>();
        Path work;
        try {
            Files.createDirectories(config.dataDir());
            work = Files.createTempDirectory(config.dataDir(), ".ablate");
        } catch (IOException e) {
            throw new IllegalStateException("cannot write in " + config.dataDir() + ": " + e.getMessage(), e);
        }
        for (ExperimentSpec s : runs) {
            console.info(String.format(
                    Locale.ROOT, "ablation run %d of %d: seed %d", perSeed.size() + 1, runs.size(), s.seed()));
            Path summary = work.resolve("seed-" + s.seed() + ".json");
            int code = LocalPipeline.run(
                    s, config, new LocalPipeline.Options(Set.of(), false, summary, localWorkers, null), console);
            if (code != ExitCodes.OK) {
                console.println("ablate: the run of seed " + s.seed() + " did not succeed; no table");
                return ExitCodes.FAILURE;
            }
            JsonNode doc;
            try {
                doc = JSON.readTree(summary.toFile());
            } catch (IOException e) {
                throw new IllegalStateException("cannot read the run's summary: " + e.getMessage(), e);
            }
            RunSummary run = RunSummary.of(doc);
            perSeed.add(run.metrics());
            runIds.add(run.runId());
        }
        AblationTable t = AblationTable.of(perSeed);
        String markdown = header(runs, runIds) + t.markdown();
        console.println("");
        printAndWrite(markdown, tableFile, console);
        try {
            Path md = work.resolve("ablation-table.md");
            Files.writeString(md, markdown, StandardCharsets.UTF_8);
            track(runs.get(0), runIds, t, md, config, console);
        } catch (IOException e) {
            throw new IllegalStateException("cannot write the table: " + e.getMessage(), e);
        }
        return ExitCodes.OK;
    }

    private static String header(List<ExperimentSpec> runs, List<String> runIds) {
        StringBuilder b = new StringBuilder();
        b.append(String.format(
                Locale.ROOT,
                "Ablations of `%s` (spec %s) over %d seeds (%s): runs %s. With − without is paired within a seed;"
                        + " its interval is Student's t over the seeds.%n%n",
                runs.get(0).name(),
                runs.get(0).digest().substring(0, 12),
                runs.size(),
                String.join(
                        ", ", runs.stream().map(s -> Long.toString(s.seed())).toList()),
                String.join(", ", runIds)));
        return b.toString();
    }

    /** One tracking run beside the seeds' runs: the table's numbers as metrics, the table as an artifact. */
    private static void track(
            ExperimentSpec first,
            List<String> runIds,
            AblationTable t,
            Path markdown,
            StackConfig config,
            ConsoleOutput console) {
        try (PlatformStack stack = PlatformStack.start(config)) {
            String run = stack.tracker()
                    .startRun(
                            "causalcxr/" + first.name(),
                            "ablation",
                            null,
                            Map.of("causalcxr.kind", "ablation", "causalcxr.runs", String.join(",", runIds)));
            stack.tracker()
                    .logParams(
                            run,
                            Map.of(
                                    "spec_digest",
                                    first.digest(),
                                    "seeds",
                                    Integer.toString(t.seeds()),
                                    "first_seed",
                                    Long.toString(first.seed())));
            t.asMetrics().forEach((k, v) -> {
                if (Double.isFinite(v)) {
                    stack.tracker().logMetric(run, k, v, 0);
                }
            });
            stack.tracker().logArtifact(run, "ablation-table.md", markdown);
            stack.tracker().endRun(run, "FINISHED");
            stack.awaitTracking(Duration.ofMinutes(5))
                    .ifPresent(uri ->
                            console.println("MLflow: run `ablation` of causalcxr/" + first.name() + " at " + uri));
        }
    }
}
