"""The app icon files, read back by their file-format specifications (PNG, ICO, ICNS).

The expected sizes are written here from the formats' documentation, not taken from
make_icons.py: ICO directory entries store 0 for 256 px; Apple's icns element types map to
fixed pixel sizes (icp4 16, icp5 32, icp6 64, ic07 128, ic08 256, ic09 512, ic10 1024
(512@2x), ic11 32 (16@2x), ic12 64 (32@2x), ic13 256 (128@2x), ic14 512 (256@2x)).
"""

import struct

import pytest

from tests.packaging._helpers import ROOT, load

ICONS = ROOT / "resources" / "icons"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
ICNS_PIXELS = {
    b"icp4": 16,
    b"icp5": 32,
    b"icp6": 64,
    b"ic07": 128,
    b"ic08": 256,
    b"ic09": 512,
    b"ic10": 1024,
    b"ic11": 32,
    b"ic12": 64,
    b"ic13": 256,
    b"ic14": 512,
}


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height from a PNG's IHDR chunk (which must come first)."""
    assert data[:8] == PNG_MAGIC, "not a PNG"
    length, kind = struct.unpack(">I4s", data[8:16])
    assert kind == b"IHDR" and length == 13
    return struct.unpack(">II", data[16:24])


@pytest.mark.parametrize("n", [16, 24, 32, 48, 64, 128, 256, 512])
def test_png_sizes(n):
    data = (ICONS / f"descentlab-{n}.png").read_bytes()
    assert png_size(data) == (n, n)
    colour_type = data[25]
    assert colour_type == 6, "icons need an alpha channel (RGBA)"


def read_ico(data: bytes) -> dict[int, bytes]:
    reserved, kind, count = struct.unpack("<HHH", data[:6])
    assert (reserved, kind) == (0, 1), "not an icon file"
    images = {}
    for i in range(count):
        w, h, colours, res, planes, bits, size, offset = struct.unpack(
            "<BBBBHHII", data[6 + 16 * i : 22 + 16 * i]
        )
        w, h = w or 256, h or 256
        assert (colours, res, planes, bits) == (0, 0, 1, 32)
        assert offset + size <= len(data)
        payload = data[offset : offset + size]
        assert png_size(payload) == (w, h)
        images[w] = payload
    return images


def test_ico_holds_the_windows_sizes():
    images = read_ico((ICONS / "descentlab.ico").read_bytes())
    assert {16, 24, 32, 48, 256} <= set(images)


def read_icns(data: bytes) -> dict[bytes, bytes]:
    magic, total = struct.unpack(">4sI", data[:8])
    assert magic == b"icns" and total == len(data)
    elements, pos = {}, 8
    while pos < len(data):
        kind, length = struct.unpack(">4sI", data[pos : pos + 8])
        assert length >= 8 and pos + length <= len(data)
        elements[kind] = data[pos + 8 : pos + length]
        pos += length
    return elements


def test_icns_elements_have_their_documented_sizes():
    elements = read_icns((ICONS / "descentlab.icns").read_bytes())
    assert {b"ic07", b"ic08", b"ic09", b"ic10"} <= set(elements)
    for kind, payload in elements.items():
        n = ICNS_PIXELS[kind]
        assert png_size(payload) == (n, n), kind


def test_icon_is_opaque_in_the_middle_and_transparent_in_a_corner(qapp):
    from PySide6.QtGui import QImage

    img = QImage(str(ICONS / "descentlab-256.png"))
    assert img.pixelColor(128, 128).alpha() == 255
    assert img.pixelColor(0, 0).alpha() == 0


def test_packers_reject_sizes_the_formats_cannot_hold():
    make_icons = load("make_icons")
    with pytest.raises(ValueError, match="ico size"):
        make_icons.ico_bytes({512: PNG_MAGIC})
