package perceiver.checkpoint;

import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Interprets the pickle program of a PyTorch state dict as inert data, executing and instantiating nothing.
 * Only the opcodes a state dict uses (protocols 2 to 5) are known, and only an allow-list of globals may be named:
 * {@code collections.OrderedDict}, {@code torch._utils._rebuild_tensor_v2}, {@code torch._utils._rebuild_parameter}
 * and the typed storage classes ({@code torch.FloatStorage} ...). REDUCE is interpreted for the first three only;
 * storage classes may only appear inside persistent ids. Anything else is a {@link CheckpointException}.
 */
final class RestrictedUnpickler {
    /** A named global from the allow-list; {@code storage} is its element type for storage classes, else null. */
    record Global(String name, DType storage) {}

    /** A Python tuple (may hold None as null). */
    record Tuple(List<Object> items) {}

    /** A storage named by a persistent id {@code ('storage', StorageClass, key, location, numel)}. */
    record StorageRef(String key, DType dtype, String location, long numel) {}

    /** A tensor view of a storage: element offset, shape and element strides. */
    record TensorRef(StorageRef storage, long offset, int[] shape, long[] strides) {}

    private static final String ORDERED_DICT = "collections.OrderedDict";
    private static final String REBUILD_TENSOR = "torch._utils._rebuild_tensor_v2";
    private static final String REBUILD_PARAMETER = "torch._utils._rebuild_parameter";
    private static final Map<String, DType> STORAGES = Map.ofEntries(
            Map.entry("torch.DoubleStorage", DType.F64), Map.entry("torch.FloatStorage", DType.F32),
            Map.entry("torch.HalfStorage", DType.F16), Map.entry("torch.BFloat16Storage", DType.BF16),
            Map.entry("torch.LongStorage", DType.I64), Map.entry("torch.IntStorage", DType.I32),
            Map.entry("torch.ShortStorage", DType.I16), Map.entry("torch.CharStorage", DType.I8),
            Map.entry("torch.ByteStorage", DType.U8), Map.entry("torch.BoolStorage", DType.BOOL));

    private final String where;
    private final ByteBuffer in;
    private final List<Object> stack = new ArrayList<>();
    private final List<Integer> marks = new ArrayList<>();
    private final Map<Long, Object> memo = new HashMap<>();
    private final Map<String, StorageRef> storages = new HashMap<>();
    private int opcodeStart;

    private RestrictedUnpickler(String where, ByteBuffer program) {
        this.where = where;
        this.in = program.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    }

    /**
     * Runs {@code program} and returns the object it builds; {@code where} (file and entry) prefixes messages.
     * Dicts come back as {@link LinkedHashMap}, lists as {@link ArrayList}, ints as {@link Long}, None as null.
     */
    static Object load(String where, ByteBuffer program) {
        return new RestrictedUnpickler(where, program).run();
    }

