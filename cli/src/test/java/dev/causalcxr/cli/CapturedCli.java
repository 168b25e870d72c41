package dev.causalcxr.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/** Runs the command line in-process with standard output and error captured together, as a user sees them. */
final class CapturedCli {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    /** Runs {@code causalcxr ARGS}; the output of the previous run is dropped first. */
    int run(String... args) {
        out.reset();
        PrintStream savedOut = System.out;
        PrintStream savedErr = System.err;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            return Main.execute(args);
        } finally {
            System.setOut(savedOut);
            System.setErr(savedErr);
        }
    }

    /** What the last run printed. */
    String output() {
        return out.toString(StandardCharsets.UTF_8);
    }
}
