package perceiver.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
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

    @Test
    void benchmarksTinyConfigs(@TempDir Path tmp) throws Exception {
        StringWriter out = new StringWriter(), err = new StringWriter();
        CommandLine cl = Main.commandLine();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        Path json = tmp.resolve("bench.json");
        int code = cl.execute("bench", "--config", "golden/mlm-bytes/config.json",
                "--config", "golden/multimodal-autoencoding/config.json", "--chunks", "4", "--warmup", "0",
                "--repeat", "2", "--json", json.toString());
        assertEquals(0, code, err.toString());
        String text = out.toString();
        for (String column : new String[] {"model", "GFLOP", "wall s", "GFLOP/s", "peak RSS", "pre%", "enc%", "proc%", "dec%"}) {
            assertTrue(text.contains(column), "column " + column + " in\n" + text);
        }
        assertTrue(text.contains("mlm-bytes") && text.contains("text 64 bytes"), text);
        assertTrue(text.contains("re-encode per chunk"), text);
        JsonNode root = new ObjectMapper().readTree(Files.readString(json));
        JsonNode mlm = root.get("results").get(0);
        assertEquals("PerceiverForMaskedLM", mlm.get("model_class").asText());
        assertEquals(2, mlm.get("runs_s").size());
        double stages = 0;
        for (JsonNode s : mlm.get("stage_s")) stages += s.asDouble();
        assertEquals(mlm.get("wall_s").asDouble(), stages, 1e-9);
        assertTrue(mlm.get("gflop").asDouble() > 0 && mlm.get("peak_rss_bytes").asLong() != 0);
        assertEquals(4, root.get("results").get(1).get("reencode").get("chunks").asInt());
    }

    @Test
    void scalingOnASmallRange() {
        StringWriter out = new StringWriter(), err = new StringWriter();
        CommandLine cl = Main.commandLine();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int code = cl.execute("bench", "--scaling", "--scaling-range", "4..7", "--config", "golden/optical-flow/config.json");
        assertEquals(0, code, err.toString());
        String text = out.toString();
        assertTrue(text.contains("M (input rows) swept") && text.contains("O (decoder queries) swept"), text);
        assertEquals(4, text.split("R\\^2", -1).length - 1, text); // time and memory of each series
    }

    @Test
    void savesWeightsInputsAndOutputsForThePeer(@TempDir Path tmp) {
        CommandLine cl = Main.commandLine();
        StringWriter out = new StringWriter(), err = new StringWriter();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        assertEquals(0, cl.execute("bench", "--config", "golden/image-conv/config.json", "--image-size", "32",
                "--save-weights", tmp.toString()), err.toString());
        for (String f : new String[] {"weights", "inputs", "outputs"}) {
            assertTrue(Files.isRegularFile(tmp.resolve("image-conv").resolve(f + ".safetensors")), f);
        }
        assertTrue(!out.toString().contains("image-conv "), "saving does not time: " + out);
    }

    @Test
    void unknownModelIsBadInput() {
        CommandLine cl = Main.commandLine();
        cl.setOut(new PrintWriter(new StringWriter()));
        cl.setErr(new PrintWriter(new StringWriter()));
        assertEquals(Main.EXIT_BAD_INPUT, cl.execute("bench", "--model", "no-such-model", "--configs", "golden/published-configs"));
    }
}
