package dev.causalcxr.core.disentangle;

import dev.causalcxr.core.dataset.SplitProportions;
import dev.causalcxr.core.phantom.PhantomGenerator;
import dev.causalcxr.core.phantom.PhantomSpec;
import dev.causalcxr.core.stage.RecordingStageContext;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Training step time of the quick-profile disentangler in DJL (bench/disentangle/run compares it with
 * the same network in PyTorch eager). Steps are timed between the trainer's metric callbacks at steps
 * WARMUP and WARMUP + MEASURED, so data gathering, the loss and our Adam are all inside.
 * Usage: {@code DisentanglerStepBenchmark WORK_DIR [measuredSteps]}.
 */
public final class DisentanglerStepBenchmark {

    private static final int WARMUP = Integer.getInteger("causalcxr.warmup", 10);

    private DisentanglerStepBenchmark() {}

    public static void main(String[] args) throws Exception {
        Path dir = Files.createDirectories(Path.of(args.length > 0 ? args[0] : "model-core/target/disentangle-step"));
        int measured = args.length > 1 ? Integer.parseInt(args[1]) : 40;
        DisentanglerDataset data = DisentanglerDataset.fromPhantom(
                new PhantomGenerator(PhantomSpec.defaults().withStudies(300)),
                SplitProportions.defaults(),
                (d, t) -> {});
        DisentanglerConfig cfg =
                DisentanglerConfig.quick().withSteps(WARMUP + measured).withCheckpointInterval(1_000_000);
        long[] stamps = new long[2];
        // -Dcausalcxr.profile=FILE: libtorch's profiler over the measured steps, as a Chrome trace
        String profile = System.getProperty("causalcxr.profile");
        RecordingStageContext ctx = RecordingStageContext.under(dir, 1).onLogMetric((key, value, step) -> {
            if (key.equals("loss_total") && step == WARMUP) {
                stamps[0] = System.nanoTime();
                if (profile != null) {
                    ai.djl.pytorch.jni.JniUtils.startProfile(false, true, false);
                }
            } else if (key.equals("loss_total") && step == WARMUP + measured) {
                stamps[1] = System.nanoTime();
                if (profile != null) {
                    ai.djl.pytorch.jni.JniUtils.stopProfile(profile);
                }
            }
        });
        try (DisentanglerModel model = DisentanglerModel.create(cfg, data.vocabulary(), data.size());
                DisentanglerTrainer trainer = new DisentanglerTrainer(model, data, ctx, "bench", 0, "")) {
            trainer.train();
            long count = 0;
            for (ai.djl.util.Pair<String, ai.djl.nn.Parameter> p : model.parameters()) {
                count += p.getValue().getArray().size();
            }
            System.out.printf(
                    "djl_params %d  (findings %d)%n", count, data.vocabulary().size());
        }
        double ms = (stamps[1] - stamps[0]) / 1e6 / measured;
        System.out.printf(
                "djl_step_ms %.1f  (batch %d, %d decodes, %d px, %d steps after %d warm-up)%n",
                ms,
                cfg.batchSize(),
                cfg.batchSize() + 4 * cfg.pairsPerKind() + cfg.cycleSwaps(),
                data.size(),
                measured,
                WARMUP);
    }
}
