"""Help: the keyboard shortcut sheet (F1) and the About box.

The sheet is built from the actions themselves, so it can never list a key that does not
work: every action with a shortcut, grouped by the menu it is in (in menu-bar order), sorted
by name within a group; actions outside every menu (window-wide keys) come last under
"Other". The About box gives the version (:mod:`engine.version`, its one place), the licence,
and the libraries the app stands on, each with the version and licence its own package
metadata declares.

The main window calls :func:`show_shortcut_sheet` and :func:`show_about`.
"""

from __future__ import annotations

import html
from importlib import metadata

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QMenu,
    QMenuBar,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from engine.version import APP_NAME, __version__

#: The licence of Descent Lab itself. The repository has no LICENSE file yet: until its
#: authors choose one, say so rather than invent one.
LICENCE = "No licence has been chosen yet: all rights reserved by the authors."

#: (distribution, what it does here). Versions and licences come from package metadata.
CREDITS: tuple[tuple[str, str], ...] = (
    ("PySide6-Essentials", "Qt for Python: windows, widgets, painting"),
    ("pyqtgraph", "fast interactive plots"),
    ("numpy", "every number the engine computes"),
    ("superqt", "debounced and throttled slots"),
    ("platformdirs", "where settings and files go"),
    ("imageio", "MP4 recording"),
    ("imageio-ffmpeg", "the ffmpeg it records with"),
    ("pillow", "GIF recording"),
)
IDEAS = (
    "Colour palette: Okabe & Ito (2008), safe for colour-blind viewers.",
    "Optimizer semantics follow PyTorch's torch.optim documentation.",
    "Smoothing as TensorBoard's scalar dashboard does it (debiased EMA).",
)
OTHER = "Other"


def _plain(text: str) -> str:
    """An action's text as read: mnemonics (&) and a trailing ellipsis removed."""
    return text.replace("&&", "\0").replace("&", "").replace("\0", "&").rstrip("…").strip()


def _keys(act: QAction) -> str:
    return ", ".join(
        s.toString(QKeySequence.SequenceFormat.NativeText)
        for s in act.shortcuts()
        if not s.isEmpty()
    )


def _menu_actions(menu: QMenu) -> list[QAction]:
    """Every action of ``menu`` and its submenus, depth first."""
    out = []
    for act in menu.actions():
        sub = act.menu()
        if sub is not None:
            out += _menu_actions(sub)
        elif not act.isSeparator():
            out.append(act)
    return out


def shortcut_groups(
    menu_bar: QMenuBar, extra: list[QAction] | tuple[QAction, ...] = ()
) -> list[tuple[str, list[tuple[str, str]]]]:
    """Shortcuts grouped by top-level menu.

    Parameters
    ----------
    menu_bar : QMenuBar
    extra : sequence of QAction
        Actions that live outside the menus (e.g. added to the window only); those not
        found in a menu are listed under "Other".

    Returns
    -------
    list of (menu title, list of (action, keys))
        Menus in menu-bar order, actions sorted by name (case-insensitive); menus without
        a shortcut are left out; an action in two menus is listed in the first.
    """
    seen: set[int] = set()
    groups = []
    for top in menu_bar.actions():
        menu = top.menu()
        if menu is None or not top.isVisible():
            continue
        rows = []
        for act in _menu_actions(menu):
            keys = _keys(act)
            if keys and id(act) not in seen:
                seen.add(id(act))
                rows.append((_plain(act.text()), keys))
        if rows:
            groups.append((_plain(top.text()), sorted(rows, key=lambda r: r[0].casefold())))
    rest = []
    for act in extra:
        keys = _keys(act)
        if keys and id(act) not in seen:
            seen.add(id(act))
            rest.append((_plain(act.text()), keys))
    if rest:
        groups.append((OTHER, sorted(rest, key=lambda r: r[0].casefold())))
    return groups


MOUSE_HINTS = (
    "Click the surface to move the start point; Shift+click (or inspect mode) shows the "
    "curvature at a point; drag to pan, wheel to zoom."
)


def shortcut_sheet_html(groups) -> str:
    """The sheet as rich text: one titled two-column table per group."""
    parts = []
    for title, rows in groups:
        body = "".join(
            f"<tr><td>{html.escape(name)}</td><td><b>{html.escape(keys)}</b></td></tr>"
            for name, keys in rows
        )
        parts.append(f"<h3>{html.escape(title)}</h3><table cellspacing=4>{body}</table>")
    parts.append(f"<p>{html.escape(MOUSE_HINTS)}</p>")
    return "".join(parts)


def _browser_dialog(parent: QWidget | None, title: str, text: str) -> QDialog:
    dlg = QDialog(parent)
    dlg.setWindowTitle(title)
    dlg.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    lay = QVBoxLayout(dlg)
    view = QTextBrowser()
    view.setOpenExternalLinks(True)
    view.setHtml(text)
    lay.addWidget(view)
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
    buttons.rejected.connect(dlg.reject)
    lay.addWidget(buttons)
    dlg.resize(560, 600)
    return dlg


def show_shortcut_sheet(window, extra=None) -> QDialog:
    """Show the grouped shortcut sheet of ``window`` (a QMainWindow), non-modal so the
    app stays usable beside it; its window-wide actions are the extra ones unless
    ``extra`` is given."""
    actions = window.actions() if extra is None else extra
    text = shortcut_sheet_html(shortcut_groups(window.menuBar(), actions))
    dlg = _browser_dialog(window, "Keyboard shortcuts", text)
    dlg.show()
    return dlg


def credits() -> list[tuple[str, str, str, str]]:
    """(distribution, version, licence, role) of each library in :data:`CREDITS`; version
    and licence as its installed metadata declares them ("?" where it has none, as in
    a bundle that left the metadata out)."""
    out = []
    for name, role in CREDITS:
        try:
            md = metadata.metadata(name)
            version = metadata.version(name)
        except metadata.PackageNotFoundError:
            out.append((name, "?", "?", role))
            continue
        licence = md.get("License-Expression") or md.get("License") or ""
        licence = licence.strip().splitlines()[0] if licence.strip() else "?"
        out.append((name, version, licence, role))
    return out


def about_html() -> str:
    """The About box's text: name, version, what it is, licence, credits."""
    rows = "".join(
        f"<tr><td><b>{html.escape(n)}</b> {html.escape(v)}</td><td>{html.escape(lic)}</td>"
        f"<td>{html.escape(role)}</td></tr>"
        for n, v, lic, role in credits()
    )
    ideas = "".join(f"<li>{html.escape(t)}</li>" for t in IDEAS)
    return (
        f"<h2>{html.escape(APP_NAME)} {html.escape(__version__)}</h2>"
        "<p>Watch optimizers race over loss surfaces and neural networks train, layer by "
        "layer: gradients, momentum and adaptive learning rates made visible.</p>"
        f"<p><b>Licence:</b> {html.escape(LICENCE)}</p>"
        f"<h3>Built with</h3><table cellspacing=4>{rows}</table>"
        f"<h3>Credits</h3><ul>{ideas}</ul>"
    )


def show_about(parent: QWidget | None) -> QDialog:
    """Show (non-modal) the About box."""
    dlg = _browser_dialog(parent, f"About {APP_NAME}", about_html())
    dlg.show()
    return dlg
