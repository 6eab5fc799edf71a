package perceiver.checkpoint;

import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * A safetensors file, memory-mapped: an 8-byte little-endian header length N, N bytes of JSON header, then the data
 * section. The header is validated in full by {@link #open} before any tensor is read.
 */
public final class SafetensorsReader extends MappedTensorStore {
    private final MappedFile file;
    private final SafetensorsHeader header;
    private final long dataStart;

    private SafetensorsReader(MappedFile file, SafetensorsHeader header, long dataStart) {
        super(file.path(), "safetensors", header.infos(), header.metadata());
        this.file = file;
        this.header = header;
        this.dataStart = dataStart;
    }

    /** Opens and validates {@code path}. */
    public static SafetensorsReader open(Path path) {
        return MappedFile.read(path, SafetensorsReader::read);
    }

    private static SafetensorsReader read(MappedFile file) {
        Path path = file.path();
        long size = file.size();
        if (size < 8) {
            throw new CheckpointException(path + ": file is " + size
                    + " bytes, too short for the 8-byte safetensors header length");
        }
        long headerLength = file.map(0, 8, "header length").getLong(0);
        if (headerLength < 0 || headerLength > size - 8) {
            throw new CheckpointException(path + ": header length " + Long.toUnsignedString(headerLength)
                    + " exceeds the " + (size - 8) + " bytes that follow it in the file of " + size + " bytes");
        }
        if (headerLength > SafetensorsHeader.MAX_HEADER_BYTES) {
            throw new CheckpointException(path + ": header length " + headerLength + " exceeds the limit of "
                    + SafetensorsHeader.MAX_HEADER_BYTES + " bytes");
        }
        ByteBuffer json = file.map(8, headerLength, "header");
        long dataStart = 8 + headerLength;
        SafetensorsHeader header = SafetensorsHeader.parse(path, json, size - dataStart);
        return new SafetensorsReader(file, header, dataStart);
    }

    @Override
    StoredTensor locate(TensorInfo info) {
        SafetensorsHeader.Entry e = header.entries().get(info.name());
        ByteBuffer bytes = file.map(dataStart + e.begin(), e.end() - e.begin(), "tensor '" + info.name() + "'");
        return StoredTensor.contiguous(source(), info, bytes);
    }

    @Override
    public void close() { file.close(); }
}
