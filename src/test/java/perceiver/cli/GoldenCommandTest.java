package perceiver.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

/** {@code perceiver golden}: case folders, a folder of case folders, and folders that are neither. */
class GoldenCommandTest {

    @Test
    void runsCasesAndTheCasesInsideAFolderOfCases() {
        List<String> lines = CliRun.of("golden", "golden/golden-hf-train", "golden/mlm-bytes", "golden/published-configs").ok();
        assertEquals(3, lines.size(), lines.toString());
        assertTrue(lines.get(0).startsWith("PASS        image-processor: 13 tensors compared"), lines.get(0));
        assertTrue(lines.get(1).startsWith("PASS        mlm-bytes: "), lines.get(1));
        assertEquals("SKIP        published-configs: not a golden case folder", lines.get(2));
    }

    @Test
    void aMissingFolderIsOneErrorLine() {
        CliRun.of("golden", "golden/no-such-case").badInput("golden/no-such-case", "no such file or directory");
    }
}
