"""Draw the Descent Lab icon at every size the three systems ask for.

Writes to resources/icons/ (or --out):
  descentlab-<n>.png  n = 16, 24, 32, 48, 64, 128, 256, 512 (Linux hicolor sizes, window icon)
  descentlab.ico      Windows: 16-256 px, PNG-compressed entries (Windows Vista and later)
  descentlab.icns     macOS: 16-1024 px, PNG entries (macOS 10.7 and later)

The picture: contour lines of a tilted quadratic bowl and an orange descent path zig-zagging
to the yellow minimum. Each size is drawn afresh (not scaled from a big image) with line
widths that stay at least a pixel wide, so the 16 px icon is still readable. Run with
`python packaging/make_icons.py`; it needs only PySide6 (drawn offscreen).
"""

from __future__ import annotations

import argparse
import os
import struct
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QPointF, QRectF, Qt
from PySide6.QtGui import (
    QBrush,
    QColor,
    QGuiApplication,
    QImage,
    QLinearGradient,
    QPainter,
    QPainterPath,
    QPen,
)

ROOT = Path(__file__).resolve().parents[1]
PNG_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)
# ICNS element types holding PNG data, with their pixel size (Apple's icns type codes).
ICNS_TYPES = (
    (b"icp4", 16),
    (b"icp5", 32),
    (b"icp6", 64),
    (b"ic07", 128),
    (b"ic08", 256),
    (b"ic09", 512),
    (b"ic10", 1024),
    (b"ic11", 32),
    (b"ic12", 64),
    (b"ic13", 256),
    (b"ic14", 512),
)

# Okabe-Ito colours (colour-blind safe), as used in the app's plots.
SKY_BLUE = QColor("#56B4E9")
ORANGE = QColor("#E69F00")
YELLOW = QColor("#F0E442")

# The descent path, in units of the icon's side (y grows downwards).
PATH_POINTS = ((0.17, 0.83), (0.29, 0.50), (0.43, 0.74), (0.51, 0.50), (0.60, 0.61), (0.63, 0.45))
MINIMUM = PATH_POINTS[-1]


def draw_icon(size: int) -> QImage:
    """Draw the icon as a `size` x `size` ARGB image (transparent outside the rounded square)."""
    img = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    img.fill(Qt.GlobalColor.transparent)
    p = QPainter(img)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    p.scale(size, size)
    small = size <= 24

    def width(frac: float) -> float:
        # never thinner than one device pixel
        return max(frac, 1.0 / size)

    grad = QLinearGradient(QPointF(0, 0), QPointF(1, 1))
    grad.setColorAt(0.0, QColor("#27456f"))
    grad.setColorAt(1.0, QColor("#0c1827"))
    margin = 0.0 if small else 0.04
    radius = 0.16 if small else 0.2
    square = QPainterPath()
    square.addRoundedRect(QRectF(margin, margin, 1 - 2 * margin, 1 - 2 * margin), radius, radius)
    p.fillPath(square, QBrush(grad))
    p.setClipPath(square)

    # contour lines of the bowl around the minimum
    p.save()
    p.translate(*MINIMUM)
    p.rotate(-32)
    levels = (0.38, 0.2) if small else (0.38, 0.285, 0.19, 0.095)
    for i, r in enumerate(levels):
        c = QColor(SKY_BLUE)
        c.setAlphaF(0.95 - 0.12 * i)
        p.setPen(QPen(c, width(0.07 if small else 0.022)))
        p.setBrush(Qt.BrushStyle.NoBrush)
        p.drawEllipse(QPointF(0, 0), r, r * 0.55)
    p.restore()

    path = QPainterPath(QPointF(*PATH_POINTS[0]))
    for x, y in PATH_POINTS[1:]:
        path.lineTo(x, y)
    pen = QPen(ORANGE, width(0.09 if small else 0.05))
    pen.setCapStyle(Qt.PenCapStyle.RoundCap)
    pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
    p.setPen(pen)
    p.drawPath(path)

    if size >= 48:
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(QColor("#fbe3b0"))
        for x, y in PATH_POINTS[:-1]:
            p.drawEllipse(QPointF(x, y), 0.03, 0.03)

    p.setPen(QPen(QColor("#0c1827"), width(0.012)))
    p.setBrush(YELLOW)
    r = 0.09 if small else 0.055
    p.drawEllipse(QPointF(*MINIMUM), r, r)
    p.end()
    return img


def png_bytes(img: QImage) -> bytes:
    """Encode `img` as PNG."""
    data = QByteArray()
    buf = QBuffer(data)
    buf.open(QIODevice.OpenModeFlag.WriteOnly)
    if not img.save(buf, "PNG"):
        raise RuntimeError("PNG encoding failed")
    buf.close()
    return bytes(data.data())


def ico_bytes(pngs: dict[int, bytes]) -> bytes:
    """Pack square PNG images (size -> PNG bytes) into a Windows .ico file.

    Layout (ICONDIR, then one 16-byte ICONDIRENTRY per image, then the images): width and
    height bytes are 0 for 256 px, 32 bits per pixel, PNG payloads.
    """
    sizes = sorted(pngs)
    header = struct.pack("<HHH", 0, 1, len(sizes))
    offset = len(header) + 16 * len(sizes)
    entries, payload = b"", b""
    for n in sizes:
        if not 1 <= n <= 256:
            raise ValueError(f"ico size must be 1..256, got {n}")
        data = pngs[n]
        entries += struct.pack("<BBBBHHII", n % 256, n % 256, 0, 0, 1, 32, len(data), offset)
        payload += data
        offset += len(data)
    return header + entries + payload


def icns_bytes(elements: list[tuple[bytes, bytes]]) -> bytes:
    """Pack (type code, PNG bytes) elements into a macOS .icns file (big-endian lengths)."""
    body = b"".join(code + struct.pack(">I", 8 + len(data)) + data for code, data in elements)
    return b"icns" + struct.pack(">I", 8 + len(body)) + body


def write_icons(out: Path) -> list[Path]:
    """Draw every size and write the PNG, ICO and ICNS files into `out`; return their paths."""
    out.mkdir(parents=True, exist_ok=True)
    sizes = sorted(set(PNG_SIZES) | set(ICO_SIZES) | {n for _, n in ICNS_TYPES})
    pngs = {n: png_bytes(draw_icon(n)) for n in sizes}
    written = []
    for n in PNG_SIZES:
        path = out / f"descentlab-{n}.png"
        path.write_bytes(pngs[n])
        written.append(path)
    ico = out / "descentlab.ico"
    ico.write_bytes(ico_bytes({n: pngs[n] for n in ICO_SIZES}))
    icns = out / "descentlab.icns"
    icns.write_bytes(icns_bytes([(code, pngs[n]) for code, n in ICNS_TYPES]))
    return [*written, ico, icns]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "resources" / "icons")
    args = parser.parse_args(argv)
    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])  # noqa: F841
    for path in write_icons(args.out):
        print(f"{path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
