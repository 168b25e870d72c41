package dev.causalcxr.core.engine;

import ai.djl.engine.Engine;
import dev.causalcxr.core.dataset.SplitProportions;
import dev.causalcxr.core.disentangle.DisentanglerConfig;
import dev.causalcxr.core.disentangle.DisentanglerDataset;
import dev.causalcxr.core.disentangle.DisentanglerModel;
import dev.causalcxr.core.disentangle.DisentanglerTrainer;
import dev.causalcxr.core.phantom.PhantomGenerator;
import dev.causalcxr.core.phantom.PhantomSpec;
import dev.causalcxr.core.stage.RecordingStageContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The train-disentangler stage's training loop on a given device (bench/gpu/run): the quick profile's
 * network and losses on phantom studies of SIZE px, STEPS steps, timed from the end of step WARMUP to the
 * last step (data gathering, the losses and the optimizer included). Prints the engine, the devices it
 * sees, ms per step, the whole loop's seconds and the loss at the first and last steps, so a device that
 * trains fast but wrong shows up beside the CPU run.
 * Usage: {@code GpuStageBenchmark DEVICE SIZE STEPS WORK_DIR} with DEVICE {@code cpu | gpu | gpu:N}.
 */
public final class GpuStageBenchmark {

    private static final int WARMUP = Integer.getInteger("causalcxr.warmup", 10);

    private GpuStageBenchmark() {}

    public static void main(String[] args) throws Exception {
        String device = args[0];
        int size = Integer.parseInt(args[1]);
        int steps = Integer.parseInt(args[2]);
        Path dir = Files.createDirectories(Path.of(args[3]));
        Engine engine = Engines.pytorch();
        System.out.printf(
                "engine %s %s, libtorch %s, gpus %d, intra-op threads %s%n",
                engine.getEngineName(),
                engine.getVersion(),
                ai.djl.pytorch.jni.LibUtils.getLibtorchPath(),
                engine.getGpuCount(),
                System.getProperty("ai.djl.pytorch.num_threads", "default"));
        long t0 = System.nanoTime();
        DisentanglerDataset data = DisentanglerDataset.fromPhantom(
                new PhantomGenerator(PhantomSpec.defaults().withStudies(300).withSize(size)),
                SplitProportions.defaults(),
                (d, t) -> {});
        double dataSeconds = (System.nanoTime() - t0) / 1e9;
        DisentanglerConfig cfg = DisentanglerConfig.quick().toBuilder()
                .device(device)
                .steps(steps)
                .checkpointInterval(1_000_000)
                .build();
        long[] stamps = new long[2];
        List<double[]> losses = new ArrayList<>();
        RecordingStageContext ctx = RecordingStageContext.under(dir, 1).onLogMetric((key, value, step) -> {
            if (!key.equals("loss_total")) {
                return;
            }
            losses.add(new double[] {step, value});
            if (step == WARMUP) {
                stamps[0] = System.nanoTime();
            } else if (step == steps) {
                stamps[1] = System.nanoTime();
            }
        });
        long start = System.nanoTime();
        try (DisentanglerModel model = DisentanglerModel.create(cfg, data.vocabulary(), data.size());
                DisentanglerTrainer trainer = new DisentanglerTrainer(model, data, ctx, "bench", 0, "")) {
            trainer.train();
        }
        double loopSeconds = (System.nanoTime() - start) / 1e9;
        double msPerStep = (stamps[1] - stamps[0]) / 1e6 / (steps - WARMUP);
        double[] first = losses.get(0);
        double[] last = losses.get(losses.size() - 1);
        System.out.printf(
                "result device=%s size=%d steps=%d batch=%d ms_per_step=%.1f loop_seconds=%.1f data_seconds=%.1f"
                        + " loss_first=%.4f(step %d) loss_last=%.4f(step %d)%n",
                device,
                size,
                steps,
                cfg.batchSize(),
                msPerStep,
                loopSeconds,
                dataSeconds,
                first[1],
                (int) first[0],
                last[1],
                (int) last[0]);
    }
}
