"""App-wide keyboard rules: single-key shortcuts act on the app, never type into a field.

A teacher types a learning rate, presses Enter, then Space to play. Without these rules
the field kept the focus and became "0.002 " (or "0.002r", or "n n n n" for N). Installed
once on the QApplication (:func:`install`), an event filter makes three things hold:

- **Enter or Esc in a field gives the focus back to the plot** of the lab the field sits
  in (its largest visible plot), so the next single key is a shortcut. Esc first puts
  back the text the field had when it got the focus: the edit is abandoned.
- **In a number field** (a :class:`~gui.controls.param_control.NumberValidator` field or a
  spin box) a key that cannot be part of a number (a letter other than the exponent's e,
  a space) is not claimed by the field, so Qt offers it to the shortcuts: Space plays, R
  resets, N moves to the next landscape, even while the field has the focus.
- Keys with Ctrl, Alt or Meta, and keys that type nothing (arrows, F-keys), are left to
  the widget and Qt's own rules.

Free-text fields (a run's label, a formula) still take every letter: there a letter is
what the user means. Enter or Esc leaves them.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtWidgets import QAbstractSpinBox, QApplication, QGraphicsView, QLineEdit, QWidget

from gui.controls.param_control import NUMBER_CHARS, is_number_field

_LEAVE_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Escape)
_CHORD = (
    Qt.KeyboardModifier.ControlModifier
    | Qt.KeyboardModifier.AltModifier
    | Qt.KeyboardModifier.MetaModifier
)


def _is_field(obj: QObject) -> bool:
    if isinstance(obj, QAbstractSpinBox):
        return True
    return isinstance(obj, QLineEdit) and not obj.isReadOnly()


def _takes_only_numbers(obj: QObject) -> bool:
    return is_number_field(obj) or isinstance(obj, QAbstractSpinBox)


def _typeable(obj: QObject, text: str) -> bool:
    """Whether the number field ``obj`` could take the character(s) ``text``."""
    if isinstance(obj, QAbstractSpinBox):
        return all(c.isdigit() or c in "+-.," for c in text)
    return all(c in NUMBER_CHARS for c in text)


def lab_of(widget: QWidget) -> QWidget | None:
    """The lab (a widget with ``lab_actions``) that holds ``widget``, or None."""
    w = widget.parentWidget()
    while w is not None and not hasattr(w, "lab_actions"):
        w = w.parentWidget()
    return w


def plot_of(lab: QWidget) -> QWidget:
    """The lab's largest visible plot: where the focus rests between edits."""
    views = [v for v in lab.findChildren(QGraphicsView) if v.isVisible()]
    if not views:
        return lab
    return max(views, key=lambda v: v.width() * v.height())


def focus_plot(widget: QWidget) -> bool:
    """Move the keyboard focus from ``widget`` to its lab's plot; False if not in a lab."""
    lab = lab_of(widget)
    if lab is None:
        return False
    # setFocus works on a NoFocus plot too: it still takes no Tab or click focus.
    plot_of(lab).setFocus(Qt.FocusReason.OtherFocusReason)
    return True


def _text_of(obj: QObject) -> str:
    return obj.text() if isinstance(obj, QLineEdit) else obj.lineEdit().text()


def _set_text(obj: QObject, text: str) -> None:
    if isinstance(obj, QLineEdit):
        obj.setText(text)
    else:
        obj.lineEdit().setText(text)


class AppKeys(QObject):
    """The application's event filter (see the module docstring); use :func:`install`."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._entered: dict[int, str] = {}  # id(field) -> its text when it got the focus

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind == QEvent.Type.ShortcutOverride and _takes_only_numbers(obj):
            text = event.text()
            if text and not (event.modifiers() & _CHORD) and not _typeable(obj, text):
                return True  # left unaccepted: Qt tries the shortcuts with this key
        elif kind == QEvent.Type.FocusIn and _is_field(obj):
            self._entered[id(obj)] = _text_of(obj)
        elif kind == QEvent.Type.FocusOut and _is_field(obj):
            self._entered.pop(id(obj), None)
        elif (
            kind == QEvent.Type.KeyPress
            and event.key() in _LEAVE_KEYS
            and _is_field(obj)
            and lab_of(obj) is not None
        ):
            if event.key() == Qt.Key.Key_Escape and id(obj) in self._entered:
                _set_text(obj, self._entered[id(obj)])
            # After the field has handled Enter (editingFinished), not before.
            QTimer.singleShot(0, lambda w=obj: _leave(w))
        return False


def _leave(field: QWidget) -> None:
    # superqt's slider field drops the focus itself on Enter; then there is none to move
    # from, and it still goes to the plot. Focus the user moved to another field stays.
    now = QApplication.focusWidget()
    if now is not None and now is not field and _is_field(now):
        return
    try:
        focus_plot(field)
    except RuntimeError:  # the field was deleted meanwhile (its form was rebuilt)
        pass


def install(app: QApplication) -> AppKeys:
    """Install the app-wide key rules on ``app`` once; returns the filter."""
    keys = app.findChild(AppKeys)
    if keys is None:
        keys = AppKeys(app)
        app.installEventFilter(keys)
    return keys
