package perceiver.checkpoint;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;

import perceiver.tensor.Tensor;

/**
 * TEST ONLY: writes a state dict the way {@code torch.save(OrderedDict, path)} of PyTorch 1.13 does (the version
 * that wrote {@code testdata/checkpoint/golden-bin/}; for those files the output is byte for byte the same).
 *
 * <p>Layout: a zip whose entries lie under the archive name (the file name without its extension), all stored,
 * each data start aligned to 64 bytes by a {@code "FB"} extra field padded with {@code 'Z'}, sizes and CRC in a
 * data descriptor after the data, then the central directory, a ZIP64 end record and locator, and the end record:
 * <ul>
 *   <li>{@code <archive>/data.pkl}: pickle protocol 2 of an {@code OrderedDict} mapping each name to
 *       {@code torch._utils._rebuild_tensor_v2(persistent_load(('storage', torch.<T>Storage, key, 'cpu', numel)),
 *       0, size, stride, False, OrderedDict())}, memoized the way Python's pickler memoizes;</li>
 *   <li>{@code <archive>/data/<key>}: each tensor's own storage, raw little-endian, keys {@code 0, 1, ...} in
 *       state-dict order, written in string order of the keys;</li>
 *   <li>{@code <archive>/version}: {@code "3\n"}.</li>
 * </ul>
 * Tensors are read from the store and written one at a time. Entries over 4 GB (ZIP64 entries) are not written.
 */
public final class TorchZipWriter {
    private static final Map<DType, String> STORAGE_CLASSES = Map.of(DType.F64, "DoubleStorage",
            DType.F32, "FloatStorage", DType.F16, "HalfStorage", DType.BF16, "BFloat16Storage",
            DType.I64, "LongStorage", DType.I32, "IntStorage", DType.I16, "ShortStorage", DType.I8, "CharStorage",
            DType.U8, "ByteStorage", DType.BOOL, "BoolStorage");
    private static final int ALIGNMENT = 64;
    private static final long U32 = 0xffffffffL;

    private TorchZipWriter() {}

    /** Writes every tensor of {@code store}, in its order and with its dtypes, as {@code torch.save} would. */
    public static void write(TensorStore store, Path out) {
        String file = out.getFileName().toString();
        String archive = file.contains(".") ? file.substring(0, file.lastIndexOf('.')) : file;
        List<String> names = store.names();
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < names.size(); i++) keys.add(String.valueOf(i));
        try (FileChannel channel = FileChannel.open(out, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ZipOut zip = new ZipOut(channel);
            zip.record(archive + "/data.pkl", ByteBuffer.wrap(pickle(store)));
            for (String key : keys.stream().sorted().toList()) {
                zip.record(archive + "/data/" + key, storage(store, names.get(Integer.parseInt(key))));
            }
            zip.record(archive + "/version", ByteBuffer.wrap("3\n".getBytes(StandardCharsets.US_ASCII)));
            zip.finish();
        } catch (IOException e) {
            throw new CheckpointException(out + ": cannot write: " + e.getMessage(), e);
        }
    }

    /** The pickle program of the state dict; tensor {@code i} uses storage key {@code "i"}. */
    static byte[] pickle(TensorStore store) {
        Pickler p = new Pickler();
        p.proto2();
        p.global("collections", "OrderedDict");
        p.op(Pickler.EMPTY_TUPLE).op(Pickler.REDUCE).put();
        List<String> names = store.names();
        for (int from = 0; from < names.size(); from += Pickler.BATCH) {   // Python's _batch_setitems
            int to = Math.min(names.size(), from + Pickler.BATCH);
            if (to - from > 1) p.op(Pickler.MARK);
            for (int i = from; i < to; i++) {
                p.string(names.get(i));
                tensor(p, store.info(names.get(i)), String.valueOf(i));
            }
            p.op(to - from > 1 ? Pickler.SETITEMS : Pickler.SETITEM);
        }
        return p.op(Pickler.STOP).bytes();
    }

