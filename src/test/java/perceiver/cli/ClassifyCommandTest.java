package perceiver.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import perceiver.api.MediaFixtures;

/** {@code perceiver classify} on the golden image classifiers (random weights: structure, not predictions). */
class ClassifyCommandTest {
    @TempDir
    Path tmp;

    @Test
    void printsEveryLabelOncePerImageWithProbabilitiesSummingToOne() {
        // image-fourier has 4 labels: --top 4 prints them all
        List<String> lines = CliRun.of("classify", "--model", "golden/image-fourier", "--top", "4",
                MediaFixtures.RGB_IMAGE, MediaFixtures.GRAY_IMAGE).ok();
        assertEquals(2 * 5, lines.size(), String.join("\n", lines));
        assertEquals(MediaFixtures.RGB_IMAGE + ":", lines.get(0));
        assertEquals(MediaFixtures.GRAY_IMAGE + ":", lines.get(5));
        for (int image = 0; image < 2; image++) {
            double sum = 0, previous = 1;
            Set<String> labels = new HashSet<>();
            for (String line : lines.subList(5 * image + 1, 5 * image + 5)) {
                String[] parts = line.trim().split("\\s+");
                double p = Double.parseDouble(parts[0]);
                assertTrue(p <= previous, "most probable first: " + lines);
                previous = p;
                sum += p;
                labels.add(parts[1]);
            }
            assertEquals(Set.of("LABEL_0", "LABEL_1", "LABEL_2", "LABEL_3"), labels);
            assertEquals(1, sum, 4 * 0.00005 + 1e-9, "printed to 4 decimals");
        }
    }

    @Test
    void topLimitsTheLinesPerImage() {
        List<String> lines = CliRun.of("classify", "-m", "golden/image-conv", "--top", "2", MediaFixtures.GRAY_IMAGE).ok();
        assertEquals(3, lines.size(), String.join("\n", lines));
        CliRun.of("classify", "-m", "golden/image-conv", "--top", "0", MediaFixtures.GRAY_IMAGE).badInput("--top", "0");
    }

    @Test
    void learnedPositionsOfAnotherSizeAreAnError() {
        CliRun.of("classify", "--model", "golden/image-learned", MediaFixtures.RGB_IMAGE)
                .badInput("golden/image-learned", "16x16", "224x224");
    }

    @Test
    void unreadableImagesAndModelsAreOneErrorLine() throws Exception {
        Path bad = Files.writeString(tmp.resolve("bad.png"), "not a PNG");
        CliRun.of("classify", "--model", "golden/image-conv", MediaFixtures.RGB_IMAGE, bad).badInput(bad.toString(), "not a readable image");
        CliRun.of("classify", "--model", "golden/image-conv", tmp.resolve("missing.png")).badInput("missing.png", "no such image file");

        Path model = Files.createDirectory(tmp.resolve("model"));
        CliRun.of("classify", "--model", model, MediaFixtures.RGB_IMAGE).badInput(model.toString(), "no config.json");
        Files.copy(Path.of("golden/image-conv/config.json"), model.resolve("config.json"));
        CliRun.of("classify", "--model", model, MediaFixtures.RGB_IMAGE).badInput(model.toString(), "no weights file");
        CliRun.of("classify", MediaFixtures.RGB_IMAGE).badInput("--model DIR is required");
        CliRun.of("classify", "--model", "golden/seq-classification", MediaFixtures.RGB_IMAGE).badInput("not an image classifier");
    }
}
