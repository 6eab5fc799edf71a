#!/usr/bin/env python3
"""Generates the small media files of testdata/media/ (python3 standard library only: zlib, struct, wave, math).

Deterministic: running it again rewrites byte-identical files. Sizes are W x H (width x height).

* frame1.png, frame2.png  64 x 80 RGB, a smooth texture; frame 2 is frame 1 shifted by (+2, +1) pixels, i.e.
                          frame2[y][x] = frame1[y - 1][x - 2] (both are samples of one pattern function, so the
                          border rows/columns of frame 2 hold real texture too). True optical flow: u = +2, v = +1.
* frames-flow.flo         the true flow of the pair as a Middlebury .flo (80 rows x 64 columns of (2.0, 1.0)).
* image-rgb-300x200.png   300 x 200 RGB test image.
* image-gray-120x90.png   120 x 90 8-bit grayscale (PNG colour type 0).
* sine-440hz.wav          0.5 s, 16 kHz, 16-bit PCM mono, 440 Hz sine at amplitude 0.5.
"""
import math
import os
import struct
import wave
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))


def png(path, width, height, channels, pixel):
    """Writes an 8-bit PNG; pixel(x, y) returns a tuple of `channels` ints in 0..255."""
    colour_type = {1: 0, 3: 2}[channels]
    raw = bytearray()
    for y in range(height):
        row = bytearray()
        for x in range(width):
            row.extend(pixel(x, y))
        raw.append(1)  # filter 'Sub': each byte minus the same channel of the pixel to its left (compresses better)
        raw.extend((row[i] - (row[i - channels] if i >= channels else 0)) & 0xff for i in range(len(row)))

    def chunk(tag, data):
        return struct.pack('>I', len(data)) + tag + data + struct.pack('>I', zlib.crc32(tag + data) & 0xffffffff)

    ihdr = struct.pack('>IIBBBBB', width, height, 8, colour_type, 0, 0, 0)
    data = b'\x89PNG\r\n\x1a\n' + chunk(b'IHDR', ihdr) + chunk(b'IDAT', zlib.compress(bytes(raw), 9)) + chunk(b'IEND', b'')
    with open(os.path.join(HERE, path), 'wb') as f:
        f.write(data)


def u8(v):
    return max(0, min(255, int(round(v))))


def texture(x, y):
    """A smooth, non-periodic-looking RGB texture defined for any integer (x, y)."""
    r = 128 + 60 * math.sin(0.21 * x + 0.13 * y) + 40 * math.cos(0.07 * x * math.sin(0.05 * y + 1.0) + 0.3)
    g = 128 + 70 * math.sin(0.17 * y - 0.09 * x + 2.0) + 30 * math.sin(0.31 * x + 0.5)
    b = 128 + 50 * math.cos(0.11 * (x + y)) + 45 * math.sin(0.23 * y + 0.05 * x * x / 40.0)
    return (u8(r), u8(g), u8(b))


def main():
    w, h = 64, 80
    png('frame1.png', w, h, 3, lambda x, y: texture(x, y))
    png('frame2.png', w, h, 3, lambda x, y: texture(x - 2, y - 1))
    with open(os.path.join(HERE, 'frames-flow.flo'), 'wb') as f:
        f.write(struct.pack('<fii', 202021.25, w, h))
        f.write(struct.pack('<ff', 2.0, 1.0) * (w * h))

    def rgb(x, y):
        cx, cy = x - 150, y - 100
        ring = 100 * math.cos(math.hypot(cx, cy) / 9.0)
        return (u8(x * 255 / 299), u8(y * 255 / 199), u8(128 + ring * (1 if (x // 50 + y // 50) % 2 else -1)))

    png('image-rgb-300x200.png', 300, 200, 3, rgb)
    png('image-gray-120x90.png', 120, 90, 1, lambda x, y: (u8(128 + 100 * math.sin(x / 7.0) * math.cos(y / 5.0)),))

    rate, n = 16000, 8000
    with wave.open(os.path.join(HERE, 'sine-440hz.wav'), 'wb') as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(rate)
        wav.writeframes(b''.join(struct.pack('<h', int(round(0.5 * 32767 * math.sin(2 * math.pi * 440 * i / rate))))
                                 for i in range(n)))


if __name__ == '__main__':
    main()
