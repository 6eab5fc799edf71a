package perceiver.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

/** {@code perceiver info} on golden model directories: the architecture lines and the parameter counts. */
class InfoCommandTest {

    @Test
    void summarisesAClassifierAndCountsEveryParameterOnce() {
        List<String> lines = CliRun.of("info", "golden/seq-classification").ok();
        assertEquals("model class   PerceiverForSequenceClassification", lines.get(0));
        assertTrue(lines.contains("latents       16 x 64 (num_latents x d_latents), input channels d_model 32"), lines.toString());
        assertTrue(lines.contains("labels        3"), lines.toString());
        assertTrue(lines.contains("format        safetensors, 74 tensors, dtypes {F32=74}"), lines.toString());
        String elements = lines.stream().filter(l -> l.startsWith("elements")).findFirst().orElseThrow();
        long total = Long.parseLong(elements.split("\\s+")[1].replace(",", ""));
        assertTrue(elements.endsWith("(" + String.format("%,d", 4 * total) + " bytes)"), elements);
        long byComponent = lines.stream().filter(l -> l.startsWith("  "))
                .mapToLong(l -> Long.parseLong(l.trim().split("\\s+")[1].replace(",", ""))).sum();
        assertEquals(total, byComponent, "components add up to the total");
        assertTrue(lines.stream().anyMatch(l -> l.trim().startsWith("encoder.self_attends ")), lines.toString());
    }

    @Test
    void printsNoLabelCountForAModelWithoutLabels() {
        List<String> lines = CliRun.of("info", "golden/optical-flow").ok();
        assertEquals("model class   PerceiverForOpticalFlow", lines.get(0));
        assertFalse(lines.stream().anyMatch(l -> l.startsWith("labels")), lines.toString());
    }

    @Test
    void aMissingModelIsOneErrorLine() {
        CliRun.of("info", "no/such/model").badInput("no/such/model");
    }
}
