package dev.causalcxr.workflows.experiment;

import io.temporal.common.WorkflowExecutionHistory;
import io.temporal.testing.WorkflowReplayer;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Recorded histories of the experiment workflow replay against the current code: a change that would
 * break runs in flight (a reordered, added or removed command without {@code Workflow.getVersion})
 * fails the build. The histories are recorded by {@link WorkflowHistoryRecorder}.
 */
class ExperimentWorkflowReplayTest {
    private static final String DIR = "/dev/causalcxr/workflows/histories/";
    private static final List<String> HISTORIES =
            List.of("experiment-full-fan-out-v1.json", "experiment-ingest-parse-v1.json");

    static Stream<String> histories() {
        return HISTORIES.stream();
    }

    private static String read(String name) throws IOException {
        try (InputStream in = ExperimentWorkflowReplayTest.class.getResourceAsStream(DIR + name)) {
            if (in == null) {
                throw new IOException("missing recorded history " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @ParameterizedTest
    @MethodSource("histories")
    void aRecordedRunReplaysAgainstTheCurrentWorkflowCode(String name) throws Exception {
        WorkflowReplayer.replayWorkflowExecution(
                WorkflowExecutionHistory.fromJson(read(name)), ExperimentWorkflowImpl.class);
    }

    /** The check has teeth: a workflow that schedules its stages in another order does not replay. */
    @Test
    void aWorkflowThatIssuesOtherCommandsFailsTheReplay() throws Exception {
        String history = read("experiment-full-fan-out-v1.json");
        boolean failed = false;
        try {
            WorkflowReplayer.replayWorkflowExecution(
                    WorkflowExecutionHistory.fromJson(history), ReorderedWorkflow.class);
        } catch (Exception | AssertionError e) {
            failed = true;
        }
        org.junit.jupiter.api.Assertions.assertTrue(
                failed, "replaying against a workflow with other commands must fail");
    }

    /** The experiment workflow run over its stages backwards: other commands for the same history. */
    public static class ReorderedWorkflow extends ExperimentWorkflowImpl {
        @Override
        public RunSummary run(ExperimentPlan plan) {
            List<ExperimentPlan.StagePlan> reversed = new ArrayList<>(plan.stages());
            java.util.Collections.reverse(reversed);
            return super.run(new ExperimentPlan(
                    plan.runId(),
                    plan.experiment(),
                    plan.specName(),
                    plan.specDigest(),
                    plan.specJson(),
                    plan.codeVersion(),
                    plan.seed(),
                    plan.profile(),
                    reversed));
        }
    }
}