    private static void tensor(Pickler p, TensorInfo info, String key) {
        p.global("torch._utils", "_rebuild_tensor_v2");
        p.op(Pickler.MARK);
        p.op(Pickler.MARK);
        p.sharedString("storage");
        p.global("torch", STORAGE_CLASSES.get(info.dtype()));
        p.string(key);
        p.sharedString("cpu");
        p.integer(info.elements());
        p.op(Pickler.TUPLE).put();
        p.op(Pickler.BINPERSID);
        p.integer(0);
        int[] shape = info.shape();
        long[] strides = StoredTensor.rowMajorStrides(shape);
        long[] sizes = new long[shape.length];
        for (int i = 0; i < shape.length; i++) sizes[i] = shape[i];
        p.tuple(sizes);
        p.tuple(strides);
        p.op(Pickler.NEWFALSE);
        p.global("collections", "OrderedDict");
        p.op(Pickler.EMPTY_TUPLE).op(Pickler.REDUCE).put();
        p.op(Pickler.TUPLE).put();
        p.op(Pickler.REDUCE).put();
    }

    /** The tensor's elements in its dtype, little-endian. */
    private static ByteBuffer storage(TensorStore store, String name) {
        TensorInfo info = store.info(name);
        ByteBuffer b = ByteBuffer.allocate(Math.toIntExact(info.elements() * info.dtype().bytes()))
                .order(ByteOrder.LITTLE_ENDIAN);
        if (!info.dtype().isFloat()) {
            for (long v : store.longs(name)) ElementCodec.putLong(b, info.dtype(), v);
        } else if (info.dtype() == DType.F32) {
            Tensor t = store.floats(name);
            b.asFloatBuffer().put(t.data(), t.offset(), t.size());
            b.position(b.limit());
        } else {
            for (float v : store.floats(name).toArray()) ElementCodec.putFloat(b, info.dtype(), v);
        }
        return b.flip();
    }

    /** The subset of Python's pickle protocol 2 a state dict needs, memoized as {@code pickle.Pickler} does. */
    private static final class Pickler {
        static final int BATCH = 1000;
        static final byte MARK = '(', STOP = '.', TUPLE = 't', EMPTY_TUPLE = ')', REDUCE = 'R', BINPERSID = 'Q',
                SETITEM = 's', SETITEMS = 'u', NEWFALSE = (byte) 0x89;
        private static final byte[] TUPLE_N = {EMPTY_TUPLE, (byte) 0x85, (byte) 0x86, (byte) 0x87};

        private final ByteArrayOutputStream out = new ByteArrayOutputStream();
        /** Memo indices of the objects Python would find again by identity: globals and constant strings. */
        private final Map<String, Integer> shared = new HashMap<>();
        private int memo;

        void proto2() { op((byte) 0x80).op((byte) 2); }

        Pickler op(byte code) {
            out.write(code);
            return this;
        }

        /** BINPUT / LONG_BINPUT of the object just written. */
        void put() {
            if (memo < 256) op((byte) 'q').op((byte) memo);
            else op((byte) 'r').int32(memo);
            memo++;
        }

        private void get(int index) {
            if (index < 256) op((byte) 'h').op((byte) index);
            else op((byte) 'j').int32(index);
        }

        void global(String module, String name) {
            String id = "global " + module + "." + name;
            Integer index = shared.get(id);
            if (index != null) {
                get(index);
                return;
            }
            op((byte) 'c').bytes((module + "\n" + name + "\n").getBytes(StandardCharsets.UTF_8));
            shared.put(id, memo);
            put();
        }

        /** BINUNICODE of a new string object. */
        void string(String s) {
            byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
            op((byte) 'X').int32(utf8.length).bytes(utf8);
            put();
        }

        /** A string that is one object wherever it appears (a constant in torch's code). */
        void sharedString(String s) {
            Integer index = shared.get("str " + s);
            if (index != null) {
                get(index);
            } else {
                shared.put("str " + s, memo);
                string(s);
            }
        }

        void integer(long v) {
            if (v >= 0 && v <= 0xff) {
                op((byte) 'K').op((byte) v);
            } else if (v >= 0 && v <= 0xffff) {
                op((byte) 'M').op((byte) v).op((byte) (v >> 8));
            } else if (v == (int) v) {
                op((byte) 'J').int32((int) v);
            } else {
                throw new IllegalArgumentException("integer " + v + " needs LONG1, not written by this test writer");
            }
        }

