package dev.causalcxr.core.reports.bench;

import dev.causalcxr.core.bench.BenchMachine;
import dev.causalcxr.core.findings.FindingMention;
import dev.causalcxr.core.reports.batch.ReportRow;
import dev.causalcxr.core.reports.eval.DevelopmentSet;
import dev.causalcxr.core.reports.eval.iu.IuReport;
import dev.causalcxr.core.reports.eval.iu.IuXrayCollection;
import dev.causalcxr.core.reports.rules.LabelConvention;
import dev.causalcxr.core.reports.rules.RuleBasedReportExtractor;
import java.util.List;
import java.util.Locale;

/**
 * Throughput of the rule-based report extractor, single thread, over the development set repeated and,
 * with {@code --iu DIR}, over the IU / OpenI reports under both labelling conventions. Run with
 * {@code bench/reports/run [--warmup-seconds N] [--seconds N] [--rounds N] [--iu DIR]}; prints the
 * machine, the median and best rounds in reports per second, and characters per second, and the median
 * in reports per CPU-second of the measuring thread: on a shared machine the wall-clock rate falls with
 * the load, the rate per CPU-second much less, so it is the one to compare runs made under different loads.
 */
public final class RuleBasedExtractorBenchmark {

    private RuleBasedExtractorBenchmark() {}

    public static void main(String[] args) {
        double warmupSeconds = 5;
        double seconds = 3;
        int rounds = 5;
        java.nio.file.Path iu = null;
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--warmup-seconds" -> warmupSeconds = Double.parseDouble(args[i + 1]);
                case "--seconds" -> seconds = Double.parseDouble(args[i + 1]);
                case "--rounds" -> rounds = Integer.parseInt(args[i + 1]);
                case "--iu" -> iu = java.nio.file.Path.of(args[i + 1]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        List<String> devset =
                DevelopmentSet.reports().stream().map(ReportRow::report).toList();
        // Real reports are often longer than the devset's; five devset reports joined approximate a
        // long outpatient report (~850 characters).
        List<String> joined = new java.util.ArrayList<>();
        for (int i = 0; i < devset.size(); i++) {
            StringBuilder sb = new StringBuilder();
            for (int k = 0; k < 5; k++) {
                sb.append(devset.get((i + k) % devset.size())).append("\n\n");
            }
            joined.add(sb.toString());
        }
        System.out.printf(
                Locale.ROOT,
                "machine: %s, %d logical CPUs (nproc), java %s (%s)%n",
                BenchMachine.cpuModel(),
                Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.version"),
                System.getProperty("java.vm.name"));
        long sink = 0;
        RuleBasedReportExtractor rules = new RuleBasedReportExtractor();
        sink += measure("development set", devset, rules, warmupSeconds, seconds, rounds);
        sink += measure("long reports (5 devset reports joined)", joined, rules, warmupSeconds, seconds, rounds);
        if (iu != null) {
            // real reports (texts stay in memory; only rates are printed), under both labelling conventions
            List<String> iuReports = IuXrayCollection.load(iu).reports().stream()
                    .map(IuReport::text)
                    .toList();
            sink += measure("IU / OpenI reports", iuReports, rules, warmupSeconds, seconds, rounds);
            sink += measure(
                    "IU / OpenI reports",
                    iuReports,
                    new RuleBasedReportExtractor(LabelConvention.MESH),
                    warmupSeconds,
                    seconds,
                    rounds);
        }
        System.out.printf(Locale.ROOT, "(checksum %d)%n", sink);
    }

    private static long measure(
            String name,
            List<String> reports,
            RuleBasedReportExtractor extractor,
            double warmupSeconds,
            double seconds,
            int rounds) {
        long chars = reports.stream().mapToLong(String::length).sum();
        System.out.printf(
                Locale.ROOT,
                "corpus: %s, %d reports, %.0f characters per report on average, extractor %s%n",
                name,
                reports.size(),
                (double) chars / reports.size(),
                extractor.name());

        long sink = run(extractor, reports, warmupSeconds)[0];
        double[] perSecond = new double[rounds];
        double[] perCpuSecond = new double[rounds];
        for (int r = 0; r < rounds; r++) {
            long[] res = run(extractor, reports, seconds);
            sink += res[0];
            perSecond[r] = res[1] / (res[2] / 1e9);
            perCpuSecond[r] = res[3] > 0 ? res[1] / (res[3] / 1e9) : Double.NaN;
            System.out.printf(
                    Locale.ROOT,
                    "round %d: %,.0f reports/s, %,.0f reports per CPU-second%n",
                    r + 1,
                    perSecond[r],
                    perCpuSecond[r]);
        }
        double[] cpuSorted = perCpuSecond.clone();
        java.util.Arrays.sort(cpuSorted);
        double[] sorted = perSecond.clone();
        java.util.Arrays.sort(sorted);
        double median = sorted[sorted.length / 2];
        System.out.printf(
                Locale.ROOT,
                "single thread: median %,.0f reports/s, best %,.0f reports/s, "
                        + "%,.1f MB of report text/s (median); median %,.0f reports per CPU-second of the thread%n",
                median,
                sorted[sorted.length - 1],
                median * chars / reports.size() / 1e6,
                cpuSorted[cpuSorted.length / 2]);
        return sink;
    }

    /**
     * Runs whole passes over the corpus for at least {@code seconds}: {checksum, reports, nanos, CPU
     * nanos of this thread (0 where the JVM cannot measure it)}.
     */
    private static long[] run(RuleBasedReportExtractor extractor, List<String> reports, double seconds) {
        java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
        boolean cpu = threads.isCurrentThreadCpuTimeSupported();
        long cpuStart = cpu ? threads.getCurrentThreadCpuTime() : 0;
        long sink = 0;
        long done = 0;
        long start = System.nanoTime();
        long deadline = start + (long) (seconds * 1e9);
        do {
            for (String r : reports) {
                List<FindingMention> out = extractor.extract(r);
                sink += out.size();
            }
            done += reports.size();
        } while (System.nanoTime() < deadline);
        long nanos = System.nanoTime() - start;
        return new long[] {sink, done, nanos, cpu ? threads.getCurrentThreadCpuTime() - cpuStart : 0};
    }
}
