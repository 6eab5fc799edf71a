package perceiver.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;

import perceiver.api.PerceiverIO;

/** {@code perceiver fill} (the README's main job) and {@code classify-text} on the golden text models. */
class TextCommandsTest {
    private static final String TEXT = "Perceiver IO reads [MASK][MASK][MASK][MASK]: café";

    @Test
    void fillRunsTheEmbeddedDefaultAndSaysItsWeightsAreRandom() {
        CliRun r = CliRun.of("fill", TEXT);
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().startsWith("note: no --model given; using the embedded default")
                && r.err().contains("RANDOM weights") && r.err().lines().count() == 1, r.err());
        List<String> lines = r.out().lines().toList();
        assertEquals(List.of(PerceiverIO.load(Path.of("golden/mlm-bytes")).fillMask(TEXT)), lines);
        assertTrue(lines.get(0).startsWith("Perceiver IO reads ") && lines.get(0).endsWith(": café"), lines.get(0));
        assertEquals(List.of(lines.get(0)), CliRun.of("fill", "--model", "golden/mlm-bytes", TEXT).ok());
    }

    @Test
    void fillRejectsTextWithoutMasksOrLongerThanThePositions() {
        CliRun.of("fill", "--model", "golden/mlm-bytes", "no marks").badInput("no [MASK]");
        CliRun.of("fill", "--model", "golden/mlm-bytes", "a".repeat(62) + "[MASK]")
                .badInput("65 tokens", "at most 64");
        CliRun.of("fill", "--model", "golden/seq-classification", TEXT).badInput("PerceiverForSequenceClassification");
    }

    @Test
    void classifyTextPrintsTheTopLabelsMostProbableFirst() {
        List<String> lines = CliRun.of("classify-text", "--model", "golden/seq-classification", "--top", "2", "hello").ok();
        assertEquals(2, lines.size(), lines.toString());
        double first = Double.parseDouble(lines.get(0).trim().split("\\s+")[0]);
        double second = Double.parseDouble(lines.get(1).trim().split("\\s+")[0]);
        assertTrue(first >= second && second > 0 && first + second <= 1 + 1e-4, lines.toString());
        assertTrue(lines.get(0).matches("\\d\\.\\d{4}  LABEL_\\d"), lines.get(0));
    }

    @Test
    void badFlagsAreOneErrorLine() {
        CliRun.of("classify-text", "--model", "golden/seq-classification", "--top", "0", "hi").badInput("--top", ">= 1");
        CliRun.of("classify-text", "--model", "golden/mlm-bytes", "hi").badInput("not a text classifier");
        usageError(CliRun.of("--threads", "0", "fill", TEXT), "--threads must be >= 1, got 0");
        usageError(CliRun.of("--threads", "two", "fill", TEXT), "'two' is not an int");
    }

    /** A flag picocli refuses: exit 2, an {@code error:} line naming it, then where the usage is. */
    private static void usageError(CliRun r, String fragment) {
        assertEquals(2, r.code(), r.err());
        assertEquals("", r.out());
        List<String> lines = r.err().lines().toList();
        assertEquals(2, lines.size(), r.err());
        assertTrue(lines.get(0).startsWith("error: ") && lines.get(0).contains(fragment), lines.get(0));
        assertEquals("run 'perceiver --help' for usage", lines.get(1));
    }
}
