package perceiver.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import perceiver.checkpoint.RestrictedUnpickler.TensorRef;

/** Hand-written pickle programs: what the interpreter accepts and, above all, what it refuses. */
class RestrictedUnpicklerTest {
    /** A pickle program written with Python-style escapes: {@code \x80} and {@code \n} map to single bytes. */
    private static ByteBuffer program(String text) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < text.length(); i++) {
            if (text.startsWith("\\n", i)) {
                out.write('\n');
                i += 1;
            } else if (text.startsWith("\\x", i)) {
                out.write(Integer.parseInt(text.substring(i + 2, i + 4), 16));
                i += 3;
            } else {
                out.writeBytes(String.valueOf(text.charAt(i)).getBytes(StandardCharsets.UTF_8));
            }
        }
        return ByteBuffer.wrap(out.toByteArray());
    }

    private static Object load(String text) { return RestrictedUnpickler.load("f.pt: a/data.pkl", program(text)); }

    private static String refusal(String text) {
        return assertThrows(CheckpointException.class, () -> load(text)).getMessage();
    }

    private static String str(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        return "\\x8c" + String.format("\\x%02x", b.length) + s;
    }

    @Test
    void plainValues() {
        Object v = load("\\x80\\x04](K\\x07M\\x10\\x27J\\xff\\xff\\xff\\xff\\x8a\\x05\\x00\\x00\\x00\\x00\\x01"
                + "G\\x3f\\xf8\\x00\\x00\\x00\\x00\\x00\\x00N\\x88\\x89" + str("é") + "e.");
        assertEquals(List.of(7L, 10000L, -1L, 1L << 32, 1.5, "é"), ((List<?>) v).stream()
                .filter(x -> x != null && !(x instanceof Boolean)).toList());
        assertEquals(9, ((List<?>) v).size());
    }

    @Test
    void stateDictWithSharedStorage() {
        String pid = "(" + str("storage") + "ctorch\nFloatStorage\n" + str("0") + str("cpu") + "K\\x06tQ";
        String tensor = "ctorch._utils\n_rebuild_tensor_v2\n(" + pid + "K\\x00K\\x02K\\x03\\x86K\\x01K\\x02\\x86\\x89}tR";
        Object v = load("\\x80\\x02}(" + str("a") + tensor + str("b") + tensor + "u.");
        Map<?, ?> dict = (Map<?, ?>) v;
        TensorRef a = (TensorRef) dict.get("a");
        TensorRef b = (TensorRef) dict.get("b");
        assertTrue(a.storage() == b.storage());
        assertEquals(DType.F32, a.storage().dtype());
        assertEquals(List.of(2, 3), List.of(a.shape()[0], a.shape()[1]));
        assertEquals(List.of(1L, 2L), List.of(a.strides()[0], a.strides()[1]));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
            "\\x80\\x02csubprocess\\nPopen\\n.                        | global 'subprocess.Popen' is not allowed",
            "\\x80\\x02cbuiltins\\ngetattr\\n.                         | global 'builtins.getattr' is not allowed",
            "\\x80\\x02cos\\nsystem\\n.                                | at byte 2: global 'os.system'",
            "\\x80\\x02(cos\\nsystem\\nS'ls'\\ni.                       | global 'os.system' is not allowed",
            "\\x80\\x02(S'x'\\ni.                                     | unsupported pickle opcode 0x53 ('S')",
            "\\x80\\x02(\\x8c\\x02osX\\x06\\x00\\x00\\x00systemi.     | unsupported pickle opcode 0x69 ('i')",
            "\\x80\\x02)\\x81.                                        | unsupported pickle opcode 0x81",
            "\\x80\\x02K\\x01\\x82\\x01.                              | unsupported pickle opcode 0x82",
            "\\x80\\x02X\\x02\\x00\\x00\\x00hi)R.                     | REDUCE of 'hi' is not allowed",
            "\\x80\\x02ccollections\\nOrderedDict\\nK\\x01\\x85R.       | collections.OrderedDict with arguments (1)",
            "\\x80\\x02ctorch\\nLongStorage\\n)R.                      | REDUCE of 'torch.LongStorage' is not allowed",
            "\\x80\\x02}]b.                                           | BUILD of dict of 0 with state []",
            "\\x80\\x02]}b.                                           | BUILD of [] with state dict of 0",
            "\\x80\\x02h\\x05.                                        | memo index 5 was never stored",
            "\\x80\\x02}(]K\\x01u.                                    | dict key [] is not a str or int",
            "\\x80\\x02}(K\\x01K\\x01K\\x01K\\x02u.                   | dict key 1 is set twice",
            "\\x80\\x06.                                              | pickle protocol 6 is not supported",
            "\\x80\\x02K                                              | pickle ends inside an opcode",
            "\\x80\\x02u.                                             | no MARK to pop to",
            "\\x80\\x02(R.                                            | opcode needs 2 values on the stack, has 0",
            "\\x80\\x02(X\\x07\\x00\\x00\\x00storageK\\x01tQ.         | persistent id must be ('storage'",
            "\\x80\\x02\\x8a\\x09\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x01. | does not fit 64 bits"})
    void refused(String text, String expected) {
        String m = refusal(text);
        assertTrue(m.startsWith("f.pt: a/data.pkl at byte "), m);
        assertTrue(m.contains(expected), m);
    }

    @Test
    void storageDeclaredTwiceDifferently() {
        String pid = "(" + str("storage") + "ctorch\nFloatStorage\n" + str("0") + str("cpu") + "K\\x06tQ";
        String other = "(" + str("storage") + "ctorch\nLongStorage\n" + str("0") + str("cpu") + "K\\x06tQ";
        assertTrue(refusal("\\x80\\x02" + pid + other + ".").contains("storage '0' is declared twice differently"));
    }

    @Test
    void selfReferentialListIsDescribedFinitely() {
        Object v = load("\\x80\\x02]q\\x00h\\x00a.");
        List<?> list = (List<?>) v;
        assertTrue(list.get(0) == list);
        assertEquals("[[[...]]]", RestrictedUnpickler.describe(v));
        assertEquals("(1, 2, 3, 4, 5, 6, 7, 8, ... (9 items))",
                RestrictedUnpickler.describe(new RestrictedUnpickler.Tuple(new ArrayList<>(
                        List.of(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L)))));
    }
}
