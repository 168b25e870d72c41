package dev.causalcxr.cli;

import java.io.PrintStream;
import java.util.Locale;

/** The CLI's own output: results to stdout, progress to stderr (redrawn in place on a terminal). */
final class ConsoleOutput {
    private final PrintStream out;
    private final PrintStream err;
    private final boolean interactive;
    private boolean lineOpen;

    ConsoleOutput(PrintStream out, PrintStream err, boolean interactive) {
        this.out = out;
        this.err = err;
        this.interactive = interactive;
    }

    static ConsoleOutput system() {
        return new ConsoleOutput(System.out, System.err, System.console() != null);
    }

    void println(String s) {
        closeLine();
        out.println(s);
        out.flush();
    }

    void printf(String fmt, Object... args) {
        println(String.format(Locale.ROOT, fmt, args));
    }

    void info(String s) {
        closeLine();
        err.println(s);
        err.flush();
    }

    /** A progress line: redrawn in place on a terminal, printed only when final otherwise. */
    void progress(String line, boolean last) {
        if (interactive) {
            err.print("\r" + line + "\033[K");
            lineOpen = true;
            if (last) {
                err.println();
                lineOpen = false;
            }
            err.flush();
        } else if (last) {
            err.println(line);
            err.flush();
        }
    }

    private void closeLine() {
        if (lineOpen) {
            err.println();
            lineOpen = false;
        }
    }

    static String bar(double fraction, int width) {
        int filled = (int) Math.round(Math.max(0, Math.min(1, fraction)) * width);
        return "[" + "#".repeat(filled) + "-".repeat(width - filled) + "]";
    }
}
