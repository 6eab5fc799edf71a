package perceiver.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;

import picocli.CommandLine;

/** One run of the command line ({@link Main#commandLine}) with stdout and stderr captured. */
record CliRun(int code, String out, String err) {
    static CliRun of(Object... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        CommandLine cl = Main.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        List<String> strings = new ArrayList<>();
        for (Object a : args) strings.add(a.toString());
        int code = cl.execute(strings.toArray(String[]::new));
        return new CliRun(code, out.toString(), err.toString());
    }

    /** Asserts success with nothing on stderr (no progress off a terminal); returns stdout's lines. */
    List<String> ok() {
        assertEquals(0, code, "exit code; stderr: " + err);
        assertEquals("", err, "stderr");
        return out.lines().toList();
    }

    /** Asserts exit code 2 and exactly one {@code error:} line on stderr containing every fragment; returns it. */
    String badInput(String... fragments) {
        assertEquals(2, code, "exit code; stdout: " + out + " stderr: " + err);
        List<String> lines = err.lines().toList();
        assertEquals(1, lines.size(), "one stderr line: " + err);
        String line = lines.get(0);
        assertTrue(line.startsWith("error: "), line);
        for (String f : fragments) assertTrue(line.contains(f), "'" + f + "' in: " + line);
        assertEquals("", out, "stdout");
        return line;
    }
}
