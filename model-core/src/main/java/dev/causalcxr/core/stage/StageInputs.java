package dev.causalcxr.core.stage;

import java.nio.file.Path;

/** Reading a stage's inputs: a missing one is always the non-retryable {@link StageInputException}. */
public final class StageInputs {
    private StageInputs() {}

    /**
     * The local copy of an input.
     *
     * @param input the input's logical name ({@code <stage>/<output>})
     * @param what  what the stage needs, for the message, e.g. "the ingest stage's dataset"
     * @throws StageInputException when the stage was not given that input
     */
    public static Path require(StageContext ctx, String input, String what) {
        Path p = ctx.inputs().get(input);
        if (p == null) {
            throw new StageInputException("this stage needs " + what + " (input '" + input + "' is missing)");
        }
        return p;
    }
}
