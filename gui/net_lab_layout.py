"""Where the network lab's shared curves go in presentation: beside the rows, or under them.

In presentation each column is a row of four plots of at least ``ROW_PLOT_MIN`` (see
:meth:`gui.panels.net_column_panel.NetColumnPanel.set_across`). At 1280x720 a row and the
curves fit side by side; at 1024x768 they do not (a row needs ~900 px and the curves
~300 px), and the rows used to sit behind a horizontal scroll bar. There the curves
become the last row of the scrolled rows instead, loss and accuracy side by side, so
every plot keeps its size and nothing scrolls sideways.
"""

from __future__ import annotations

from PySide6.QtWidgets import QStyle

#: Room the splitter's handle and the rows' vertical scroll bar take beside the rows.
_CHROME = 12
#: The curves' least width beside the rows, until measured.
_FALLBACK_W = 310


def curves_fit_beside(lab) -> bool:
    """Whether the rows (at their minimum width) and the curves fit side by side.

    Parameters
    ----------
    lab : gui.network_lab.NetworkLab
    """
    panels = lab.panels
    row = max((p.minimumWidth() for p in panels), default=0)
    bar = lab.style().pixelMetric(QStyle.PixelMetric.PM_ScrollBarExtent)
    return row + bar + _CHROME + _beside_width(lab) <= lab.row.width()


def _beside_width(lab) -> int:
    # The curves' least width when stacked beside the rows: measured while they are
    # there (re-laying them out on every resize event only to measure would be dear).
    if not lab.curves.across:
        lab._curves_beside_w = lab.curves.minimumSizeHint().width()
    return getattr(lab, "_curves_beside_w", _FALLBACK_W)


def place_curves(lab) -> None:
    """Put the curves beside the columns, or (presentation, too narrow) under the rows."""
    under = bool(lab._across) and lab.row.width() > 0 and not curves_fit_beside(lab)
    if under:
        # the last row, after every column (re-added when columns were added since)
        lab.columns_layout.removeWidget(lab.curves)
        lab.curves.set_across(True)
        lab.columns_layout.addWidget(lab.curves, 0)
        lab.curves.show()
    elif lab.curves.parent() is not lab.row:
        lab.columns_layout.removeWidget(lab.curves)
        lab.curves.set_across(False)
        lab.row.insertWidget(1, lab.curves)
        lab.row.setStretchFactor(1, 1)
        lab.curves.show()
        total = sum(lab.row.sizes()) or lab.row.width()
        cw = max(lab.curves.minimumSizeHint().width(), 240)
        lab.row.setSizes([max(total - cw, 0), cw])


__all__ = ["curves_fit_beside", "place_curves"]
