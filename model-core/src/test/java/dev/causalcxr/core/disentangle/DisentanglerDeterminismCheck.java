package dev.causalcxr.core.disentangle;

import dev.causalcxr.core.dataset.SplitProportions;
import dev.causalcxr.core.phantom.PhantomGenerator;
import dev.causalcxr.core.phantom.PhantomSpec;
import dev.causalcxr.core.stage.RecordingStageContext;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;

/**
 * Trains the quick-profile disentangler for STEPS steps and prints every step's total loss as a hex
 * float and the SHA-256 of the final parameters: two runs of this main are bit-identical or not
 * (bench/reproducibility/run runs it beside a CPU load). Usage: {@code DisentanglerDeterminismCheck
 * WORK_DIR [steps]}.
 */
public final class DisentanglerDeterminismCheck {

    private DisentanglerDeterminismCheck() {}

    public static void main(String[] args) throws Exception {
        Path dir = Files.createDirectories(Path.of(args.length > 0 ? args[0] : "model-core/target/determinism"));
        int steps = args.length > 1 ? Integer.parseInt(args[1]) : 100;
        DisentanglerDataset data = DisentanglerDataset.fromPhantom(
                new PhantomGenerator(PhantomSpec.defaults().withStudies(300)),
                SplitProportions.defaults(),
                (d, t) -> {});
        DisentanglerConfig cfg = DisentanglerConfig.quick().withSteps(steps).withCheckpointInterval(1_000_000);
        long t0 = System.nanoTime();
        RecordingStageContext ctx = RecordingStageContext.under(dir, 1).onLogMetric((key, value, step) -> {
            if (key.equals("loss_total")) {
                System.out.println("step " + step + " " + Double.toHexString(value));
            }
        });
        try (DisentanglerModel model = DisentanglerModel.create(cfg, data.vocabulary(), data.size());
                DisentanglerTrainer trainer = new DisentanglerTrainer(model, data, ctx, "check", 0, "")) {
            trainer.train();
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            for (ai.djl.util.Pair<String, ai.djl.nn.Parameter> p : model.parameters()) {
                float[] v = p.getValue().getArray().toFloatArray();
                ByteBuffer b = ByteBuffer.allocate(v.length * 4);
                b.asFloatBuffer().put(v);
                sha.update(b);
            }
            System.out.println("params_sha256 " + HexFormat.of().formatHex(sha.digest()));
        }
        System.out.printf("seconds %.1f%n", (System.nanoTime() - t0) / 1e9);
    }
}
