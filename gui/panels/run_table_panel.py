"""One row per run: style swatch, optimizer, key hyperparameters, status, loss, steps, and the
run's results (:func:`engine.metrics.run_metrics`): steps to tolerance, path length, nearest
listed minimum and the distance to it, the step it diverged at or left the view."""

from __future__ import annotations

import numpy as np
from pyqtgraph.graphicsItems.ScatterPlotItem import Symbols
from PySide6.QtCore import QPointF, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QBrush, QColor, QIcon, QPainter, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QTableWidget,
    QTableWidgetItem,
    QToolButton,
    QWidget,
)

from engine.display import elide_words, format_value
from engine.landscapes import Landscape
from engine.metrics import RunMetrics, run_metrics
from gui import theme
from gui.icons import icon
from gui.panels.card import Card

COLUMNS = (
    "Run",
    "Key hyperparameters",
    "Status",
    "Loss",
    "Steps",
    "To tol",
    "Path",
    "Nearest min",
    "Out at",
)
C_RUN, C_HYPER, C_STATUS, C_LOSS, C_STEPS, C_TOL, C_PATH, C_NEAR, C_OUT = range(len(COLUMNS))
RESULT_COLUMNS = (C_TOL, C_PATH, C_NEAR, C_OUT)  # hidden in the compact table
HEADER_TIPS = {
    C_TOL: "Step from which the run stayed within the tolerance of a listed minimum",
    C_PATH: "Length of the path walked so far (recorded points)",
    C_NEAR: "The listed minimum nearest the run's point, and the distance to it",
    C_OUT: "Step at which the run diverged, or first left the view",
}
WORD_ELIDED = (C_RUN, C_HYPER)  # cells cut at words, never inside a number
FORMS_ROLE = Qt.ItemDataRole.UserRole + 2  # a status cell's forms, longest first
WIDEST_LOSS = "-1.234e+123"  # format_value's widest
COMPACT_LOSS = "1.234e-12"  # what the compact loss column holds before it must grow
# The status column's least width in compact: the run names come first.
STATUS_LEAST = "left at 9,999"
FULL_TIP_ROLE = Qt.ItemDataRole.UserRole + 1  # what else a cell's tooltip says


def swatch(style: theme.RunStyle, scale: float = 1.0, width: float = 44) -> QIcon:
    """A small picture of the run's line style and marker, in its colour."""
    w, h = int(width * scale), int(18 * scale)
    pm = QPixmap(w * 2, h * 2)
    pm.setDevicePixelRatio(2.0)
    pm.fill(Qt.GlobalColor.transparent)
    p = QPainter(pm)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    pen = style.pen(width=2.2 * scale)
    pen.setCosmetic(False)
    p.setPen(pen)
    p.drawLine(QPointF(2, h / 2), QPointF(w - 2, h / 2))
    path = Symbols[style.symbol]
    p.translate(w / 2, h / 2)
    s = 11 * scale
    p.scale(s, s)
    p.setPen(style.symbol_pen(1.0))
    p.setBrush(QBrush(style.qcolor()))
    p.drawPath(path)
    p.end()
    return QIcon(pm)


def _step_forms(verb: str, k: int) -> tuple[str, ...]:
    return (f"{verb} at step {k:,}", f"{verb} at {k:,}", f"{verb} {k:,}")


