package perceiver.checkpoint;

import java.nio.ByteBuffer;

/** Reads and writes single elements of each {@link DType} in little-endian byte buffers. */
final class ElementCodec {
    private ElementCodec() {}

    /** Element {@code index} (in elements, not bytes) of a float-typed buffer, as float32. */
    static float getFloat(ByteBuffer b, DType type, int index) {
        int p = index * type.bytes();
        return switch (type) {
            case F64 -> (float) b.getDouble(p);
            case F32 -> b.getFloat(p);
            case F16 -> Float.float16ToFloat(b.getShort(p));
            case BF16 -> Float.intBitsToFloat((b.getShort(p) & 0xffff) << 16);
            default -> throw new IllegalArgumentException(type + " is not a float type");
        };
    }

    /** Element {@code index} of an integer-typed buffer (BOOL reads as 0 or 1, U8 as unsigned). */
    static long getLong(ByteBuffer b, DType type, int index) {
        int p = index * type.bytes();
        return switch (type) {
            case I64 -> b.getLong(p);
            case I32 -> b.getInt(p);
            case I16 -> b.getShort(p);
            case I8 -> b.get(p);
            case U8 -> b.get(p) & 0xff;
            case BOOL -> b.get(p) == 0 ? 0 : 1;
            default -> throw new IllegalArgumentException(type + " is not an integer type");
        };
    }

    /** Appends {@code v} in a float type; F16 and BF16 round to nearest even. */
    static void putFloat(ByteBuffer b, DType type, float v) {
        switch (type) {
            case F64 -> b.putDouble(v);
            case F32 -> b.putFloat(v);
            case F16 -> b.putShort(Float.floatToFloat16(v));
            case BF16 -> b.putShort(toBFloat16(v));
            default -> throw new IllegalArgumentException(type + " is not a float type");
        }
    }

    /** Appends {@code v} in an integer type. */
    static void putLong(ByteBuffer b, DType type, long v) {
        if (!fits(type, v)) throw new IllegalArgumentException("value " + v + " does not fit " + type);
        switch (type) {
            case I64 -> b.putLong(v);
            case I32 -> b.putInt((int) v);
            case I16 -> b.putShort((short) v);
            case I8, U8, BOOL -> b.put((byte) v);
            default -> throw new IllegalArgumentException(type + " is not an integer type");
        }
    }

    private static boolean fits(DType type, long v) {
        return switch (type) {
            case I32 -> v == (int) v;
            case I16 -> v == (short) v;
            case I8 -> v == (byte) v;
            case U8 -> v >= 0 && v <= 0xff;
            case BOOL -> v == 0 || v == 1;
            default -> true;
        };
    }

    /** bfloat16 bits of {@code v}, rounded to nearest even; NaN stays a (quiet) NaN. */
    static short toBFloat16(float v) {
        int bits = Float.floatToRawIntBits(v);
        if (Float.isNaN(v)) return (short) ((bits >>> 16) | 0x0040);
        return (short) ((bits + 0x7fff + ((bits >>> 16) & 1)) >>> 16);
    }
}