    private Object run() {
        while (true) {
            opcodeStart = in.position();
            int op = u8();
            switch (op) {
                case 0x80 -> protocol(u8());                                  // PROTO
                case 0x95 -> bytes(8);                                        // FRAME (length unused)
                case '}' -> push(new LinkedHashMap<>());                      // EMPTY_DICT
                case ']' -> push(new ArrayList<>());                          // EMPTY_LIST
                case ')' -> push(new Tuple(List.of()));                       // EMPTY_TUPLE
                case '(' -> marks.add(stack.size());                          // MARK
                case 'X' -> push(string(u32()));                              // BINUNICODE
                case 0x8c -> push(string(u8()));                              // SHORT_BINUNICODE
                case 0x8d -> push(string(i64()));                             // BINUNICODE8
                case 'q' -> memo.put((long) u8(), peek());                    // BINPUT
                case 'r' -> memo.put(u32(), peek());                          // LONG_BINPUT
                case 0x94 -> memo.put((long) memo.size(), peek());            // MEMOIZE
                case 'h' -> push(memoGet(u8()));                              // BINGET
                case 'j' -> push(memoGet(u32()));                             // LONG_BINGET
                case 'J' -> push((long) (int) u32());                         // BININT
                case 'K' -> push((long) u8());                                // BININT1
                case 'M' -> push((long) (u8() | u8() << 8));                  // BININT2
                case 0x8a -> push(long1(u8()));                               // LONG1
                case 'G' -> push(ByteBuffer.wrap(bytes(8)).getDouble());      // BINFLOAT (big-endian)
                case 'N' -> push(null);                                       // NONE
                case 0x88 -> push(Boolean.TRUE);                              // NEWTRUE
                case 0x89 -> push(Boolean.FALSE);                             // NEWFALSE
                case 't' -> push(new Tuple(popMark()));                           // TUPLE
                case 0x85 -> push(new Tuple(popN(1)));                            // TUPLE1
                case 0x86 -> push(new Tuple(popN(2)));                            // TUPLE2
                case 0x87 -> push(new Tuple(popN(3)));                            // TUPLE3
                case 'a' -> appendTo(popN(1));                                // APPEND
                case 'e' -> appendTo(popMark());                              // APPENDS
                case 's' -> setItems(popN(2));                                // SETITEM
                case 'u' -> setItems(popMark());                              // SETITEMS
                case 'c' -> push(global(line(), line()));                     // GLOBAL
                case 0x93 -> push(stackGlobal(popN(2)));                      // STACK_GLOBAL
                case 'R' -> push(reduce(popN(2)));                            // REDUCE
                case 'b' -> build(popN(1).get(0));                            // BUILD
                case 'Q' -> push(persistent(popN(1).get(0)));                 // BINPERSID
                case '.' -> {                                                  // STOP
                    return popN(1).get(0);
                }
                default -> throw fail(String.format("unsupported pickle opcode 0x%02x%s; a state dict of tensors"
                        + " does not use it", op, op >= 0x20 && op < 0x7f ? " ('" + (char) op + "')" : ""));
            }
        }
    }

    private void protocol(int version) {
        if (version < 2 || version > 5) throw fail("pickle protocol " + version + " is not supported (2 to 5 are)");
    }

    private Object global(String module, String name) {
        String full = module + "." + name;
        if (full.equals(ORDERED_DICT) || full.equals(REBUILD_TENSOR) || full.equals(REBUILD_PARAMETER)
                || STORAGES.containsKey(full)) {
            return new Global(full, STORAGES.get(full));
        }
        throw fail("global '" + full + "' is not allowed; a state dict may only name " + ORDERED_DICT + ", "
                + REBUILD_TENSOR + ", " + REBUILD_PARAMETER + " and torch storage types (nothing is executed)");
    }

    private Object stackGlobal(List<Object> moduleAndName) {
        if (!(moduleAndName.get(0) instanceof String module) || !(moduleAndName.get(1) instanceof String name)) {
            throw fail("STACK_GLOBAL needs two strings, found " + describe(moduleAndName.get(0)) + " and "
                    + describe(moduleAndName.get(1)));
        }
        return global(module, name);
    }

    private Object reduce(List<Object> callableAndArgs) {
        if (!(callableAndArgs.get(0) instanceof Global g)) {
            throw fail("REDUCE of " + describe(callableAndArgs.get(0)) + " is not allowed; only allow-listed globals"
                    + " are interpreted");
        }
        List<Object> args = tupleItems(callableAndArgs.get(1), "arguments of " + g.name());
        return switch (g.name()) {
            case ORDERED_DICT -> {
                if (!args.isEmpty()) {
                    throw fail(ORDERED_DICT + " with arguments " + describe(new Tuple(args)) + " is not supported");
                }
                yield new LinkedHashMap<>();
            }
            case REBUILD_TENSOR -> rebuildTensor(args);
            case REBUILD_PARAMETER -> {
                if (args.size() != 3 || !(args.get(0) instanceof TensorRef t)) {
                    throw fail(REBUILD_PARAMETER + " needs (tensor, requires_grad, hooks), found "
                            + describe(new Tuple(args)));
                }
                yield t;
            }
            default -> throw fail("REDUCE of '" + g.name() + "' is not allowed; a storage type may only appear in a"
                    + " persistent id");
        };
    }

