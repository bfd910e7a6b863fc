"""Pictures of convergence maps as PNG, with the standard library only (zlib + struct).

The engine has no Qt and no Pillow, yet ``--out map.png`` must work headless, so this module
writes an 8-bit RGB PNG itself (PNG specification, W3C 2003: signature, IHDR, one IDAT of
filter-0 scanlines, IEND, each chunk with its CRC-32).
"""

from __future__ import annotations

import os
import struct
import zlib

import numpy as np

from engine.atomic import write_atomically
from engine.maps import DIVERGED, LEFT, MapSnapshot

__all__ = [
    "LEFT_COLOUR",
    "OUTCOME_COLOURS",
    "basin_rgb",
    "hyper_range",
    "hyper_rgb",
    "hyper_values",
    "png_bytes",
    "viridis",
    "write_png",
]

# Okabe-Ito, the palette the GUI uses, so a map matches the race's markers
OUTCOME_COLOURS = (
    (0, 114, 178),  # blue
    (230, 159, 0),  # orange
    (0, 158, 115),  # bluish green
    (204, 121, 167),  # reddish purple
    (86, 180, 233),  # sky blue
    (213, 94, 0),  # vermillion
    (240, 228, 66),  # yellow
)
NONE_COLOUR = (200, 200, 200)
DIVERGED_COLOUR = (0, 0, 0)
# sand: off the edge of a surface without a bottom, apart from "none" grey and every minimum
LEFT_COLOUR = (222, 200, 160)
# viridis at five stops (matplotlib's _viridis_data at 0, 1/4, 1/2, 3/4, 1)
_VIRIDIS = np.array(
    [
        [68, 1, 84],
        [59, 82, 139],
        [33, 145, 140],
        [94, 201, 98],
        [253, 231, 37],
    ],
    dtype=np.float64,
)


def png_bytes(rgb: np.ndarray) -> bytes:
    """Encode an image as PNG.

    Parameters
    ----------
    rgb : ndarray of uint8, shape (h, w, 3)
        Row 0 is the top of the picture.
    """
    rgb = np.ascontiguousarray(rgb, dtype=np.uint8)
    if rgb.ndim != 3 or rgb.shape[2] != 3 or rgb.shape[0] < 1 or rgb.shape[1] < 1:
        raise ValueError(f"rgb must have shape (h, w, 3); got {rgb.shape}")
    h, w, _ = rgb.shape
    raw = np.zeros((h, 1 + 3 * w), dtype=np.uint8)  # filter byte 0 (None) on every row
    raw[:, 1:] = rgb.reshape(h, 3 * w)

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    ihdr = struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)  # 8-bit truecolour
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(raw.tobytes(), 6))
        + chunk(b"IEND", b"")
    )


def write_png(path: str | os.PathLike, rgb: np.ndarray) -> None:
    """Write :func:`png_bytes` atomically to ``path``."""
    data = png_bytes(rgb)
    write_atomically(path, lambda fh: fh.buffer.write(data))  # bytes under the text layer


def _flip(img: np.ndarray) -> np.ndarray:
    # maps are indexed [row j = y ascending]; pictures have y up, so the top row is the last
    return img[::-1]


def basin_rgb(snap: MapSnapshot) -> np.ndarray:
    """Colour by outcome, darker the longer a run took to settle; shape (ny, nx, 3) uint8."""
    out = np.empty((*snap.shape, 3), dtype=np.float64)
    out[:] = NONE_COLOUR
    out[snap.outcome == DIVERGED] = DIVERGED_COLOUR
    out[snap.outcome == LEFT] = LEFT_COLOUR
    reached = snap.outcome >= 0
    if reached.any():
        colours = np.array(OUTCOME_COLOURS, dtype=np.float64)
        base = colours[snap.outcome[reached] % len(colours)]
        steps = snap.steps_to[reached].astype(np.float64)
        # shade on a log scale of steps: fast starts full colour, the slowest at 45 %
        span = np.log1p(max(1.0, float(steps.max())))
        shade = 1.0 - 0.55 * np.log1p(steps) / span
        out[reached] = base * shade[:, None]
    return _flip(np.clip(np.rint(out), 0, 255).astype(np.uint8))


def viridis(t: np.ndarray) -> np.ndarray:
    """Viridis (five stops, linear between them) at ``t`` in [0, 1]; shape ``t.shape + (3,)``,
    floats 0-255."""
    t = np.clip(np.asarray(t, dtype=np.float64), 0.0, 1.0)
    pos = t * (len(_VIRIDIS) - 1)
    i = np.minimum(pos.astype(np.int64), len(_VIRIDIS) - 2)
    f = (pos - i)[..., None]
    return _VIRIDIS[i] * (1.0 - f) + _VIRIDIS[i + 1] * f


def hyper_values(snap: MapSnapshot, quantity: str = "loss") -> tuple[np.ndarray, np.ndarray]:
    """What :func:`hyper_rgb` colours: values and the mask of pixels that have one.

    Parameters
    ----------
    quantity : {"loss", "steps"}
        ``"loss"``: log10(final loss - lowest + 1e-12) (the lowest is taken over the runs
        that neither diverged nor left); ``"steps"``: steps to tolerance.

    Returns
    -------
    values : ndarray, shape (ny, nx)
        Meaningful where ``ok``.
    ok : ndarray of bool, shape (ny, nx)
    """
    if quantity not in ("loss", "steps"):
        raise ValueError(f"quantity must be 'loss' or 'steps'; got {quantity!r}")
    ok = (snap.outcome != DIVERGED) & (snap.outcome != LEFT)
    with np.errstate(all="ignore"):
        if quantity == "loss":
            v = snap.loss.astype(np.float64)
            ok &= np.isfinite(v)
            lo = float(v[ok].min()) if ok.any() else 0.0
            v = np.log10(v - lo + 1e-12)
        else:
            v = snap.steps_to.astype(np.float64)
            ok &= v >= 0
    return v, ok


def hyper_range(snap: MapSnapshot, quantity: str = "loss") -> tuple[float, float] | None:
    """The values at the two ends of :func:`hyper_rgb`'s colour scale (None if no pixel
    has one): for a colour bar."""
    v, ok = hyper_values(snap, quantity)
    if not ok.any():
        return None
    return float(v[ok].min()), float(v[ok].max())


def hyper_rgb(snap: MapSnapshot, quantity: str = "loss") -> np.ndarray:
    """Viridis of log10(final loss - lowest + tiny) or of steps to tolerance; diverged black.

    A run that left the view downhill is sand: its loss has no bottom to compare with.

    Parameters
    ----------
    quantity : {"loss", "steps"}
        Never-reaching runs are grey on a steps map.
    """
    if quantity not in ("loss", "steps"):
        raise ValueError(f"quantity must be 'loss' or 'steps'; got {quantity!r}")
    v, ok = hyper_values(snap, quantity)
    out = np.empty((*snap.shape, 3), dtype=np.float64)
    out[:] = NONE_COLOUR if quantity == "steps" else DIVERGED_COLOUR
    out[snap.outcome == DIVERGED] = DIVERGED_COLOUR
    out[snap.outcome == LEFT] = LEFT_COLOUR
    if ok.any():
        vals = v[ok]
        lo, hi = float(vals.min()), float(vals.max())
        t = (vals - lo) / (hi - lo) if hi > lo else np.zeros_like(vals)
        out[ok] = viridis(t)
    return _flip(np.clip(np.rint(out), 0, 255).astype(np.uint8))
