package perceiver.checkpoint;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.function.Function;

/**
 * A checkpoint file opened read-only, handing out little-endian memory-mapped windows of it. A window stays valid
 * after {@link #close}; the operating system drops it once the buffer is garbage.
 *
 * <p>One window holds at most 2 GiB (a {@link ByteBuffer} limit), so a single tensor of more than 2 GiB of data is
 * refused with a clear error.
 */
final class MappedFile implements AutoCloseable {
    private final Path path;
    private final FileChannel channel;
    private final long size;

    private MappedFile(Path path, FileChannel channel, long size) {
        this.path = path;
        this.channel = channel;
        this.size = size;
    }

    /** Opens {@code path} and hands it to {@code reader}, closing it again if the reader throws. */
    static <T> T read(Path path, Function<MappedFile, T> reader) {
        MappedFile file = open(path);
        try {
            return reader.apply(file);
        } catch (RuntimeException e) {
            file.close();
            throw e;
        }
    }

    private static MappedFile open(Path path) {
        try {
            FileChannel channel = FileChannel.open(path, StandardOpenOption.READ);
            return new MappedFile(path, channel, channel.size());
        } catch (NoSuchFileException e) {
            throw new CheckpointException(path + ": no such file");
        } catch (IOException e) {
            throw new CheckpointException(path + ": cannot open: " + e.getMessage(), e);
        }
    }

    Path path() { return path; }

    long size() { return size; }

    /** Bytes {@code [offset, offset + length)}, mapped; {@code what} names the content for messages. */
    ByteBuffer map(long offset, long length, String what) {
        if (offset < 0 || length < 0 || offset + length > size) {
            throw new CheckpointException(path + ": " + what + " at bytes [" + offset + ", " + (offset + length)
                    + ") lies outside the file of " + size + " bytes");
        }
        if (length > Integer.MAX_VALUE) {
            throw new CheckpointException(path + ": " + what + " holds " + length
                    + " bytes, more than the 2147483647 one mapping can hold");
        }
        if (!channel.isOpen()) {
            throw new CheckpointException(path + ": read of " + what + " after the store was closed");
        }
        try {
            return channel.map(FileChannel.MapMode.READ_ONLY, offset, length).order(ByteOrder.LITTLE_ENDIAN);
        } catch (IOException e) {
            throw new CheckpointException(path + ": cannot map " + what + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException e) {
            throw new CheckpointException(path + ": cannot close: " + e.getMessage(), e);
        }
    }
}
