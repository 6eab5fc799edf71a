package perceiver.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import picocli.CommandLine;

/** {@code perceiver bench} on tiny golden-case configurations: it runs, prints the columns, writes JSON. */
class BenchCommandTest {

    private record Run(int code, String out, String err) {}

    private static Run bench(String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        CommandLine cl = Main.commandLine();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        String[] all = new String[args.length + 1];
        all[0] = "bench";
        System.arraycopy(args, 0, all, 1, args.length);
        int code = cl.execute(all);
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void benchmarksTinyConfigs(@TempDir Path tmp) throws Exception {
        Path json = tmp.resolve("bench.json");
        Run r = bench("--config", "golden/mlm-bytes/config.json", "--config", "golden/multimodal-autoencoding/config.json",
                "--chunks", "9", "--warmup", "0", "--repeat", "2", "--json", json.toString());
        assertEquals(0, r.code(), r.err());
        for (String column : new String[] {"model", "GFLOP", "wall s", "GFLOP/s", "peak RSS", "pre%", "enc%", "proc%", "dec%"}) {
            assertTrue(r.out().contains(column), "column " + column + " in\n" + r.out());
        }
        assertTrue(r.out().contains("mlm-bytes") && r.out().contains("text 64 bytes"), r.out());
        assertTrue(r.out().contains("re-encode per chunk"), r.out());
        JsonNode root = new ObjectMapper().readTree(Files.readString(json));
        JsonNode mlm = root.get("results").get(0);
        assertEquals("PerceiverForMaskedLM", mlm.get("model_class").asText());
        assertEquals(2, mlm.get("runs_s").size());
        double stages = 0;
        for (JsonNode s : mlm.get("stage_s")) stages += s.asDouble();
        assertEquals(mlm.get("wall_s").asDouble(), stages, 1e-9);
        assertTrue(mlm.get("gflop").asDouble() > 0 && mlm.get("peak_rss_bytes").asLong() != 0);
        assertEquals(4, root.get("results").get(1).get("reencode").get("chunks").asInt(), "9 chunks capped at the 4 audio patches");
    }

    @Test
    void savesWeightsInputsAndOutputsForThePeer(@TempDir Path tmp) {
        Run r = bench("--config", "golden/image-conv/config.json", "--image-size", "32", "--save-weights", tmp.toString());
        assertEquals(0, r.code(), r.err());
        for (String f : new String[] {"weights", "inputs", "outputs"}) {
            assertTrue(Files.isRegularFile(tmp.resolve("image-conv").resolve(f + ".safetensors")), f);
        }
        assertFalse(r.out().contains("GFLOP/s"), "saving does not time: " + r.out());
    }

    @Test
    void scalingOnASmallRange() {
        Run r = bench("--scaling", "--scaling-in-process", "--scaling-range", "4..7", "--config",
                "golden/optical-flow/config.json");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("M (input rows) swept") && r.out().contains("O (decoder queries) swept"), r.out());
        assertEquals(4, r.out().split("R\\^2", -1).length - 1, r.out()); // time and memory of each series
    }

    @Test
    void scalingPointsInChildJvms() {
        Run r = bench("--scaling", "--scaling-range", "4..4", "--config", "golden/optical-flow/config.json");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("O (decoder queries) swept"), r.out());
    }

    @Test
    void unknownModelIsBadInput() {
        assertEquals(Main.EXIT_BAD_INPUT, bench("--model", "no-such-model", "--configs", "golden/published-configs").code());
    }
}
