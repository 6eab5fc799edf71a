package perceiver.golden;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Every golden case folder under {@code golden/} and {@code golden/golden-hf-train/}: each must PASS (an unsupported
 * model class fails too), the image processor bit for bit, and the ten reference cases of {@link #REQUIRED} must be
 * present, so a lost folder cannot pass by absence.
 */
class GoldenTest {
    static final Path GOLDEN = Path.of("golden");
    static final List<String> REQUIRED = List.of("basic-model", "mlm-bytes", "seq-classification", "image-learned",
            "image-fourier", "image-conv", "optical-flow", "multimodal-autoencoding", "fourier-features",
            "golden-hf-train/image-processor");

    @TestFactory
    Stream<DynamicTest> everyGoldenCase() {
        List<Path> dirs = new ArrayList<>(GoldenRunner.casesIn(GOLDEN));
        dirs.addAll(GoldenRunner.casesIn(GOLDEN.resolve("golden-hf-train")));
        return dirs.stream().map(dir -> DynamicTest.dynamicTest(GOLDEN.relativize(dir).toString(), () -> {
            GoldenCase c = GoldenRunner.run(dir);
            System.out.println(c.summary());
            c.detailLines().forEach(System.out::println);
            assertEquals(GoldenCase.Status.PASS, c.status(), c.summary());
            if (dir.endsWith("image-processor")) { // HF + Pillow reproduced exactly: crop, bicubic resize, normalisation
                for (GoldenCase.Comparison t : c.comparisons()) assertEquals(0, t.maxAbs(), t.name());
            }
        }));
    }

    @org.junit.jupiter.api.Test
    void requiredCasesArePresent() {
        for (String r : REQUIRED) {
            org.junit.jupiter.api.Assertions.assertTrue(Files.isRegularFile(GOLDEN.resolve(r).resolve("io.safetensors")), r);
        }
    }
}
