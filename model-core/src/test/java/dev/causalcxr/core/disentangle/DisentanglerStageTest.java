package dev.causalcxr.core.disentangle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.causalcxr.core.dataset.ImportedPhantoms;
import dev.causalcxr.core.dataset.PhantomGroundTruth;
import dev.causalcxr.core.dataset.Split;
import dev.causalcxr.core.labels.StudyLabels;
import dev.causalcxr.core.phantom.PhantomSpec;
import dev.causalcxr.core.stage.RecordingStageContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DisentanglerStageTest {

    private static final List<String> KEYS = List.of(
            "recon_ssim",
            "recon_psnr",
            "swap_ssim_gt",
            "swap_psnr_gt",
            "swap_mae_in_mask",
            "swap_mae_out_mask",
            "leakage_zid_finding_probe",
            "zpath_finding_probe",
            "zpath_identity_probe",
            "finding_probe_chance");

    @Test
    void stageTrainsOnAnImportedPhantomDataSetPublishesEverythingAndResumes(@TempDir Path dir) throws Exception {
        PhantomSpec spec = PhantomSpec.defaults().withStudies(80).withSize(64).withSeed(3);
        Path truth = ImportedPhantoms.write(
                spec, dir.resolve("phantom"), dir.resolve("ds"), "t", "0123456789abcdef-test-key");
        StudyLabels labels = StudyLabels.fromTruth(PhantomGroundTruth.read(truth));
        DisentanglerConfig cfg =
                DisentanglerConfig.tiny().withSteps(3).withCheckpointInterval(2).withAblation(true);

        RecordingStageContext ctx = RecordingStageContext.under(dir.resolve("run1"), 5);
        DisentanglerStage.Result r = DisentanglerStage.run(cfg, dir.resolve("ds"), labels, truth, ctx);
        assertNotNull(r.ablation());
        for (String k : KEYS) {
            assertTrue(ctx.hasSummary(k), k);
            assertTrue(ctx.hasSummary(k + DisentanglerStage.ABLATION_SUFFIX), k + " (ablation)");
        }
        assertTrue(r.metrics().swapPairs() > 0);
        // the encoder's reading of exact images with a finding added, for the main model
        assertTrue(ctx.hasSummary("exact_read_mean") && ctx.hasSummary("exact_read_min"));
        assertTrue(!ctx.hasSummary("exact_read_mean" + DisentanglerStage.ABLATION_SUFFIX));
        // ablation steps 1..3 then main steps 4..6, checkpointed at 2, 3 and 5, 6
        assertEquals(
                List.of(2L, 3L, 5L, 6L),
                ctx.savedCheckpoints().stream().map(c -> c.step()).toList());
        // every step's losses reach the tracker, on the stage's global step axis
        assertEquals(List.of(1L, 2L, 3L), ctx.metricSteps("ablation_no_group_loss_total"));
        assertEquals(List.of(4L, 5L, 6L), ctx.metricSteps("loss_total"));
        assertEquals(List.of(4L, 5L, 6L), ctx.metricSteps("loss_reconstruction"));
        for (String a : List.of(
                DisentanglerStage.ARTIFACT_PARAMETERS,
                DisentanglerStage.ARTIFACT_RECONSTRUCTION_GRID,
                DisentanglerStage.ARTIFACT_SWAP_GRID)) {
            assertTrue(Files.size(ctx.artifact(a)) > 0, a);
        }
        EncodedCodes codes = EncodedCodes.read(ctx.output(DisentanglerStage.OUTPUT_CODES));
        assertEquals(80, codes.entries().size());
        assertEquals(cfg.pathDim(), codes.entries().get(0).pathMean().length);
        assertTrue(!codes.split(Split.TEST).isEmpty());
        try (DisentanglerModel model = DisentanglerModel.load(ctx.output(DisentanglerStage.OUTPUT_MODEL))) {
            assertEquals(64, model.imageSize());
        }

        // a retried attempt that finds the main phase's first checkpoint skips the ablation and
        // reproduces the first attempt's numbers
        RecordingStageContext retry = RecordingStageContext.under(dir.resolve("run2"), 5);
        retry.resumeFrom(ctx.savedCheckpoints().get(2));
        DisentanglerStage.Result again = DisentanglerStage.run(cfg, dir.resolve("ds"), labels, truth, retry);
        assertEquals(r.ablation(), again.ablation());
        assertEquals(r.metrics().reconSsim(), again.metrics().reconSsim(), 1e-5);
        assertEquals(
                List.of(6L),
                retry.savedCheckpoints().stream().map(c -> c.step()).toList());
    }
}
