package perceiver.tensor.opencl;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import perceiver.golden.GoldenCase;
import perceiver.golden.GoldenRunner;
import perceiver.tensor.Backend;
import perceiver.tensor.PackedMatrix;
import perceiver.tensor.Tensor;

/**
 * Every golden case through the OpenCL backend, under the golden tolerance ({@link GoldenRunner#TOLERANCE}) and with
 * masked probabilities exactly 0; the fourier-features function case has no model and runs on the host.
 */
class OpenClGoldenTest {
    @TestFactory
    Stream<DynamicTest> everyGoldenCaseThroughOpenCl() throws IOException {
        return cases(OpenClTests.backend());
    }

    /**
     * The same with every layer's attention output from the streamed kernel (online softmax over key blocks, the
     * path of an untraced forward pass); the recorded probabilities still come from the materialised path.
     */
    @TestFactory
    Stream<DynamicTest> everyGoldenCaseThroughStreamedAttention() throws IOException {
        return cases(new StreamedAttention(OpenClTests.backend()));
    }

    private static Stream<DynamicTest> cases(Backend<ClArray> be) throws IOException {
        try (Stream<Path> s = Files.list(Path.of("golden"))) {
            return s.filter(d -> Files.isRegularFile(d.resolve("io.safetensors"))).sorted().toList().stream()
                    .map(dir -> DynamicTest.dynamicTest(dir.getFileName().toString(), () -> {
                        GoldenCase c = GoldenRunner.run(dir, be);
                        System.out.println("[" + be.name() + "] " + c.summary());
                        c.detailLines().forEach(System.out::println);
                        assertEquals(GoldenCase.Status.PASS, c.status(), c.summary());
                    }));
        }
    }

    /** The OpenCL backend with {@link #attend} always answered by the streamed kernel. */
    private record StreamedAttention(OpenClBackend be) implements Backend<ClArray> {
        @Override public String name() { return be.name() + " streamed"; }
        @Override public ClArray upload(Tensor host) { return be.upload(host); }
        @Override public Tensor download(ClArray array) { return be.download(array); }
        @Override public int[] shape(ClArray array) { return be.shape(array); }
        @Override public ClArray linear(ClArray x, PackedMatrix w, Tensor bias) { return be.linear(x, w, bias); }
        @Override public ClArray layerNorm(ClArray x, Tensor g, Tensor b, float eps) { return be.layerNorm(x, g, b, eps); }
        @Override public ClArray gelu(ClArray x) { return be.gelu(x); }
        @Override public ClArray add(ClArray a, ClArray b) { return be.add(a, b); }
        @Override public ClArray repeat(Tensor weight, int times) { return be.repeat(weight, times); }
        @Override public Scope scope() { return be.scope(); }

        @Override
        public ClArray attend(ClArray q, ClArray k, ClArray v, int heads, float[][] mask, Tensor probs) {
            if (probs != null) be.attend(q, k, v, heads, mask, probs);
            return be.attend(q, k, v, heads, mask, null);
        }
    }
}
