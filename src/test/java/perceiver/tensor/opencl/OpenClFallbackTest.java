package perceiver.tensor.opencl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import perceiver.api.PerceiverIO;
import perceiver.tensor.BackendUnavailableException;
import perceiver.tensor.Backends;
import perceiver.tensor.CpuBackend;

/**
 * What happens without OpenCL, or when it fails: a clear message; {@code auto} falls back to the CPU, an explicit
 * {@code --backend opencl} exits with code 2; the CPU path never loads a JOCL class. The command-line cases run
 * the CLI in a child JVM with no OpenCL platform (an empty ICD vendor directory for the ocl-icd loader) or without
 * JOCL on the class path, so they run on every machine.
 */
class OpenClFallbackTest {
    private static final String MODEL = "golden/mlm-bytes";

    @Test
    void kernelBuildFailureIsReportedWithTheLog() {
        OpenClTests.backend();
        var e = assertThrows(BackendUnavailableException.class,
                () -> OpenCl.build(null, "__kernel void broken(__global float* x) { x[0] = undefined_name; }", null));
        assertTrue(e.getMessage().contains("failed to build") && e.getMessage().contains("undefined_name"), e.getMessage());
        var bad = assertThrows(BackendUnavailableException.class, () -> OpenCl.open(null, Long.MAX_VALUE, "-cl-no-such-option"));
        assertTrue(bad.getMessage().contains("failed to build"), bad.getMessage());
    }

    @Test
    void outOfDeviceMemoryIsReportedAndAutoFallsBackToTheCpu() {
        OpenClTests.backend();
        String text = "Hello [MASK][MASK]!";
        String expected = PerceiverIO.load(MODEL).fillMask(text);

        OpenClBackend tiny = OpenCl.open(null, 64 << 10, null);
        PerceiverIO strict = PerceiverIO.load(MODEL, tiny);
        var e = assertThrows(BackendUnavailableException.class, () -> strict.fillMask(text));
        assertTrue(e.getMessage().contains("out of memory"), e.getMessage());
        assertTrue(tiny.bytesInUse() <= 64 << 10, "budget kept");

        List<String> notes = new ArrayList<>();
        PerceiverIO auto = PerceiverIO.load(MODEL, OpenCl.open(null, 64 << 10, null), true, notes::add);
        assertEquals(expected, auto.fillMask(text));
        assertEquals(1, notes.size(), notes.toString());
        assertTrue(notes.get(0).contains("out of memory") && notes.get(0).contains("CPU"), notes.get(0));
        assertSame(CpuBackend.INSTANCE, auto.backend());
    }

    @Test
    void backendNamesAndDeviceSpecsAreChecked() {
        assertSame(CpuBackend.INSTANCE, Backends.create("cpu", null, s -> {}));
        assertThrows(IllegalArgumentException.class, () -> Backends.create("gpu", null, s -> {}));
        assertThrows(IllegalArgumentException.class, () -> Backends.create("cpu", "0", s -> {}));
        OpenClTests.backend();
        assertThrows(IllegalArgumentException.class, () -> Backends.create("opencl", "first", s -> {}));
        var e = assertThrows(BackendUnavailableException.class, () -> Backends.create("opencl", "99", s -> {}));
        assertTrue(e.getMessage().contains("no OpenCL device 99"), e.getMessage());
        assertTrue(Backends.devices().get(0).startsWith("0  0:0 "), Backends.devices().toString());
        assertEquals(Backends.create("opencl", "0", s -> {}).name(), Backends.create("opencl", "0:0", s -> {}).name());
    }

    @Test
    void withoutAnOpenClPlatform(@TempDir Path emptyVendors) throws Exception {
        Map<String, String> env = Map.of("OCL_ICD_VENDORS", emptyVendors.toString());
        OpenClTests.Run explicit = OpenClTests.cli(OpenClTests.classPath(), env, "golden", "--backend", "opencl", "golden/basic-model");
        assertEquals(2, explicit.code(), explicit.toString());
        assertTrue(explicit.err().startsWith("error: ") && explicit.err().contains("OpenCL"), explicit.toString());
        OpenClTests.Run devices = OpenClTests.cli(OpenClTests.classPath(), env, "devices");
        assertEquals(2, devices.code(), devices.toString());
        OpenClTests.Run auto = OpenClTests.cli(OpenClTests.classPath(), env, "--backend", "auto", "golden", "golden/basic-model");
        assertEquals(0, auto.code(), auto.toString());
        assertTrue(auto.err().contains("note: ") && auto.err().contains("running on the CPU backend"), auto.toString());
        assertTrue(auto.out().startsWith("PASS"), auto.toString());
    }

    @Test
    void withoutJoclOnTheClassPath() throws Exception {
        String cp = Arrays.stream(OpenClTests.classPath().split(File.pathSeparator)).filter(e -> !e.contains("jocl"))
                .collect(Collectors.joining(File.pathSeparator));
        OpenClTests.Run explicit = OpenClTests.cli(cp, Map.<String, String>of(), "golden", "--backend", "opencl", "golden/basic-model");
        assertEquals(2, explicit.code(), explicit.toString());
        assertTrue(explicit.err().contains("JOCL (org.jocl:jocl) is not on the class path"), explicit.toString());
        OpenClTests.Run auto = OpenClTests.cli(cp, Map.<String, String>of(), "golden", "--backend", "auto", "golden/basic-model");
        assertEquals(0, auto.code(), auto.toString());
        assertTrue(auto.err().contains("JOCL (org.jocl:jocl) is not on the class path; running on the CPU backend"),
                auto.toString());
        assertTrue(auto.out().startsWith("PASS"), auto.toString());
    }

    @Test
    void theCpuPathLoadsNoJoclClass() throws Exception {
        OpenClTests.Run cpu = OpenClTests.cli(OpenClTests.classPath(), Map.<String, String>of(), "-Xlog:class+load=info", "golden", "golden/basic-model");
        assertEquals(0, cpu.code(), cpu.toString());
        assertTrue(cpu.out().contains("perceiver.golden.GoldenRunner"), "class loading is logged");
        assertFalse(cpu.out().contains("org.jocl") || cpu.out().contains("perceiver.tensor.opencl"), "a JOCL class was loaded");
    }
}
