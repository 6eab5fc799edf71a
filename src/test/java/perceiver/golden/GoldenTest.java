package perceiver.golden;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Every golden case folder under {@code golden/}: each must PASS (an unsupported model class fails too), and the
 * nine reference cases of {@link #REQUIRED} must be present, so a lost folder cannot pass by absence.
 */
class GoldenTest {
    static final Path GOLDEN = Path.of("golden");
    static final List<String> REQUIRED = List.of("basic-model", "mlm-bytes", "seq-classification", "image-learned",
            "image-fourier", "image-conv", "optical-flow", "multimodal-autoencoding", "fourier-features");

    @TestFactory
    Stream<DynamicTest> everyGoldenCase() throws IOException {
        List<Path> dirs;
        try (Stream<Path> s = Files.list(GOLDEN)) {
            dirs = s.filter(Files::isDirectory).filter(d -> Files.isRegularFile(d.resolve("io.safetensors"))).sorted().toList();
        }
        return dirs.stream().map(dir -> DynamicTest.dynamicTest(dir.getFileName().toString(), () -> {
            GoldenCase c = GoldenRunner.run(dir);
            System.out.println(c.summary());
            c.detailLines().forEach(System.out::println);
            assertEquals(GoldenCase.Status.PASS, c.status(), c.summary());
        }));
    }

    @org.junit.jupiter.api.Test
    void requiredCasesArePresent() {
        for (String r : REQUIRED) {
            org.junit.jupiter.api.Assertions.assertTrue(Files.isRegularFile(GOLDEN.resolve(r).resolve("io.safetensors")), r);
        }
    }
}
