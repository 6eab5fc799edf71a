package perceiver.checkpoint;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import perceiver.checkpoint.RestrictedUnpickler.StorageRef;
import perceiver.checkpoint.RestrictedUnpickler.TensorRef;

/**
 * A PyTorch state dict in the zip format {@code torch.save} writes by default since 1.6 ({@code .bin}, {@code .pt},
 * {@code .pth}): {@code <archive>/data.pkl} is interpreted by {@link RestrictedUnpickler} (nothing is executed), and
 * each storage is the stored zip entry {@code <archive>/data/<key>}, memory-mapped in place. Storage offsets and
 * strides are honoured (non-contiguous tensors are gathered); tensors may share a storage.
 */
public final class PyTorchReader extends MappedTensorStore {
    /** Larger pickles are refused before they are interpreted (a state dict of 10,000 tensors needs ~2 MB). */
    static final long MAX_PICKLE_BYTES = 100_000_000;

    private final ZipArchive zip;
    private final String archive;
    private final Map<String, TensorRef> tensors;

    private PyTorchReader(Path path, ZipArchive zip, String archive, Map<String, TensorRef> tensors,
            Map<String, TensorInfo> infos) {
        super(path, "pytorch zip", infos, Map.of());
        this.zip = zip;
        this.archive = archive;
        this.tensors = tensors;
    }

    /** Opens {@code path}, interprets its pickle and checks every tensor against its storage entry. */
    public static PyTorchReader open(Path path) {
        return MappedFile.read(path, file -> read(path, ZipArchive.read(file)));
    }

    private static PyTorchReader read(Path path, ZipArchive zip) {
        String pickle = pickleEntry(path, zip);
        String archive = pickle.substring(0, pickle.length() - "/data.pkl".length());
        checkByteOrder(path, zip, archive);
        ZipArchive.Entry program = zip.entries().get(pickle);
        if (program.size() > MAX_PICKLE_BYTES) {
            throw new CheckpointException(path + ": " + pickle + " holds " + program.size() + " bytes, more than the "
                    + MAX_PICKLE_BYTES + " a state dict's pickle needs");
        }
        Object root = RestrictedUnpickler.load(path + ": " + pickle, zip.map(program));
        Map<String, TensorRef> tensors = stateDict(path, root);
        Map<String, TensorInfo> infos = new LinkedHashMap<>();
        for (Map.Entry<String, TensorRef> e : tensors.entrySet()) {
            infos.put(e.getKey(), check(path, zip, archive, e.getKey(), e.getValue()));
        }
        return new PyTorchReader(path, zip, archive, tensors, infos);
    }

    /** The one {@code <archive>/data.pkl} entry. */
    private static String pickleEntry(Path path, ZipArchive zip) {
        List<String> pickles = zip.entries().keySet().stream()
                .filter(n -> n.endsWith("/data.pkl") && n.indexOf('/') == n.length() - "/data.pkl".length())
                .toList();
        if (pickles.size() != 1) {
            throw new CheckpointException(path + ": a PyTorch zip checkpoint has exactly one <archive>/data.pkl entry,"
                    + " found " + pickles + " among " + zip.entries().size() + " entries");
        }
        return pickles.get(0);
    }

    private static void checkByteOrder(Path path, ZipArchive zip, String archive) {
        ZipArchive.Entry order = zip.entries().get(archive + "/byteorder");
        if (order == null) return;
        String value = StandardCharsets.US_ASCII.decode(zip.map(order)).toString().strip();
        if (!value.equals("little")) {
            throw new CheckpointException(path + ": " + order.name() + " says '" + value + "', only little-endian"
                    + " checkpoints are supported");
        }
    }

    private static Map<String, TensorRef> stateDict(Path path, Object root) {
        if (!(root instanceof Map<?, ?> dict)) {
            throw new CheckpointException(path + ": the pickle holds " + RestrictedUnpickler.describe(root)
                    + ", expected a state dict (a dict of tensors)");
        }
        Map<String, TensorRef> tensors = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : dict.entrySet()) {
            if (!(e.getKey() instanceof String name) || !(e.getValue() instanceof TensorRef t)) {
                throw new CheckpointException(path + ": state dict entry " + RestrictedUnpickler.describe(e.getKey())
                        + " holds " + RestrictedUnpickler.describe(e.getValue()) + ", expected a str key and a tensor");
            }
            tensors.put(name, t);
        }
        return tensors;
    }

    /** Checks that the storage entry exists, holds numel elements, and contains every element of the view. */
    private static TensorInfo check(Path path, ZipArchive zip, String archive, String name, TensorRef t) {
        StorageRef s = t.storage();
        String prefix = path + ": tensor '" + name + "'";
        ZipArchive.Entry entry = zip.entries().get(archive + "/data/" + s.key());
        if (entry == null) {
            throw new CheckpointException(prefix + " uses storage '" + s.key() + "', but the zip has no entry "
                    + archive + "/data/" + s.key());
        }
        long bytes = s.numel() > Long.MAX_VALUE / 8 ? -1 : s.numel() * s.dtype().bytes();
        if (entry.size() != bytes) {
            throw new CheckpointException(prefix + ": storage entry " + entry.name() + " holds " + entry.size()
                    + " bytes, expected " + s.numel() + " " + s.dtype() + " elements = " + s.numel() + " x "
                    + s.dtype().bytes() + " bytes");
        }
        if (lastElement(t) >= s.numel()) {
            throw new CheckpointException(prefix + " of shape " + Arrays.toString(t.shape()) + ", strides "
                    + Arrays.toString(t.strides()) + " at storage offset " + t.offset() + " reaches past its storage '"
                    + s.key() + "' of " + s.numel() + " elements");
        }
        return new TensorInfo(name, s.dtype(), t.shape());
    }

    /** The storage index of the view's last element; -1 for an empty view, Long.MAX_VALUE on overflow. */
    private static long lastElement(TensorRef t) {
        try {
            long last = t.offset();
            for (int i = 0; i < t.shape().length; i++) {
                if (t.shape()[i] == 0) return -1;
                last = Math.addExact(last, Math.multiplyExact(t.shape()[i] - 1L, t.strides()[i]));
            }
            return last;
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE;
        }
    }

    @Override
    StoredTensor locate(TensorInfo info) {
        TensorRef t = tensors.get(info.name());
        ByteBuffer storage = zip.map(zip.entries().get(archive + "/data/" + t.storage().key()));
        return new StoredTensor(source(), info, storage, t.offset(), t.strides());
    }

    @Override
    public void close() { zip.close(); }
}
