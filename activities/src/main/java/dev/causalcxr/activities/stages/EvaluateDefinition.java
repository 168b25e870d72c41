package dev.causalcxr.activities.stages;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.causalcxr.activities.runner.StageDefinition;
import dev.causalcxr.core.counterfactual.AugmentationSet;
import dev.causalcxr.core.counterfactual.CounterfactualStage;
import dev.causalcxr.core.dataset.PhantomGroundTruth;
import dev.causalcxr.core.evaluation.AugmentedSample;
import dev.causalcxr.core.evaluation.EvaluationConfig;
import dev.causalcxr.core.evaluation.EvaluationStage;
import dev.causalcxr.core.labels.LabelSource;
import dev.causalcxr.core.labels.StudyLabels;
import dev.causalcxr.core.stage.StageContext;
import java.nio.file.Path;
import java.util.List;

/**
 * The {@code evaluate} stage: fidelity of the counterfactual augmentation set against the real test
 * split in the in-domain feature space, and the downstream classifier trained on real vs real +
 * augmentation (and real + the plain-noise augmentation when the tail-noise ablation produced one).
 * Without a {@code generate-counterfactuals} stage only the real arm is meaningful. The classes and every
 * real image's target are the labels of parse-reports.
 */
final class EvaluateDefinition implements StageDefinition {
    static final String AUGMENTATION = CounterfactualStage.NAME + "/" + CounterfactualStage.OUTPUT_AUGMENTATION;
    static final String AUGMENTATION_PLAIN =
            CounterfactualStage.NAME + "/" + CounterfactualStage.OUTPUT_AUGMENTATION_PLAIN;
    static final String AUGMENTATION_DECODED =
            CounterfactualStage.NAME + "/" + CounterfactualStage.OUTPUT_AUGMENTATION_DECODED;
    static final String AUGMENTATION_CODE_ORACLE =
            CounterfactualStage.NAME + "/" + CounterfactualStage.OUTPUT_AUGMENTATION_CODE_ORACLE;
    private static final ObjectMapper JSON = new ObjectMapper();

    @Override
    public String name() {
        return EvaluationStage.NAME;
    }

    @Override
    public void execute(String configJson, StageContext ctx) throws Exception {
        EvaluationConfig cfg = JSON.readValue(configJson, EvaluationConfig.class);
        StudyLabels labels = DatasetInputs.labels(ctx, name());
        Path datasetDir = DatasetInputs.unpackDataset(ctx);
        List<AugmentedSample> augmentation = read(ctx.inputs().get(AUGMENTATION));
        List<AugmentedSample> plain = read(ctx.inputs().get(AUGMENTATION_PLAIN));
        List<AugmentedSample> decoded = read(ctx.inputs().get(AUGMENTATION_DECODED));
        ctx.summaryMetric("evaluation_augmentation_images", augmentation.size());
        // on the phantom, runs trained on other labels are also scored on the truth's targets: one yardstick
        Path truth = ctx.inputs().get(DatasetInputs.PHANTOM_TRUTH);
        StudyLabels reference = truth == null || labels.source() == LabelSource.TRUTH
                ? null
                : StudyLabels.fromTruth(PhantomGroundTruth.read(truth));
        // the oracle: the phantom's exact counterfactuals of the very requests the generator answered
        List<AugmentedSample> exact = null;
        Path augmentationFile = ctx.inputs().get(AUGMENTATION);
        if (cfg.oracleArm() && truth != null && augmentationFile != null) {
            exact = AugmentationSet.read(augmentationFile).exactCounterfactuals(PhantomGroundTruth.read(truth));
            ctx.summaryMetric("evaluation_oracle_images", exact.size());
        }
        List<AugmentedSample> codeOracle =
                cfg.oracleArm() ? read(ctx.inputs().get(AUGMENTATION_CODE_ORACLE)) : List.of();
        EvaluationStage.run(
                cfg,
                datasetDir,
                labels,
                reference,
                augmentation,
                plain.isEmpty() ? null : plain,
                exact,
                codeOracle.isEmpty() ? null : codeOracle,
                decoded.isEmpty() ? null : decoded,
                null,
                truth != null,
                ctx);
    }

    private static List<AugmentedSample> read(Path file) throws java.io.IOException {
        return file == null ? List.of() : AugmentationSet.read(file).samples();
    }
}
