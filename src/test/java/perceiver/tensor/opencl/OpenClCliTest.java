package perceiver.tensor.opencl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/** The command line with {@code --backend opencl}, in a child JVM as a user runs it. */
class OpenClCliTest {
    @Test
    void everyGoldenCasePassesWithBackendOpencl() throws Exception {
        OpenClTests.backend();
        List<String> args = new ArrayList<>(List.of("golden", "--backend", "opencl"));
        try (Stream<Path> s = Files.list(Path.of("golden"))) {
            s.filter(d -> Files.isRegularFile(d.resolve("io.safetensors"))).sorted().forEach(d -> args.add(d.toString()));
        }
        OpenClTests.Run run = OpenClTests.cli(OpenClTests.classPath(), Map.<String, String>of(), args.toArray(String[]::new));
        assertEquals(0, run.code(), run.toString());
        assertTrue(run.err().startsWith("backend: opencl:"), run.toString());
        assertEquals(args.size() - 3, run.out().lines().filter(l -> l.startsWith("PASS")).count(), run.toString());
        assertEquals(9, args.size() - 3, "nine golden cases");
    }

    @Test
    void devicesListsTheDevicesAndFillRunsOnOpencl() throws IOException, InterruptedException {
        OpenClTests.backend();
        OpenClTests.Run devices = OpenClTests.cli(OpenClTests.classPath(), Map.<String, String>of(), "devices");
        assertEquals(0, devices.code(), devices.toString());
        assertTrue(devices.out().startsWith("0  0:0 "), devices.toString());
        String text = "Perceiver [MASK][MASK]";
        OpenClTests.Run cpu = OpenClTests.cli(OpenClTests.classPath(), Map.<String, String>of(), "fill", text);
        OpenClTests.Run cl = OpenClTests.cli(OpenClTests.classPath(), Map.<String, String>of(), "--backend", "opencl", "--device", "0",
                "fill", text);
        assertEquals(0, cl.code(), cl.toString());
        assertEquals(cpu.out(), cl.out());
    }
}
