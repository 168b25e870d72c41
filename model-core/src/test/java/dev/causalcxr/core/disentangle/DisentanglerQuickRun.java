package dev.causalcxr.core.disentangle;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.causalcxr.core.phantom.PhantomSpec;
import dev.causalcxr.core.stage.RecordingStageContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The quick-profile measurement (not a unit test): trains the disentangler stage on the default
 * phantom (2000 studies, 64 px) and prints the summary metrics.
 * Usage: {@code DisentanglerQuickRun OUT_DIR [config.json]}; the config file may override any field
 * of {@link DisentanglerConfig#quick()}.
 */
public final class DisentanglerQuickRun {

    private DisentanglerQuickRun() {}

    public static void main(String[] args) throws Exception {
        Path out = Path.of(args.length > 0 ? args[0] : "model-core/target/disentangle-quick");
        Files.createDirectories(out);
        ObjectMapper json = new ObjectMapper();
        DisentanglerConfig cfg = DisentanglerConfig.quick();
        if (args.length > 1) {
            Map<String, Object> base = json.convertValue(cfg, new com.fasterxml.jackson.core.type.TypeReference<>() {});
            base.putAll(json.readValue(
                    Files.readString(Path.of(args[1])),
                    new com.fasterxml.jackson.core.type.TypeReference<Map<String, Object>>() {}));
            cfg = json.convertValue(base, DisentanglerConfig.class);
        }
        RecordingStageContext ctx = RecordingStageContext.under(out, cfg.seed());
        long t0 = System.nanoTime();
        long loadStart = System.nanoTime();
        DisentanglerDataset data = DisentanglerDataset.fromPhantom(
                new dev.causalcxr.core.phantom.PhantomGenerator(PhantomSpec.defaults()),
                dev.causalcxr.core.dataset.SplitProportions.defaults(),
                (d, t) -> {});
        double loadSeconds = (System.nanoTime() - loadStart) / 1e9;
        DisentanglerStage.Result r;
        try {
            r = DisentanglerStage.run(cfg, data, ctx);
        } finally {
            writeSeries(ctx, out);
        }
        double total = (System.nanoTime() - t0) / 1e9;
        StringBuilder report = new StringBuilder();
        report.append("config ").append(json.writeValueAsString(cfg)).append('\n');
        report.append(String.format(
                "studies %d, render %.1f s, stage total %.1f s, main training %.1f s (%.1f ms/step)%n",
                data.studies().size(), loadSeconds, total, r.trainSeconds(), r.meanStepMillis()));
        metricsByKey(ctx)
                .forEach((k, v) -> report.append(String.format(
                        "last %-40s %.4f   (mean of last 10 logged: %.4f)%n",
                        k,
                        v.get(v.size() - 1),
                        v.subList(Math.max(0, v.size() - 10), v.size()).stream()
                                .mapToDouble(Double::doubleValue)
                                .average()
                                .orElse(Double.NaN))));
        new TreeMap<>(ctx.summary()).forEach((k, v) -> report.append(String.format("%-45s %.4f%n", k, v)));
        Files.writeString(out.resolve("results.txt"), report.toString());

        for (Map.Entry<String, Path> a : ctx.artifacts().entrySet()) {
            if (a.getValue().toString().endsWith(".png")) {
                Files.copy(
                        a.getValue(),
                        out.resolve(a.getKey() + ".png"),
                        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
        }
        System.out.print(report);
    }

    /** The logged values of every metric, by key in alphabetical order. */
    private static Map<String, List<Double>> metricsByKey(RecordingStageContext ctx) {
        Map<String, List<Double>> byKey = new TreeMap<>();
        ctx.metricKeys().forEach(k -> byKey.put(k, ctx.metricValues(k)));
        return byKey;
    }

    /** Every logged loss term, one line per metric (a value per step). */
    private static void writeSeries(RecordingStageContext ctx, Path out) throws java.io.IOException {
        StringBuilder series = new StringBuilder("metric,values (one per step)\n");
        metricsByKey(ctx)
                .forEach((k, v) -> series.append(k)
                        .append(',')
                        .append(v.stream()
                                .map(x -> String.format(java.util.Locale.ROOT, "%.4f", x))
                                .collect(java.util.stream.Collectors.joining(",")))
                        .append('\n'));
        Files.writeString(out.resolve("loss-series.csv"), series.toString());
    }
}
