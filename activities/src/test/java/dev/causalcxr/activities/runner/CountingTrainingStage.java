package dev.causalcxr.activities.runner;

import dev.causalcxr.core.stage.StageContext;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A test stage shaped like training: a seeded state evolves step by step, a checkpoint holds the
 * state and the random generator's position, and it can be told to crash once after a given step.
 */
final class CountingTrainingStage implements StageDefinition {
    final int steps;
    final int checkpointEvery;
    final int crashAfterStep;
    final List<Long> executedSteps = new ArrayList<>();
    private boolean crashed;

    CountingTrainingStage(int steps, int checkpointEvery, int crashAfterStep) {
        this.steps = steps;
        this.checkpointEvery = checkpointEvery;
        this.crashAfterStep = crashAfterStep;
    }

    @Override
    public String name() {
        return "ingest";
    }

    @Override
    public void execute(String configJson, StageContext ctx) throws IOException {
        double state = 0;
        long start = 0;
        long rngDraws = 0;
        var resume = ctx.latestCheckpoint();
        if (resume.isPresent()) {
            try (DataInputStream in =
                    new DataInputStream(Files.newInputStream(resume.get().file()))) {
                start = in.readLong() + 1;
                state = in.readDouble();
                rngDraws = in.readLong();
            }
        }
        SplittableRandom rng = new SplittableRandom(ctx.seed());
        for (long i = 0; i < rngDraws; i++) {
            rng.nextDouble();
        }
        for (long step = start; step < steps; step++) {
            executedSteps.add(step);
            state = 0.9 * state + rng.nextDouble();
            rngDraws++;
            ctx.logMetric("loss", state, step);
            if ((step + 1) % checkpointEvery == 0) {
                Path ck = ctx.workDir().resolve("ck-" + step);
                try (DataOutputStream out = new DataOutputStream(Files.newOutputStream(ck))) {
                    out.writeLong(step);
                    out.writeDouble(state);
                    out.writeLong(rngDraws);
                }
                ctx.saveCheckpoint(step, ck);
            }
            ctx.progress((step + 1.0) / steps, "step " + step);
            if (step == crashAfterStep && !crashed) {
                crashed = true;
                throw new IllegalStateException("worker crashed after step " + step);
            }
        }
        Path out = ctx.workDir().resolve("state.txt");
        Files.writeString(out, Double.toString(state));
        ctx.addOutput("state", out);
        ctx.summaryMetric("final_state", state);
    }
}
