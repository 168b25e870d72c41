package dev.causalcxr.activities.stages;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.causalcxr.activities.runner.StageDefinition;
import dev.causalcxr.activities.runner.WarmStart;
import dev.causalcxr.core.dataset.DatasetEntry;
import dev.causalcxr.core.dataset.DatasetManifest;
import dev.causalcxr.core.dataset.Split;
import dev.causalcxr.core.disentangle.DisentanglerConfig;
import dev.causalcxr.core.disentangle.DisentanglerModel;
import dev.causalcxr.core.disentangle.DisentanglerStage;
import dev.causalcxr.core.disentangle.TrainingDivergedException;
import dev.causalcxr.core.labels.LabelSource;
import dev.causalcxr.core.labels.StudyLabels;
import dev.causalcxr.core.stage.StageContext;
import dev.causalcxr.core.stage.StageInputException;
import java.nio.file.Path;
import java.util.List;

/**
 * The {@code train-disentangler} stage: identity and pathology codes with group supervision, on the
 * ingested dataset, with the labels of parse-reports as the finding head's targets and the pathology
 * groups (and the phantom's exact counterfactuals for the swap metrics when there are).
 */
public final class TrainDisentanglerDefinition implements StageDefinition {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Override
    public String name() {
        return DisentanglerStage.NAME;
    }

    @Override
    public void execute(String configJson, StageContext ctx) throws Exception {
        DisentanglerConfig cfg = JSON.readValue(configJson, DisentanglerConfig.class);
        StudyLabels labels = DatasetInputs.labels(ctx, name());
        Path datasetDir = DatasetInputs.unpackDataset(ctx);
        requireFindingLabels(labels, DatasetInputs.manifest(datasetDir));
        ctx.logParam("labels.source", labels.source().label());
        Path truth = ctx.inputs().get(DatasetInputs.PHANTOM_TRUTH);
        try {
            // a retrain's warm start brings the fine-tuned model's file: its head's vocabulary is kept
            Path warmModel = ctx.inputs().get(WarmStart.INPUT + "/" + WarmStart.modelOutput(name()));
            DisentanglerStage.run(
                    cfg,
                    datasetDir,
                    labels,
                    truth,
                    warmModel == null ? null : DisentanglerModel.readVocabulary(warmModel),
                    ctx);
        } catch (TrainingDivergedException e) {
            // retrying the same trajectory diverges again; the last good checkpoint is kept
            throw new StageInputException(e.getMessage(), e);
        }
    }

    /**
     * Without a present finding in the training split the model would have no finding head: the diffusion
     * model could not be guided, there would be no tail classes, and the counterfactual stage would fail
     * four stages later. Said here, before any image is loaded.
     */
    static void requireFindingLabels(StudyLabels labels, DatasetManifest manifest) {
        List<String> train = manifest.entries().stream()
                .filter(e -> e.split() == Split.TRAIN)
                .map(DatasetEntry::studyId)
                .distinct()
                .toList();
        if (!labels.presentCounts(train).isEmpty()) {
            return;
        }
        long labelled = train.stream().filter(labels::labelled).count();
        String what = switch (labels.source()) {
            case REPORTS ->
                "the report parser found no present finding in the reports of the " + train.size()
                        + " training studies (" + labelled + " parsed)";
            case DATASET ->
                labels.studies().isEmpty()
                        ? "the dataset has neither reports nor label columns"
                        : "the dataset's label columns mark no finding present in its " + train.size()
                                + " training studies (" + labelled + " labelled)";
            case TRUTH -> "the phantom ground truth has no finding in the " + train.size() + " training studies";
        };
        throw new StageInputException("no finding labels: " + what + ", so the disentangler would have no finding"
                + " head and no counterfactual could be asked for. Fix: give the data findings: reports"
                + " (MIMIC-style folders, a manifest CSV's report column) with stages.parse-reports.labels: "
                + LabelSource.REPORTS.label() + ", or label columns (a CheXpert-style CSV) with labels: "
                + LabelSource.DATASET.label());
    }
}
