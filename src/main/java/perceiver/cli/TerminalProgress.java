package perceiver.cli;

import java.io.Console;
import java.io.PrintWriter;

import perceiver.io.Progress;

/** Progress of long computations on stderr, shown only when stderr is a terminal (never in pipes, logs or tests). */
final class TerminalProgress {
    private TerminalProgress() {}

    /** A progress line {@code "<what> done/total"} rewritten in place on {@code err}, or nothing off a terminal. */
    static Progress forStderr(PrintWriter err, String what) {
        return interactive() ? to(err, what) : Progress.NONE;
    }

    /** The progress line on {@code err}, ended by a newline when the last step is done. */
    static Progress to(PrintWriter err, String what) {
        return (done, total) -> {
            err.print("\r" + what + " " + done + "/" + total);
            if (done == total) err.println();
            err.flush();
        };
    }

    /**
     * Whether the standard streams are a terminal: {@code System.console()} is null otherwise on JDK 21 and 25; on JDK
     * 22-24 it may be a console over redirected streams, which {@code Console.isTerminal()} (JDK 22+) tells apart.
     */
    static boolean interactive() {
        Console c = System.console();
        if (c == null) return false;
        try {
            return (Boolean) Console.class.getMethod("isTerminal").invoke(c);
        } catch (ReflectiveOperationException e) {
            return true; // JDK 21: a non-null console is a terminal
        }
    }
}
