package perceiver.checkpoint;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The central directory of a zip file (ZIP64 included), read from a {@link MappedFile}, so that stored
 * (uncompressed) entries can be mapped in place. PyTorch writes every entry stored; compressed entries are refused.
 */
final class ZipArchive {
    private static final int EOCD = 0x06054b50;
    private static final int ZIP64_LOCATOR = 0x07064b50;
    private static final int ZIP64_EOCD = 0x06064b50;
    private static final int CENTRAL = 0x02014b50;
    private static final int LOCAL = 0x04034b50;
    private static final int EOCD_SIZE = 22;
    private static final long U32 = 0xffffffffL;

    /** One entry: compression method, sizes and the offset of its local header. */
    record Entry(String name, int method, long compressedSize, long size, long localHeader) {}

    private final MappedFile file;
    private final Map<String, Entry> entries;

    private ZipArchive(MappedFile file, Map<String, Entry> entries) {
        this.file = file;
        this.entries = entries;
    }

    static ZipArchive read(MappedFile file) {
        long size = file.size();
        int tail = (int) Math.min(size, EOCD_SIZE + 0xffff);
        ByteBuffer end = file.map(size - tail, tail, "zip end of central directory");
        int eocd = -1;
        for (int p = tail - EOCD_SIZE; p >= 0 && eocd < 0; p--) {
            if (end.getInt(p) == EOCD) eocd = p;
        }
        if (eocd < 0) {
            throw new CheckpointException(file.path() + ": not a complete zip archive (no end-of-central-directory"
                    + " record in the last " + tail + " bytes; truncated?)");
        }
        long count = end.getShort(eocd + 10) & 0xffff;
        long dirSize = end.getInt(eocd + 12) & U32;
        long dirOffset = end.getInt(eocd + 16) & U32;
        if (count == 0xffff || dirSize == U32 || dirOffset == U32) {
            long locator = size - tail + eocd - 20;
            ByteBuffer loc = locator < 0 ? null : file.map(locator, 20, "zip64 locator");
            if (loc == null || loc.getInt(0) != ZIP64_LOCATOR) {
                throw new CheckpointException(file.path() + ": zip end record needs a zip64 locator, found none");
            }
            ByteBuffer z = file.map(loc.getLong(8), 56, "zip64 end of central directory");
            if (z.getInt(0) != ZIP64_EOCD) {
                throw new CheckpointException(file.path() + ": zip64 end of central directory record missing at byte "
                        + loc.getLong(8));
            }
            count = z.getLong(32);
            dirSize = z.getLong(40);
            dirOffset = z.getLong(48);
        }
        return new ZipArchive(file, readDirectory(file, file.map(dirOffset, dirSize, "zip central directory"), count));
    }

    private static Map<String, Entry> readDirectory(MappedFile file, ByteBuffer dir, long count) {
        Map<String, Entry> entries = new LinkedHashMap<>();
        int p = 0;
        for (long i = 0; i < count; i++) {
            if (p + 46 > dir.limit() || dir.getInt(p) != CENTRAL) {
                throw new CheckpointException(file.path() + ": zip central directory entry " + i + " of " + count
                        + " is malformed at directory byte " + p);
            }
            int nameLength = dir.getShort(p + 28) & 0xffff;
            int extraLength = dir.getShort(p + 30) & 0xffff;
            int commentLength = dir.getShort(p + 32) & 0xffff;
            int next = p + 46 + nameLength + extraLength + commentLength;
            if (next > dir.limit()) {
                throw new CheckpointException(file.path() + ": zip central directory entry " + i
                        + " runs past the directory end");
            }
            byte[] name = new byte[nameLength];
            dir.get(p + 46, name);
            long[] values = {dir.getInt(p + 24) & U32, dir.getInt(p + 20) & U32, dir.getInt(p + 42) & U32};
            readZip64Extra(dir.slice(p + 46 + nameLength, extraLength).order(dir.order()), values);
            Entry e = new Entry(new String(name, StandardCharsets.UTF_8), dir.getShort(p + 10) & 0xffff,
                    values[1], values[0], values[2]);
            if (entries.put(e.name(), e) != null) {
                throw new CheckpointException(file.path() + ": zip entry '" + e.name() + "' appears twice");
            }
            p = next;
        }
        return entries;
    }

    /** Replaces the 0xffffffff placeholders of (size, compressed size, local header offset) from a ZIP64 field. */
    private static void readZip64Extra(ByteBuffer extra, long[] values) {
        int p = 0;
        while (p + 4 <= extra.limit()) {
            int id = extra.getShort(p) & 0xffff;
            int length = extra.getShort(p + 2) & 0xffff;
            if (id == 1) {
                int q = p + 4;
                for (int v = 0; v < values.length && q + 8 <= p + 4 + length; v++) {
                    if (values[v] == U32) {
                        values[v] = extra.getLong(q);
                        q += 8;
                    }
                }
            }
            p += 4 + length;
        }
    }

    void close() { file.close(); }

    Map<String, Entry> entries() { return Collections.unmodifiableMap(entries); }

    /** The data of a stored entry, mapped in place. */
    ByteBuffer map(Entry e) {
        if (e.method() != 0) {
            throw new CheckpointException(file.path() + ": zip entry '" + e.name() + "' is compressed (method "
                    + e.method() + "); PyTorch writes entries stored, re-save the file with torch.save");
        }
        if (e.compressedSize() != e.size()) {
            throw new CheckpointException(file.path() + ": stored zip entry '" + e.name() + "' declares " + e.size()
                    + " bytes but occupies " + e.compressedSize());
        }
        ByteBuffer local = file.map(e.localHeader(), 30, "local header of zip entry '" + e.name() + "'");
        if (local.getInt(0) != LOCAL) {
            throw new CheckpointException(file.path() + ": zip entry '" + e.name() + "' has no local header at byte "
                    + e.localHeader());
        }
        long data = e.localHeader() + 30 + (local.getShort(26) & 0xffff) + (local.getShort(28) & 0xffff);
        return file.map(data, e.size(), "zip entry '" + e.name() + "'");
    }
}
