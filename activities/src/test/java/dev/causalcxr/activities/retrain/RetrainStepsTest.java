package dev.causalcxr.activities.retrain;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.causalcxr.core.spec.StageName;
import org.junit.jupiter.api.Test;

class RetrainStepsTest {
    @Test
    void theFinalCheckpointIsJournaledAfterTheAblationPhaseWhenItRuns() {
        assertEquals(
                1600,
                RetrainActivitiesImpl.finalCheckpointStep(
                        StageName.TRAIN_DISENTANGLER, "{\"steps\":800,\"runAblation\":true}"));
        assertEquals(
                800,
                RetrainActivitiesImpl.finalCheckpointStep(
                        StageName.TRAIN_DISENTANGLER, "{\"steps\":800,\"runAblation\":false}"));
        assertEquals(
                1500, RetrainActivitiesImpl.finalCheckpointStep(StageName.TRAIN_DIFFUSION, "{\"trainSteps\":1500}"));
    }

    @Test
    void addedStepsExtendTheChampionsBudgetAndKeepEverythingElse() throws Exception {
        String cfg = RetrainActivitiesImpl.withAddedSteps(
                StageName.TRAIN_DIFFUSION, "{\"trainSteps\":1500,\"hidden\":256}", 300);
        var tree = new ObjectMapper().readTree(cfg);
        assertEquals(1800, tree.path("trainSteps").asInt());
        assertEquals(256, tree.path("hidden").asInt());
        assertEquals(
                1000,
                new ObjectMapper()
                        .readTree(RetrainActivitiesImpl.withAddedSteps(
                                StageName.TRAIN_DISENTANGLER, "{\"steps\":800}", 200))
                        .path("steps")
                        .asInt());
    }
}