class RunTablePanel(Card):
    """The runs of the race as a table, with add / duplicate / remove.

    Signals
    -------
    selected(int)
        Row chosen by the user (-1 when none).
    add_requested(), duplicate_requested(int), remove_requested(int)
    """

    selected = Signal(int)
    add_requested = Signal()
    duplicate_requested = Signal(int)
    remove_requested = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Runs", parent)
        self._scale = theme.NORMAL
        self._compact = False
        self._rows: list[tuple[str, str, str]] = []
        self._styles: list[theme.RunStyle] = []
        self._landscape: Landscape | None = None
        self._tol = 1e-2
        self.metrics: list[RunMetrics | None] = []
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        for c, tip in HEADER_TIPS.items():
            self.table.horizontalHeaderItem(c).setToolTip(tip)
        self.table.verticalHeader().setVisible(False)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setShowGrid(False)
        self.table.setAlternatingRowColors(False)
        self.table.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        # The run and hyperparameter cells are cut at words here (_elide_cells): Qt's own
        # eliding cut "lr 0.05" to "lr 0.0…", a wrong number.
        self.table.setTextElideMode(Qt.TextElideMode.ElideNone)
        hh = self.table.horizontalHeader()
        hh.setHighlightSections(False)
        hh.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        # Widths are fitted when the runs change, not on every update: ResizeToContents
        # would measure every cell on each new loss value.
        for c in range(len(COLUMNS)):
            hh.setSectionResizeMode(c, QHeaderView.ResizeMode.Interactive)
        hh.setSectionResizeMode(C_HYPER, QHeaderView.ResizeMode.Stretch)
        hh.sectionResized.connect(self._on_section_resized)
        self.table.verticalHeader().setDefaultSectionSize(26)
        self.table.itemSelectionChanged.connect(self._on_selection)
        self.add_body(self.table, 0)
        self.body_layout.addStretch(1)  # the table keeps its height; spare room goes below

        self.buttons: dict[str, QToolButton] = {}
        for key, text, tip in (
            ("add", "Add", "Add a run (Ctrl+N)"),
            ("duplicate", "Duplicate", "Duplicate the selected run (Ctrl+D)"),
            ("remove", "Remove", "Remove the selected run (Delete)"),
        ):
            b = QToolButton()
            b.setText(text)
            b.setIcon(icon(key))
            b.setToolTip(tip)
            b.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
            b.setAutoRaise(True)
            b.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            self.head_layout.addWidget(b)
            self.buttons[key] = b
        self.buttons["add"].clicked.connect(self.add_requested)
        self.buttons["duplicate"].clicked.connect(
            lambda: self.duplicate_requested.emit(self.current_row())
        )
        self.buttons["remove"].clicked.connect(
            lambda: self.remove_requested.emit(self.current_row())
        )

    def _swatch_w(self) -> float:
        return 30.0 if self._compact else 44.0

    def _icon_size(self) -> QSize:
        return QSize(int(self._swatch_w() * self._scale.factor), int(18 * self._scale.factor))

    def _refresh_icons(self) -> None:
        for r, st in enumerate(self._styles):
            item = self.table.item(r, C_RUN)
            if item is not None:
                item.setIcon(swatch(st, self._scale.factor, self._swatch_w()))
        self.table.setIconSize(self._icon_size())

    def set_compact(self, on: bool) -> None:
        """Narrow layout (presentation): no hyperparameter column and no buttons row."""
        self._compact = bool(on)
        self.table.setColumnHidden(C_HYPER, self._compact)
        # The status says where a stopped run stopped; the status bar shows the step.
        self.table.setColumnHidden(C_STEPS, self._compact)
        for c in RESULT_COLUMNS:
            self.table.setColumnHidden(c, self._compact)
        for b in self.buttons.values():
            b.setVisible(not self._compact)
        hh = self.table.horizontalHeader()
        # Compact: the status takes what the name and loss leave; else the hyperparameters.
        hh.setSectionResizeMode(
            C_STATUS, QHeaderView.ResizeMode.Stretch if on else QHeaderView.ResizeMode.Interactive
        )
        hh.setSectionResizeMode(
            C_HYPER, QHeaderView.ResizeMode.Interactive if on else QHeaderView.ResizeMode.Stretch
        )
        self._refresh_icons()
        for r, (name, _, title) in enumerate(self._rows):
            self._set(r, C_RUN, title if on else name)
        self._fit_columns()

    def current_row(self) -> int:
        rows = self.table.selectionModel().selectedRows()
        return rows[0].row() if rows else -1

    def select_row(self, row: int) -> None:
        if 0 <= row < self.table.rowCount():
            self.table.selectRow(row)

    def _on_selection(self) -> None:
        self.selected.emit(self.current_row())

    def set_runs(self, styles: list[theme.RunStyle], rows: list[tuple[str, str, str]]) -> None:
        """Rebuild the table.

        ``rows`` are (name, hyperparameters, short title): the name and hyperparameters fill
        their columns; the compact (presentation) table shows the short title, e.g.
        "Adam lr=0.05", in place of both.
        """
        keep = self.current_row()
        self._styles = list(styles)
        self.table.blockSignals(True)
        self.table.setRowCount(len(rows))
        self._rows = list(rows)
        for r, (st, (name, hyper, title)) in enumerate(zip(styles, rows, strict=True)):
            shown = title if self._compact else name
            self._set(r, C_RUN, shown, icon=swatch(st, self._scale.factor, self._swatch_w()))
            self.table.item(r, C_RUN).setData(FULL_TIP_ROLE, st.description)
            self._set(r, C_HYPER, hyper)
            self._set_status(r, ("ready",), theme.INK)
            self._set(r, C_LOSS, "")
            self._set(r, C_STEPS, "0")
            for c in RESULT_COLUMNS:
                self._set(r, c, "")
        self.metrics = [None] * len(rows)
        self.table.setIconSize(self._icon_size())
        self.table.blockSignals(False)
        self._fit_columns()
        self.select_row(min(max(keep, 0), len(rows) - 1))
        self.buttons["remove"].setEnabled(len(rows) > 1)
        self._fit_height()

    def _fit_height(self) -> None:
        # Show up to four rows without scrolling (five on a normal screen); more scroll.
        most = 5 if self._scale.factor < 1.3 else 4
        rows = max(1, min(self.table.rowCount(), most))
        h = self.table.horizontalHeader().sizeHint().height()
        h += rows * self.table.verticalHeader().defaultSectionSize() + 6
        self.table.setMinimumHeight(h)
        self.table.setMaximumHeight(
            self.table.horizontalHeader().sizeHint().height()
            + max(1, self.table.rowCount()) * self.table.verticalHeader().defaultSectionSize()
            + 6
        )

    def set_row_text(self, row: int, name: str, hyper: str, title: str) -> None:
        self._rows[row] = (name, hyper, title)
        self._set(row, C_RUN, title if self._compact else name)
        self._set(row, C_HYPER, hyper)
        self._fit_columns()

    def _fit_columns(self) -> None:
        fm = self.table.fontMetrics()
        pad = int((12 if self._compact else 18) * self._scale.factor)
        icon_w = int(self._swatch_w() * self._scale.factor) + 8
        texts = [
            self.table.item(r, C_RUN).text()
            for r in range(self.table.rowCount())
            if self.table.item(r, C_RUN) is not None
        ]
        texts.append(COLUMNS[C_RUN])
        # The name cells are cut to the room _elide_cells leaves them (cell_pad).
        run_w = max(fm.horizontalAdvance(t) for t in texts) + max(pad, self._cell_pad()) + icon_w
        # Live columns sized for their widest likely text, so they never jitter. The loss
        # is never cut: room for a sign and a three-digit exponent (a saddle run's loss
        # reaches -1e+123 before it overflows).
        status_w = fm.horizontalAdvance("left the view at step 100,000") + pad
        loss_w = fm.horizontalAdvance(WIDEST_LOSS) + pad
        if self._compact:
            # Room for the usual values, grown when one needs more
            # (update_snapshot), so the names keep their room and no digit is cut.
            shown = [self.table.item(r, C_LOSS) for r in range(self.table.rowCount())]
            texts = [COMPACT_LOSS, *(i.text() for i in shown if i is not None)]
            loss_w = max(fm.horizontalAdvance(t) for t in texts) + self._cell_pad()
        if self._compact:
            # The run's name comes first (two runs cut to "SGD + …" look the same), the
            # loss keeps its digits, the status takes what is left and picks its shortest
            # forms (_fit_status): "left the view at 79" -> "left at 79".
            status_least = fm.horizontalAdvance(STATUS_LEAST) + pad
            room = self.table.viewport().width() - status_least - loss_w
            use_title = all(
                fm.horizontalAdvance(t) + self._cell_pad() + icon_w <= room
                for _, _, t in self._rows
            )
            widths = []
            for r, (name, _, title) in enumerate(self._rows):
                # Else the shorter of each run's two names (a labelled run's title is its
                # label, "sgd + noise", shorter than its name "sgd + noise (SGD)").
                text = title if use_title else min(name, title, key=fm.horizontalAdvance)
                self._set(r, C_RUN, text)
                widths.append(fm.horizontalAdvance(text))
            run_w = max([fm.horizontalAdvance(COLUMNS[C_RUN]), *widths]) + self._cell_pad() + icon_w
            run_w = max(min(run_w, room), icon_w + fm.horizontalAdvance("SGD + mom"))
            status_w = max(status_least, self.table.viewport().width() - run_w - loss_w)
        self.table.setColumnWidth(C_RUN, run_w)
        self.table.setColumnWidth(C_STATUS, status_w)
        self.table.setColumnWidth(C_LOSS, loss_w)
        self.table.setColumnWidth(C_STEPS, fm.horizontalAdvance("1,000,000") + pad)
        for c, widest in (
            (C_TOL, "100,000"),
            (C_PATH, "1.234e+05"),
            (C_NEAR, "#10 · 1.23e-04"),
            (C_OUT, "100,000"),
        ):
            w = max(fm.horizontalAdvance(t) for t in (widest, COLUMNS[c]))
            self.table.setColumnWidth(c, w + pad)
        self._elide_cells()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        if self._compact:
            # After the layout has resized the table itself.
            QTimer.singleShot(0, self._fit_columns)
        else:
            QTimer.singleShot(0, self._elide_cells)

    def _on_section_resized(self, column: int, _old: int, _new: int) -> None:
        if column in WORD_ELIDED:
            self._elide_cells()
        elif column == C_STATUS:
            self._fit_status()

    def _cut(self, r: int, c: int) -> bool:
        text = self.table.item(r, c).text()
        room = self.table.columnWidth(c) - self._cell_pad()
        return self.table.fontMetrics().horizontalAdvance(text) > room

    def _cell_pad(self) -> int:
        """A cell's margins and padding: its text has the column's width less this."""
        return int(12 * self._scale.factor) + 4

    def _elide_cells(self) -> None:
        """Show each run and hyperparameter cell's full text (kept in its UserRole) cut to
        its column at a word, with the full text in its tooltip when cut."""
        fm = self.table.fontMetrics()
        pad = self._cell_pad()
        icon_w = int(self._swatch_w() * self._scale.factor) + 8
        for c in WORD_ELIDED:
            room = self.table.columnWidth(c) - pad - (icon_w if c == C_RUN else 0)
            for r in range(self.table.rowCount()):
                item = self.table.item(r, c)
                if item is None:
                    continue
                full = item.data(Qt.ItemDataRole.UserRole) or ""
                shown = elide_words(full, fm.horizontalAdvance, room)
                if item.text() != shown:
                    item.setText(shown)
                extra = item.data(FULL_TIP_ROLE) or ""
                tip = "\n".join(t for t in (full if shown != full else "", extra) if t)
                if item.toolTip() != tip:
                    item.setToolTip(tip)
        self._fit_status()

    def full_text(self, row: int, column: int) -> str:
        """The whole text of a run or hyperparameter cell (what is shown may be cut)."""
        item = self.table.item(row, column)
        return "" if item is None else (item.data(Qt.ItemDataRole.UserRole) or item.text())

    def _set(
        self, r: int, c: int, text: str, icon: QIcon | None = None, colour: str | None = None
    ) -> None:
        item = self.table.item(r, c)
        if item is None:
            item = QTableWidgetItem()
            if c >= C_LOSS:
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            self.table.setItem(r, c, item)
        if c in WORD_ELIDED:
            if item.data(Qt.ItemDataRole.UserRole) != text:
                item.setData(Qt.ItemDataRole.UserRole, text)
                item.setText(text)  # cut to the column by _elide_cells
        elif item.text() != text:
            item.setText(text)
        if icon is not None:
            item.setIcon(icon)
        if colour is not None:
            item.setForeground(QBrush(QColor(colour)))

    def _set_status(self, r: int, forms: tuple[str, ...], colour: str) -> None:
        item = self.table.item(r, C_STATUS)
        if item is None:
            self._set(r, C_STATUS, forms[0])
            item = self.table.item(r, C_STATUS)
        if item.foreground().color() != QColor(colour):
            item.setForeground(QBrush(QColor(colour)))
        if item.data(FORMS_ROLE) != list(forms):
            item.setData(FORMS_ROLE, list(forms))
            self._fit_status()

    def set_landscape(self, landscape: Landscape | None, tol: float = 1e-2) -> None:
        """The surface the results columns are measured on; ``tol`` is the distance to a
        listed minimum that counts as reached (the basin map's)."""
        self._landscape = landscape
        self._tol = float(tol)

    def status_text(self, snap, r: int, metrics: RunMetrics | None = None) -> tuple[str, str]:
        """What the status cell of run ``r`` says at full length, and its colour."""
        forms, colour = self.status_forms(snap, r, metrics)
        return forms[0], colour

    def status_forms(
        self, snap, r: int, metrics: RunMetrics | None = None
    ) -> tuple[tuple[str, ...], str]:
        """The status of run ``r`` from its longest to its shortest wording (each with the
        whole step number), and its colour. The cell shows the longest that fits."""
        status, k = snap.status[r], snap.event_step[r]
        if status == "converged":
            return _step_forms("converged", k), "#1a7f37"
        if status == "diverged":
            return _step_forms("diverged", k), theme.ERROR
        if status == "left":
            # Finite and downhill: the surface has no bottom. Not a fault, so not red.
            first = metrics.left_view_at if metrics is not None else None
            first = first if first is not None else k
            return (
                f"left the view at step {first:,}",
                f"left the view at {first:,}",
                f"left at {first:,}",
            ), theme.INK
        if metrics is not None and metrics.left_view_at is not None and self._outside(snap, r):
            return ("outside the view", "outside"), theme.INK
        return ("running" if snap.step > 0 else "ready",), theme.INK

    def _fit_status(self) -> None:
        """Each status cell shows the longest of its forms that fits its column (the
        shortest cut at words if none does); the full wording goes in its tooltip."""
        fm = self.table.fontMetrics()
        room = self.table.columnWidth(C_STATUS) - self._cell_pad()
        for r in range(self.table.rowCount()):
            item = self.table.item(r, C_STATUS)
            forms = None if item is None else item.data(FORMS_ROLE)
            if not forms:
                continue
            shown = next((f for f in forms if fm.horizontalAdvance(f) <= room), None)
            if shown is None:
                shown = elide_words(forms[-1], fm.horizontalAdvance, room)
            if item.text() != shown:
                item.setText(shown)
            tip = forms[0] if shown != forms[0] else ""
            if item.toolTip() != tip:
                item.setToolTip(tip)

    def _outside(self, snap, r: int) -> bool:
        if self._landscape is None:
            return False
        x, y = snap.positions[r]
        xmin, xmax, ymin, ymax = self._landscape.window
        return not (xmin <= x <= xmax and ymin <= y <= ymax)

    def _metrics(self, snap, r: int) -> RunMetrics | None:
        if self._landscape is None or len(snap.histories[r]) == 0:
            return None
        with np.errstate(all="ignore"):
            return run_metrics(
                snap.histories[r], self._landscape, self._tol, snap.status[r], snap.event_step[r]
            )

    def update_snapshot(self, snap) -> None:
        if self.table.rowCount() != snap.n_runs:
            return
        self.metrics = [self._metrics(snap, r) for r in range(snap.n_runs)]
        for r in range(snap.n_runs):
            status = snap.status[r]
            k = snap.event_step[r]
            m = self.metrics[r]
            forms, colour = self.status_forms(snap, r, m)
            self._set_status(r, forms, colour)
            self._set(r, C_LOSS, format_value(float(snap.losses[r])))
            if self._compact and self._cut(r, C_LOSS):
                self._fit_columns()
            steps = snap.step if status == "running" else (k if k is not None else snap.step)
            self._set(r, C_STEPS, f"{steps:,}")
            if m is None:
                continue
            self._set(r, C_TOL, "" if m.steps_to_tol is None else f"{m.steps_to_tol:,}")
            self._set(r, C_PATH, format_value(m.path_length))
            near = ""
            if m.nearest_minimum is not None:
                near = f"#{m.nearest_minimum + 1} · {format_value(m.distance_to_minimum)}"
            self._set(r, C_NEAR, near)
            out = m.diverged_at if m.diverged_at is not None else m.left_view_at
            self._set(r, C_OUT, "" if out is None else f"{out:,}")
            where = self._near_tip(m)
            item = self.table.item(r, C_NEAR)
            if item.toolTip() != where:
                item.setToolTip(where)

    def _near_tip(self, m: RunMetrics) -> str:
        if m.nearest_minimum is None or self._landscape is None:
            return ""
        p = self._landscape.minima[m.nearest_minimum]
        return (
            f"minimum #{m.nearest_minimum + 1} at ({p.x:.6g}, {p.y:.6g}), {p.kind}; "
            f"distance {m.distance_to_minimum:.6g}"
        )

    def apply_scale(self, scale: theme.Scale) -> None:
        self._scale = scale
        self.table.verticalHeader().setDefaultSectionSize(int(26 * scale.factor))
        self._refresh_icons()
        self._fit_columns()
        self._fit_height()
