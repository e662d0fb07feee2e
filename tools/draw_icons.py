"""Draw Cramp Coach's default store icons (108x108 and 512x512 PNG) with the standard library only.

A crescent moon and a star over a calm night-blue ground, with a gentle wave for a stretched calf:
night-time, quiet, and nothing medical. Run once after changing the drawing; the PNGs are committed
in skill/tools/publish_assets/ and `cramp-coach package` copies them into skill-package/assets/images/.

    python tools/draw_icons.py
"""

from __future__ import annotations

import math
import struct
import zlib
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "skill" / "tools" / "publish_assets"
SIZES = (108, 512)
SUPERSAMPLE = 3
NIGHT_TOP, NIGHT_BOTTOM = (27, 38, 79), (58, 76, 140)
MOON = (250, 236, 200)
WAVE = (150, 200, 235)


def _shade(x: float, y: float) -> tuple[int, int, int]:
    """The colour at (x, y) in a 0..1 square."""
    moon = math.hypot(x - 0.44, y - 0.40) < 0.24 and math.hypot(x - 0.56, y - 0.32) >= 0.21
    star = abs(x - 0.73) + abs(y - 0.58) < 0.045 or math.hypot(x - 0.73, y - 0.58) < 0.02
    wave_y = 0.80 - 0.035 * math.sin((x - 0.15) * 2.4 * math.pi)
    wave = 0.15 < x < 0.85 and abs(y - wave_y) < 0.022
    if moon or star:
        return MOON
    if wave:
        return WAVE
    return tuple(round(a + (b - a) * y) for a, b in zip(NIGHT_TOP, NIGHT_BOTTOM))  # type: ignore[return-value]


def draw(size: int) -> bytes:
    """An RGB PNG of ``size`` x ``size``, each pixel the average of SUPERSAMPLE² samples."""
    rows = []
    n = SUPERSAMPLE
    for py in range(size):
        row = bytearray([0])  # filter type: none
        for px in range(size):
            total = [0, 0, 0]
            for sy in range(n):
                for sx in range(n):
                    colour = _shade((px + (sx + 0.5) / n) / size, (py + (sy + 0.5) / n) / size)
                    for channel in range(3):
                        total[channel] += colour[channel]
            row.extend(round(t / (n * n)) for t in total)
        rows.append(bytes(row))
    return _png(size, size, b"".join(rows))


def _png(width: int, height: int, raw: bytes) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8-bit RGB
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")


if __name__ == "__main__":
    for size in SIZES:
        path = OUT / f"icon-{size}.png"
        path.write_bytes(draw(size))
        print(f"wrote {path}")