        /** A tuple of ints: EMPTY_TUPLE (not memoized), TUPLE1-3, or MARK ... TUPLE. */
        void tuple(long[] values) {
            if (values.length == 0) {
                op(EMPTY_TUPLE);
                return;
            }
            if (values.length > 3) op(MARK);
            for (long v : values) integer(v);
            op(values.length > 3 ? TUPLE : TUPLE_N[values.length]).put();
        }

        private Pickler int32(int v) {
            return op((byte) v).op((byte) (v >> 8)).op((byte) (v >> 16)).op((byte) (v >> 24));
        }

        private Pickler bytes(byte[] b) {
            out.writeBytes(b);
            return this;
        }

        byte[] bytes() { return out.toByteArray(); }
    }

    /** Zip records as PyTorch's miniz-based stream writer lays them out. */
    private static final class ZipOut {
        private record Central(byte[] name, int crc, long size, long offset) {}

        private final FileChannel channel;
        private final List<Central> written = new ArrayList<>();
        private long position;

        ZipOut(FileChannel channel) { this.channel = channel; }

        void record(String name, ByteBuffer data) throws IOException {
            byte[] utf8 = name.getBytes(StandardCharsets.UTF_8);
            long size = data.remaining();
            if (size >= U32 || position >= U32) {
                throw new IllegalArgumentException("entry '" + name + "' would need ZIP64 records, not written by"
                        + " this test writer");
            }
            int misalignment = (int) ((position + 30 + utf8.length + 4) % ALIGNMENT);
            int padding = misalignment == 0 ? 0 : ALIGNMENT - misalignment;
            ByteBuffer local = little(30 + utf8.length + 4 + padding);
            local.putInt(0x04034b50).putShort((short) 0).putShort((short) 0x0808).putShort((short) 0)
                    .putShort((short) 0).putShort((short) 0).putInt(0).putInt(0).putInt(0)
                    .putShort((short) utf8.length).putShort((short) (4 + padding)).put(utf8)
                    .putShort((short) 0x4246).putShort((short) padding);
            while (local.hasRemaining()) local.put((byte) 'Z');
            CRC32 crc = new CRC32();
            crc.update(data.duplicate());
            written.add(new Central(utf8, (int) crc.getValue(), size, position));
            write(local.flip());
            write(data);
            write(little(16).putInt(0x08074b50).putInt((int) crc.getValue()).putInt((int) size).putInt((int) size)
                    .flip());
        }

        void finish() throws IOException {
            long directory = position;
            for (Central c : written) {
                write(little(46 + c.name().length).putInt(0x02014b50).putShort((short) 0).putShort((short) 0)
                        .putShort((short) 0x0808).putShort((short) 0).putShort((short) 0).putShort((short) 0)
                        .putInt(c.crc()).putInt((int) c.size()).putInt((int) c.size())
                        .putShort((short) c.name().length).putShort((short) 0).putShort((short) 0)
                        .putShort((short) 0).putShort((short) 0).putInt(0).putInt((int) c.offset()).put(c.name())
                        .flip());
            }
            long directorySize = position - directory;
            long zip64End = position;
            int count = written.size();
            ByteBuffer end = little(56 + 20 + 22);
            end.putInt(0x06064b50).putLong(44).putShort((short) 0x031e).putShort((short) 45).putInt(0).putInt(0)
                    .putLong(count).putLong(count).putLong(directorySize).putLong(directory);
            end.putInt(0x07064b50).putInt(0).putLong(zip64End).putInt(1);
            end.putInt(0x06054b50).putShort((short) 0).putShort((short) 0)
                    .putShort((short) Math.min(count, 0xffff)).putShort((short) Math.min(count, 0xffff))
                    .putInt((int) Math.min(directorySize, U32)).putInt((int) Math.min(directory, U32))
                    .putShort((short) 0);
            write(end.flip());
        }

        private void write(ByteBuffer b) throws IOException {
            while (b.hasRemaining()) position += channel.write(b);
        }

        private static ByteBuffer little(int size) { return ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN); }
    }
}
