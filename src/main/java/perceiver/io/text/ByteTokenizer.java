package perceiver.io.text;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * HF's {@code PerceiverTokenizer}: UTF-8 bytes, byte {@code b → b + 6}; specials [PAD]=0 [BOS]=1 [EOS]=2 [MASK]=3
 * [CLS]=4 [SEP]=5; a sequence is {@code [CLS] bytes [SEP]} then [PAD]s up to the length asked for. Vocabulary 262.
 * The literal text {@code [MASK]} in {@link #encode} stands for one masked byte.
 */
public final class ByteTokenizer {
    public static final int PAD = 0, BOS = 1, EOS = 2, MASK = 3, CLS = 4, SEP = 5, OFFSET = 6, VOCAB = 262;
    private static final String MASK_TEXT = "[MASK]";

    private ByteTokenizer() {}

    /** Token ids and attention mask (1 = keep, 0 = pad) of one text, padded to {@code length}. */
    public record Encoding(long[] ids, long[] mask, int used) {}

    /**
     * Encodes {@code text}, {@code [MASK]} marks becoming mask tokens, padded to {@code length}.
     *
     * @throws IllegalArgumentException if the text needs more than {@code length} tokens
     */
    public static Encoding encode(String text, int length) {
        ByteArrayOutputStream tokens = new ByteArrayOutputStream();
        tokens.write(CLS);
        int i = 0;
        while (i < text.length()) {
            int next = text.indexOf(MASK_TEXT, i);
            int end = next < 0 ? text.length() : next;
            for (byte b : text.substring(i, end).getBytes(StandardCharsets.UTF_8)) tokens.write((b & 0xff) + OFFSET);
            if (next < 0) break;
            tokens.write(MASK);
            i = next + MASK_TEXT.length();
        }
        tokens.write(SEP);
        byte[] t = tokens.toByteArray();
        if (t.length > length) {
            throw new IllegalArgumentException("text needs " + t.length + " tokens ([CLS] + " + (t.length - 2)
                    + " bytes + [SEP]), the model takes at most " + length);
        }
        long[] ids = new long[length];
        long[] mask = new long[length];
        for (int k = 0; k < t.length; k++) {
            ids[k] = t[k] & 0xff;
            mask[k] = 1;
        }
        return new Encoding(ids, mask, t.length);
    }

    /** Decodes byte tokens to text, skipping special tokens (invalid UTF-8 becomes U+FFFD). */
    public static String decode(long[] ids, int from, int to) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (int k = from; k < to; k++) {
            if (ids[k] >= OFFSET && ids[k] < VOCAB) bytes.write((int) ids[k] - OFFSET);
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }
}
