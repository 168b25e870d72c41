package dev.causalcxr.cli;

import java.io.Console;
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
        return new ConsoleOutput(System.out, System.err, isTerminal());
    }

    /**
     * Whether stdin and stdout are a terminal. From JDK 22 on, System.console() is non-null even when
     * output is redirected, and Console.isTerminal() (JDK 22+) answers instead.
     */
    @SuppressWarnings("SystemConsoleNull") // null is the answer only before JDK 22, where it is checked
    private static boolean isTerminal() {
        Console console = System.console();
        if (Runtime.version().feature() < 22) {
            return console != null;
        }
        try {
            return (Boolean) Console.class.getMethod("isTerminal").invoke(console);
        } catch (ReflectiveOperationException e) {
            throw new LinkageError(e.getMessage(), e);
        }
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