    /** {@code _rebuild_tensor_v2(storage, offset, size, stride, requires_grad, backward_hooks[, metadata])}. */
    private TensorRef rebuildTensor(List<Object> args) {
        if (args.size() < 6 || args.size() > 7 || !(args.get(0) instanceof StorageRef storage)) {
            throw fail(REBUILD_TENSOR + " needs (storage, offset, size, stride, requires_grad, hooks[, metadata]),"
                    + " found " + describe(new Tuple(args)));
        }
        long offset = integer(args.get(1), "storage offset");
        List<Object> size = tupleItems(args.get(2), "tensor size");
        List<Object> stride = tupleItems(args.get(3), "tensor stride");
        if (size.size() != stride.size()) {
            throw fail("tensor size " + describe(new Tuple(size)) + " and stride " + describe(new Tuple(stride))
                    + " differ in rank");
        }
        int[] shape = new int[size.size()];
        long[] strides = new long[size.size()];
        for (int i = 0; i < shape.length; i++) {
            long d = integer(size.get(i), "tensor size");
            if (d > Integer.MAX_VALUE) throw fail("tensor dimension " + d + " exceeds " + Integer.MAX_VALUE);
            shape[i] = (int) d;
            strides[i] = integer(stride.get(i), "tensor stride");
        }
        if (args.get(5) instanceof Map<?, ?> hooks && !hooks.isEmpty()) {
            throw fail("tensor with backward hooks " + describe(hooks) + " is not supported");
        }
        return new TensorRef(storage, offset, shape, strides);
    }

    private void build(Object state) {
        Object target = peek();
        if (!(target instanceof Map<?, ?>) || !(state instanceof Map<?, ?>)) {
            throw fail("BUILD of " + describe(target) + " with state " + describe(state) + " is not supported;"
                    + " only dict attributes (such as a state dict's _metadata) are accepted");
        }
    }

    private StorageRef persistent(Object pid) {
        List<Object> items = tupleItems(pid, "persistent id");
        if (items.size() != 5 || !"storage".equals(items.get(0)) || !(items.get(1) instanceof Global g)
                || g.storage() == null || !(items.get(2) instanceof String key)
                || !(items.get(3) instanceof String location)) {
            throw fail("persistent id must be ('storage', torch.<Type>Storage, key, location, numel), found "
                    + describe(new Tuple(items)));
        }
        StorageRef ref = new StorageRef(key, g.storage(), location, integer(items.get(4), "storage numel"));
        StorageRef earlier = storages.putIfAbsent(key, ref);
        if (earlier != null && !earlier.equals(ref)) {
            throw fail("storage '" + key + "' is declared twice differently: " + earlier + " and " + ref);
        }
        return earlier != null ? earlier : ref;
    }

    private void appendTo(List<Object> items) {
        if (!(peek() instanceof List<?>)) throw fail("APPEND to " + describe(peek()) + ", not a list");
        @SuppressWarnings("unchecked")
        List<Object> list = (List<Object>) peek();
        list.addAll(items);
    }

    private void setItems(List<Object> keysAndValues) {
        if (!(peek() instanceof Map<?, ?>) || keysAndValues.size() % 2 != 0) {
            throw fail("SETITEM(S) of " + keysAndValues.size() + " values on " + describe(peek()));
        }
        @SuppressWarnings("unchecked")
        Map<Object, Object> dict = (Map<Object, Object>) peek();
        for (int i = 0; i < keysAndValues.size(); i += 2) {
            Object key = keysAndValues.get(i);
            if (!(key instanceof String || key instanceof Long || key instanceof Boolean)) {
                throw fail("dict key " + describe(key) + " is not a str or int");
            }
            if (dict.containsKey(key)) throw fail("dict key " + describe(key) + " is set twice");
            dict.put(key, keysAndValues.get(i + 1));
        }
    }

    private long integer(Object v, String what) {
        if (!(v instanceof Long n) || n < 0) throw fail(what + " must be a non-negative int, found " + describe(v));
        return n;
    }

    private List<Object> tupleItems(Object v, String what) {
        if (!(v instanceof Tuple t)) throw fail(what + " must be a tuple, found " + describe(v));
        return t.items();
    }

