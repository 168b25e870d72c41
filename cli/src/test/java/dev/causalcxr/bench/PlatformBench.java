package dev.causalcxr.bench;

import dev.causalcxr.activities.TaskQueues;
import dev.causalcxr.activities.runner.StageDefinition;
import dev.causalcxr.cli.ExperimentPlans;
import dev.causalcxr.cli.WorkerHost;
import dev.causalcxr.core.spec.ExperimentSpec;
import dev.causalcxr.core.stage.StageContext;
import dev.causalcxr.infra.objectstore.ObjectRef;
import dev.causalcxr.infra.objectstore.ObjectStore;
import dev.causalcxr.infra.stack.PlatformStack;
import dev.causalcxr.infra.stack.StackConfig;
import dev.causalcxr.workflows.experiment.ExperimentClient;
import dev.causalcxr.workflows.experiment.ExperimentPlan;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * Platform figures: embedded stack start, object store throughput (publish includes the read-back
 * verification), and the overhead of an empty stage through Temporal, the stage runner, PostgreSQL
 * and the tracking journal. Prints a Markdown table.
 */
public final class PlatformBench {

    /** A stage that does nothing: what is left is the platform's own cost. */
    record EmptyStage(String name) implements StageDefinition {
        @Override
        public void execute(String configJson, StageContext context) {
            context.progress(1.0, "done");
        }
    }

    public static void main(String[] args) throws Exception {
        Path root = Files.createTempDirectory("causalcxr-bench");
        Map<String, String> env = Map.of("CAUSALCXR_MLFLOW", "off");
        List<String> rows = new ArrayList<>();

        double[] fresh = new double[3];
        for (int i = 0; i < fresh.length; i++) {
            long t = System.nanoTime();
            try (PlatformStack s = PlatformStack.start(StackConfig.fromEnvironment(root.resolve("fresh-" + i), env))) {
                fresh[i] = (System.nanoTime() - t) / 1e9;
            }
        }
        double[] reuse = new double[3];
        for (int i = 0; i < reuse.length; i++) {
            long t = System.nanoTime();
            try (PlatformStack s = PlatformStack.start(StackConfig.fromEnvironment(root.resolve("fresh-0"), env))) {
                reuse[i] = (System.nanoTime() - t) / 1e9;
            }
        }
        rows.add(row(
                "embedded stack start, new data folder (S3, PostgreSQL + migrations, Temporal)", median(fresh), "s"));
        rows.add(row("embedded stack start, existing data folder", median(reuse), "s"));

        try (PlatformStack stack = PlatformStack.start(StackConfig.fromEnvironment(root.resolve("main"), env))) {
            ObjectStore store = stack.objectStore();
            int mb = 64;
            byte[] data = new byte[mb << 20];
            double[] put = new double[3];
            double[] get = new double[3];
            for (int i = 0; i < 3; i++) {
                new Random(i).nextBytes(data);
                Path f = root.resolve("blob-" + i);
                Files.write(f, data);
                long t = System.nanoTime();
                ObjectRef ref = store.putFile(f);
                put[i] = mb / ((System.nanoTime() - t) / 1e9);
                t = System.nanoTime();
                store.getToFile(ref.digest(), root.resolve("back-" + i));
                get[i] = mb / ((System.nanoTime() - t) / 1e9);
            }
            rows.add(row("object store publish (upload + read-back digest check), 64 MiB", median(put), "MiB/s"));
            rows.add(row("object store verified download, 64 MiB", median(get), "MiB/s"));

            List<StageDefinition> empty = List.of(new EmptyStage("ingest"), new EmptyStage("parse-reports"));
            try (WorkerHost host =
                    WorkerHost.start(stack, Set.of(TaskQueues.CPU, TaskQueues.GPU), empty, root.resolve("work"))) {
                ExperimentClient client = new ExperimentClient(
                        stack.temporal().client(),
                        stack.temporal().stubs(),
                        stack.temporal().namespace());
                ExperimentSpec spec = ExperimentSpec.parseYaml("name: bench\nseed: 1\nrun: [parse-reports]\n");
                double[] perStage = new double[10];
                double[] cached = new double[10];
                for (int i = 0; i < perStage.length + 2; i++) {
                    ExperimentPlan plan = ExperimentPlans.fromSpec(spec, "bench-" + i, Set.of(), true);
                    long t = System.nanoTime();
                    client.start(plan);
                    client.await(plan.runId());
                    if (i >= 2) { // two warm-up runs
                        perStage[i - 2] =
                                (System.nanoTime() - t) / 1e9 / plan.stages().size();
                    }
                }
                for (int i = 0; i < cached.length; i++) {
                    ExperimentPlan plan = ExperimentPlans.fromSpec(spec, "bench-cached-" + i, Set.of(), false);
                    long t = System.nanoTime();
                    client.start(plan);
                    client.await(plan.runId());
                    cached[i] = (System.nanoTime() - t) / 1e9 / plan.stages().size();
                }
                rows.add(row(
                        "empty stage through Temporal + stage runner + journal (run, not cached)",
                        median(perStage) * 1000,
                        "ms"));
                rows.add(row("empty stage answered from the cache", median(cached) * 1000, "ms"));
            }
        }
        System.out.println("| measure | median of runs | unit |");
        System.out.println("|---|---|---|");
        rows.forEach(System.out::println);
    }

    private static String row(String what, double value, String unit) {
        return String.format(Locale.ROOT, "| %s | %.2f | %s |", what, value, unit);
    }

    private static double median(double[] xs) {
        double[] c = xs.clone();
        Arrays.sort(c);
        return c.length % 2 == 1 ? c[c.length / 2] : (c[c.length / 2 - 1] + c[c.length / 2]) / 2;
    }
}
