package perceiver.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static perceiver.io.TensorAsserts.assertClose;

import org.junit.jupiter.api.Test;

import perceiver.core.Trace;
import perceiver.io.text.ByteTokenizer;
import perceiver.tensor.CpuBackend;
import perceiver.tensor.LongTensor;
import perceiver.tensor.Tensor;

/**
 * {@link MaskedLanguageModel#fillMask}'s short cut (the unpadded text in, only the masked positions decoded) against
 * the full forward pass of the padded text, on the golden {@code mlm-bytes} model (random weights).
 */
class MaskedLanguageModelTest {
    private static final MaskedLanguageModel MODEL = (MaskedLanguageModel) ModelDirectory.load("golden/mlm-bytes");

    @Test
    void logitsAtPositionsAreThoseRowsOfThePaddedForwardPass() {
        int len = MODEL.config().maxPositionEmbeddings();
        ByteTokenizer.Encoding enc = ByteTokenizer.encode("Perceiver [MASK]O re[MASK]ds bytes: caf[MASK][MASK]", len);
        Tensor full = MODEL.forward(new Inputs().put("inputs", new LongTensor(enc.ids(), new int[] {1, len}))
                .put("attention_mask", new LongTensor(enc.mask(), new int[] {1, len})), Trace.OFF).get("logits");
        long[] ids = java.util.Arrays.copyOf(enc.ids(), enc.used());
        int[] positions = {11, 0, 3, enc.used() - 1, enc.used(), len - 1}; // any order, past the text too
        Tensor some = MODEL.logitsAt(CpuBackend.INSTANCE, ids, positions);
        assertArrayEquals(new int[] {1, positions.length, full.dim(2)}, some.shape());
        for (int i = 0; i < positions.length; i++) {
            assertClose(full.get(0).rows(positions[i], positions[i] + 1), some.get(0).rows(i, i + 1), 1e-5,
                    "position " + positions[i]);
        }
        assertArrayEquals(new int[] {1, 0, full.dim(2)}, MODEL.logitsAt(CpuBackend.INSTANCE, ids, new int[0]).shape());
    }

    @Test
    void fillMaskTakesTheMostLikelyByteOfTheFullForwardPass() {
        String text = "Bytes [MASK][MASK] in, [MASK]ytes out";
        int len = MODEL.config().maxPositionEmbeddings();
        ByteTokenizer.Encoding enc = ByteTokenizer.encode(text, len);
        Tensor full = MODEL.forward(new Inputs().put("inputs", new LongTensor(enc.ids(), new int[] {1, len}))
                .put("attention_mask", new LongTensor(enc.mask(), new int[] {1, len})), Trace.OFF).get("logits");
        long[] expected = enc.ids().clone();
        for (int i = 0; i < enc.used(); i++) {
            if (expected[i] != ByteTokenizer.MASK) continue;
            int best = ByteTokenizer.OFFSET;
            for (int v = ByteTokenizer.OFFSET; v < full.dim(2); v++) if (full.at(0, i, v) > full.at(0, i, best)) best = v;
            expected[i] = best;
        }
        assertEquals(ByteTokenizer.decode(expected, 0, enc.used()), MODEL.fillMask(text));
    }
}