    /** A short Python-like description of a value for messages (nested containers to depth 2). */
    static String describe(Object v) { return describe(v, 0); }

    private static String describe(Object v, int depth) {
        return switch (v) {
            case null -> "None";
            case String s -> "'" + (s.length() > 60 ? s.substring(0, 60) + "..." : s) + "'";
            case Long n -> n.toString();
            case Global g -> g.name();
            case Tuple t -> "(" + describeItems(t.items(), depth) + ")";
            case List<?> l -> "[" + describeItems(l, depth) + "]";
            case Map<?, ?> m -> "dict of " + m.size();
            case StorageRef s -> "storage '" + s.key() + "'";
            case TensorRef t -> "tensor";
            default -> v.getClass().getSimpleName().toLowerCase() + " " + v;
        };
    }

    private static String describeItems(List<?> items, int depth) {
        if (depth >= 2) return "...";
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < Math.min(items.size(), 8); i++) {
            s.append(i == 0 ? "" : ", ").append(describe(items.get(i), depth + 1));
        }
        return s.append(items.size() > 8 ? ", ... (" + items.size() + " items)" : "").toString();
    }

    // --- the machine: stack, marks, memo and reading the program ---

    private void push(Object v) { stack.add(v); }

    private Object peek() {
        if (stack.isEmpty()) throw fail("stack is empty");
        return stack.get(stack.size() - 1);
    }

    /** Pops the top {@code n} values, bottom first. */
    private List<Object> popN(int n) {
        int from = stack.size() - n;
        if (from < (marks.isEmpty() ? 0 : marks.get(marks.size() - 1))) {
            throw fail("opcode needs " + n + " values on the stack, has " + stack.size());
        }
        List<Object> top = new ArrayList<>(stack.subList(from, stack.size()));
        stack.subList(from, stack.size()).clear();
        return Collections.unmodifiableList(top);
    }

    /** Pops everything above the last MARK, and the mark. */
    private List<Object> popMark() {
        if (marks.isEmpty()) throw fail("no MARK to pop to");
        int from = marks.remove(marks.size() - 1);
        List<Object> top = new ArrayList<>(stack.subList(from, stack.size()));
        stack.subList(from, stack.size()).clear();
        return Collections.unmodifiableList(top);
    }

    private Object memoGet(long index) {
        if (!memo.containsKey(index)) throw fail("memo index " + index + " was never stored");
        return memo.get(index);
    }

    private int u8() {
        if (!in.hasRemaining()) throw truncatedError();
        return in.get() & 0xff;
    }

    private long u32() {
        if (in.remaining() < 4) throw truncatedError();
        return in.getInt() & 0xffffffffL;
    }

    private byte[] bytes(long n) {
        if (n > in.remaining()) throw truncatedError();
        byte[] b = new byte[(int) n];
        in.get(b);
        return b;
    }

    private String string(long length) { return new String(bytes(length), StandardCharsets.UTF_8); }

    private long i64() {
        if (in.remaining() < 8) throw truncatedError();
        return in.getLong();
    }

    private long long1(int n) {
        byte[] le = bytes(n);
        byte[] be = new byte[Math.max(1, n)];
        for (int i = 0; i < n; i++) be[n - 1 - i] = le[i];
        BigInteger v = n == 0 ? BigInteger.ZERO : new BigInteger(be);
        if (v.bitLength() > 63) throw fail("integer " + v + " does not fit 64 bits");
        return v.longValue();
    }

    /** A newline-terminated ASCII line (GLOBAL's module and name). */
    private String line() {
        StringBuilder s = new StringBuilder();
        for (int c = u8(); c != '\n'; c = u8()) {
            if (s.length() >= 256) throw fail("GLOBAL name longer than 256 characters");
            s.append((char) c);
        }
        return s.toString();
    }

    private CheckpointException truncatedError() {
        return fail("pickle ends inside an opcode (" + in.limit() + " bytes; no STOP)");
    }

    private CheckpointException fail(String message) {
        return new CheckpointException(where + " at byte " + opcodeStart + ": " + message);
    }
}
