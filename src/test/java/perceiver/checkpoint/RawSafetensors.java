package perceiver.checkpoint;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Writes hand-made (possibly malformed) safetensors files for tests: any header text, any data length. */
final class RawSafetensors {
    private RawSafetensors() {}

    /** 8-byte length of {@code header}, the header bytes, then {@code dataBytes} zero bytes. */
    static Path write(Path file, String header, int dataBytes) throws IOException {
        return write(file, header.getBytes(StandardCharsets.UTF_8), dataBytes);
    }

    static Path write(Path file, byte[] header, int dataBytes) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(8 + header.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(header.length).put(header);
        Files.write(file, b.array());
        return file;
    }
}
