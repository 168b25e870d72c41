package dev.causalcxr.activities.stages;

import dev.causalcxr.core.dataset.DatasetBundle;
import dev.causalcxr.core.dataset.DatasetManifest;
import dev.causalcxr.core.dataset.IngestStage;
import dev.causalcxr.core.labels.StudyLabels;
import dev.causalcxr.core.reports.ParseReportsStage;
import dev.causalcxr.core.stage.StageContext;
import dev.causalcxr.core.stage.StageInputException;
import dev.causalcxr.core.stage.StageInputs;
import java.io.IOException;
import java.nio.file.Path;

/** Access to the ingest stage's outputs, and to the labels of parse-reports, from a later stage. */
final class DatasetInputs {
    static final String DATASET = IngestStage.NAME + "/" + IngestStage.OUTPUT_DATASET;
    static final String PHANTOM_TRUTH = IngestStage.NAME + "/" + IngestStage.OUTPUT_PHANTOM_TRUTH;
    static final String LABELS = ParseReportsStage.NAME + "/" + ParseReportsStage.OUTPUT_LABELS;

    private DatasetInputs() {}

    /** Unpacks the dataset bundle into the work folder; returns the dataset folder. */
    static Path unpackDataset(StageContext ctx) throws IOException {
        Path bundle = StageInputs.require(ctx, DATASET, "the ingest stage's dataset");
        return DatasetBundle.unpack(bundle, ctx.workDir().resolve("dataset"));
    }

    /** The finding labels that {@code parse-reports} published for every study. */
    static StudyLabels labels(StageContext ctx, String stage) throws IOException {
        Path file = ctx.inputs().get(LABELS);
        if (file == null) {
            throw new StageInputException(stage + " needs the finding labels of parse-reports (a spec with a run"
                    + " list must list parse-reports)");
        }
        return StudyLabels.read(file);
    }

    static DatasetManifest manifest(Path datasetDir) throws IOException {
        return DatasetManifest.read(datasetDir.resolve("manifest.json"));
    }
}
