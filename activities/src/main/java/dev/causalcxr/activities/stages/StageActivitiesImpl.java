package dev.causalcxr.activities.stages;

import dev.causalcxr.activities.runner.CheckpointPointer;
import dev.causalcxr.activities.runner.StageDefinition;
import dev.causalcxr.activities.runner.StageInputException;
import dev.causalcxr.activities.runner.StageRequest;
import dev.causalcxr.activities.runner.StageResult;
import dev.causalcxr.activities.runner.StageRunner;
import io.temporal.activity.Activity;
import io.temporal.activity.ActivityExecutionContext;
import io.temporal.failure.ApplicationFailure;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/** Runs each stage's definition through the shared runner inside a Temporal activity. */
public final class StageActivitiesImpl implements StageActivities {
    private final StageRunner runner;
    private final Map<String, StageDefinition> definitions;

    public StageActivitiesImpl(StageRunner runner, Iterable<StageDefinition> definitions) {
        this.runner = runner;
        this.definitions = java.util.stream.StreamSupport.stream(definitions.spliterator(), false)
                .collect(Collectors.toMap(StageDefinition::name, Function.identity()));
    }

    @Override
    public StageResult ingest(StageRequest request) {
        return execute("ingest", request);
    }

    @Override
    public StageResult parseReports(StageRequest request) {
        return execute("parse-reports", request);
    }

    @Override
    public StageResult trainDisentangler(StageRequest request) {
        return execute("train-disentangler", request);
    }

    @Override
    public StageResult trainDiffusion(StageRequest request) {
        return execute("train-diffusion", request);
    }

    private StageResult execute(String stage, StageRequest request) {
        StageDefinition def = definitions.get(stage);
        if (def == null) {
            throw ApplicationFailure.newNonRetryableFailure("this worker has no implementation of stage " + stage,
                    "MissingStage");
        }
        ActivityExecutionContext ctx = Activity.getExecutionContext();
        int attempt = ctx.getInfo().getAttempt();
        CheckpointPointer last = ctx.getHeartbeatDetails(CheckpointPointer.class).orElse(null);
        try {
            return runner.run(def, request, attempt, last, ctx::heartbeat);
        } catch (StageInputException e) {
            throw ApplicationFailure.newNonRetryableFailureWithCause(e.getMessage(), "StageInputException", e);
        }
    }
}
