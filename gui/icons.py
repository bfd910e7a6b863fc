"""Toolbar icons drawn with QPainter: crisp at any scale, no image files to ship or find."""

from __future__ import annotations

import math

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPainterPath, QPen, QPixmap, QPolygonF

from gui.theme import INK

_SIZE = 64


def _canvas() -> tuple[QPixmap, QPainter]:
    pm = QPixmap(_SIZE, _SIZE)
    pm.fill(Qt.GlobalColor.transparent)
    p = QPainter(pm)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    return pm, p


def _pen(width: float = 5.0, colour: str = INK) -> QPen:
    pen = QPen(QColor(colour))
    pen.setWidthF(width)
    pen.setCapStyle(Qt.PenCapStyle.RoundCap)
    pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
    return pen


def _poly(*pts: tuple[float, float]) -> QPolygonF:
    return QPolygonF([QPointF(x, y) for x, y in pts])


def _draw(name: str, p: QPainter) -> None:
    ink = QColor(INK)
    if name == "play":
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(QColor("#1a7f37"))
        p.drawPolygon(_poly((18, 12), (52, 32), (18, 52)))
    elif name == "pause":
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(ink)
        p.drawRoundedRect(QRectF(16, 12, 11, 40), 2, 2)
        p.drawRoundedRect(QRectF(37, 12, 11, 40), 2, 2)
    elif name == "step":
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(ink)
        p.drawPolygon(_poly((14, 14), (40, 32), (14, 50)))
        p.drawRoundedRect(QRectF(43, 14, 8, 36), 2, 2)
    elif name == "reset":
        p.setPen(_pen(5.5))
        p.setBrush(Qt.BrushStyle.NoBrush)
        p.drawArc(QRectF(13, 13, 38, 38), 100 * 16, 290 * 16)
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(ink)
        p.drawPolygon(_poly((26, 4), (38, 13), (25, 22)))
    elif name == "fullscreen":
        p.setPen(_pen(5))
        for sx, sy in ((1, 1), (-1, 1), (1, -1), (-1, -1)):
            cx, cy = 32 - sx * 20, 32 - sy * 20
            p.drawLine(QPointF(cx, cy), QPointF(cx + sx * 12, cy))
            p.drawLine(QPointF(cx, cy), QPointF(cx, cy + sy * 12))
    elif name == "presentation":
        p.setPen(_pen(4))
        p.setBrush(Qt.BrushStyle.NoBrush)
        p.drawRect(QRectF(8, 10, 48, 32))
        p.drawLine(QPointF(32, 42), QPointF(32, 54))
        p.drawLine(QPointF(20, 56), QPointF(44, 56))
        p.setPen(_pen(4, "#0072B2"))
        p.drawPolyline(_poly((14, 36), (24, 26), (34, 31), (50, 16)))
    elif name == "internals":
        p.setPen(_pen(4.5))
        p.drawLine(QPointF(12, 50), QPointF(46, 18))
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(ink)
        p.drawPolygon(_poly((52, 12), (36, 17), (47, 28)))
        p.setPen(_pen(4.5, "#D55E00"))
        p.drawLine(QPointF(12, 50), QPointF(50, 48))
        p.setBrush(QColor("#D55E00"))
        p.setPen(Qt.PenStyle.NoPen)
        p.drawPolygon(_poly((58, 48), (46, 41), (46, 55)))
    elif name == "inspect":
        p.setPen(_pen(5))
        p.setBrush(Qt.BrushStyle.NoBrush)
        p.drawEllipse(QRectF(10, 10, 30, 30))
        p.drawLine(QPointF(36, 36), QPointF(54, 54))
        p.setPen(_pen(3))
        p.drawLine(QPointF(25, 17), QPointF(25, 33))
        p.drawLine(QPointF(17, 25), QPointF(33, 25))
    elif name == "home":
        p.setPen(_pen(4.5))
        p.setBrush(Qt.BrushStyle.NoBrush)
        p.drawPolyline(_poly((10, 30), (32, 10), (54, 30)))
        p.drawPolyline(_poly((17, 26), (17, 52), (47, 52), (47, 26)))
    elif name == "add":
        p.setPen(_pen(6, "#1a7f37"))
        p.drawLine(QPointF(32, 12), QPointF(32, 52))
        p.drawLine(QPointF(12, 32), QPointF(52, 32))
    elif name == "remove":
        p.setPen(_pen(6, "#b3261e"))
        p.drawLine(QPointF(12, 32), QPointF(52, 32))
    elif name == "duplicate":
        p.setPen(_pen(4))
        p.setBrush(QColor("#ffffff"))
        p.drawRoundedRect(QRectF(8, 8, 32, 32), 4, 4)
        p.drawRoundedRect(QRectF(24, 24, 32, 32), 4, 4)
    elif name == "camera":
        p.setPen(_pen(4))
        p.setBrush(Qt.BrushStyle.NoBrush)
        p.drawRoundedRect(QRectF(8, 18, 48, 34), 5, 5)
        p.drawEllipse(QRectF(22, 24, 20, 20))
        p.drawLine(QPointF(22, 18), QPointF(26, 11))
        p.drawLine(QPointF(26, 11), QPointF(38, 11))
        p.drawLine(QPointF(38, 11), QPointF(42, 18))
    elif name == "app":
        # Descent: a path spiralling into a minimum over contour rings.
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(QColor("#0072B2"))
        p.drawRoundedRect(QRectF(2, 2, 60, 60), 12, 12)
        p.setPen(_pen(2.5, "#9cc7e6"))
        p.setBrush(Qt.BrushStyle.NoBrush)
        for r in (8, 15, 22):
            p.drawEllipse(QPointF(38, 38), r * 1.1, r * 0.8)
        path = QPainterPath(QPointF(10, 12))
        for k in range(1, 30):
            t = k / 29
            ang = 5.0 * t
            rad = 26 * (1 - t)
            path.lineTo(QPointF(38 - rad * math.cos(ang) * 1.1, 38 - rad * math.sin(ang) * 0.8))
        p.setPen(_pen(4, "#F0E442"))
        p.drawPath(path)
    else:  # pragma: no cover - a typo in a caller
        raise ValueError(f"unknown icon {name!r}")


_CACHE: dict[str, QIcon] = {}


def icon(name: str) -> QIcon:
    """A named icon (cached): play, pause, step, reset, fullscreen, presentation, ..."""
    if name not in _CACHE:
        pm, p = _canvas()
        _draw(name, p)
        p.end()
        _CACHE[name] = QIcon(pm)
    return _CACHE[name]
