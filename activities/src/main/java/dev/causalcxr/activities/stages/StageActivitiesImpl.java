package dev.causalcxr.activities.stages;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.causalcxr.activities.runner.CheckpointPointer;
import dev.causalcxr.activities.runner.KeepAliveHeartbeat;
import dev.causalcxr.activities.runner.StageDefinition;
import dev.causalcxr.activities.runner.StageManifest;
import dev.causalcxr.activities.runner.StageRequest;
import dev.causalcxr.activities.runner.StageResult;
import dev.causalcxr.activities.runner.StageRunner;
import dev.causalcxr.core.diffusion.tailnoise.TailNoiseStage;
import dev.causalcxr.core.diffusion.tailnoise.TailNoiseStageConfig;
import dev.causalcxr.core.disentangle.DisentanglerStage;
import dev.causalcxr.core.disentangle.EncodedCodes;
import dev.causalcxr.core.findings.Finding;
import dev.causalcxr.core.spec.StageName;
import dev.causalcxr.core.stage.StageInputException;
import io.temporal.activity.Activity;
import io.temporal.activity.ActivityExecutionContext;
import io.temporal.failure.ApplicationFailure;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/** Runs each stage's definition through the shared runner inside a Temporal activity. */
public final class StageActivitiesImpl implements StageActivities {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final StageRunner runner;
    private final Map<String, StageDefinition> definitions;

    public StageActivitiesImpl(StageRunner runner, Iterable<StageDefinition> definitions) {
        this.runner = runner;
        this.definitions = java.util.stream.StreamSupport.stream(definitions.spliterator(), false)
                .collect(Collectors.toMap(StageDefinition::name, Function.identity()));
    }

    @Override
    public StageResult ingest(StageRequest request) {
        return execute(StageName.INGEST, request);
    }

    @Override
    public StageResult parseReports(StageRequest request) {
        return execute(StageName.PARSE_REPORTS, request);
    }

    @Override
    public StageResult trainDisentangler(StageRequest request) {
        return execute(StageName.TRAIN_DISENTANGLER, request);
    }

    @Override
    public StageResult trainDiffusion(StageRequest request) {
        return execute(StageName.TRAIN_DIFFUSION, request);
    }

    @Override
    public List<String> tailNoiseClasses(StageRequest request) {
        String disentangler = request.inputs().get(DisentanglerStage.NAME);
        if (disentangler == null) {
            throw ApplicationFailure.newNonRetryableFailure(
                    StageName.OPTIMIZE_TAIL_NOISE + " needs " + StageName.TRAIN_DISENTANGLER, "StageInputException");
        }
        try {
            TailNoiseStageConfig cfg = JSON.readValue(request.configJson(), TailNoiseStageConfig.class);
            StageManifest.Entry codes = runner.manifest(disentangler).outputs().get(DisentanglerStage.OUTPUT_CODES);
            if (codes == null) {
                throw new StageInputException(StageName.TRAIN_DISENTANGLER + " published no codes");
            }
            Path file = Files.createTempFile("codes-", ".bin");
            try {
                runner.store().getToFile(codes.digest(), file);
                return TailNoiseStage.priorClasses(EncodedCodes.read(file), cfg).stream()
                        .map(Finding::key)
                        .toList();
            } finally {
                Files.deleteIfExists(file);
            }
        } catch (StageInputException e) {
            throw ApplicationFailure.newNonRetryableFailureWithCause(e.getMessage(), "StageInputException", e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the disentangler's codes", e);
        }
    }

    @Override
    public StageResult optimizeTailNoiseClass(StageRequest request) {
        StageDefinition def;
        try {
            def = OptimizeTailNoiseClassDefinition.forStageName(request.stage());
        } catch (RuntimeException e) {
            throw ApplicationFailure.newNonRetryableFailure(e.getMessage(), "StageInputException");
        }
        return execute(def, request);
    }

    @Override
    public StageResult optimizeTailNoise(StageRequest request) {
        return execute(StageName.OPTIMIZE_TAIL_NOISE, request);
    }

    @Override
    public StageResult generateCounterfactuals(StageRequest request) {
        return execute(StageName.GENERATE_COUNTERFACTUALS, request);
    }

    @Override
    public StageResult evaluate(StageRequest request) {
        return execute(StageName.EVALUATE, request);
    }

    private StageResult execute(StageName stage, StageRequest request) {
        StageDefinition def = definitions.get(stage.label());
        if (def == null) {
            throw ApplicationFailure.newNonRetryableFailure(
                    "this worker has no implementation of stage " + stage, "MissingStage");
        }
        return execute(def, request);
    }

    private StageResult execute(StageDefinition def, StageRequest request) {
        ActivityExecutionContext ctx = Activity.getExecutionContext();
        int attempt = ctx.getInfo().getAttempt();
        CheckpointPointer last =
                ctx.getHeartbeatDetails(CheckpointPointer.class).orElse(null);
        try (KeepAliveHeartbeat heartbeat =
                KeepAliveHeartbeat.start(ctx::heartbeat, last, KeepAliveHeartbeat.INTERVAL, request.stage())) {
            return runner.run(def, request, attempt, last, heartbeat);
        } catch (StageInputException e) {
            throw ApplicationFailure.newNonRetryableFailureWithCause(e.getMessage(), "StageInputException", e);
        }
    }
}
