"""The toolbar's landscape combo names a formula surface ("f(x, y) = …", elided at words)."""

from __future__ import annotations

from PySide6.QtCore import Qt

from engine.landscapes import LANDSCAPES


def test_combo_shows_the_formula_elided_at_words_and_goes_back(make_window, qtbot):
    _w, lab = make_window()
    combo = lab.landscape_combo
    assert lab.apply_formula("x^2 + 3*y^2") is None
    assert combo.currentText() == "f(x, y) = x^2 + 3*y^2"
    long = "x^2 + y^2 + " + " + ".join(f"0.0{k}*cos({k}*x)" for k in range(1, 10))
    assert lab.apply_formula(long) is None
    text = combo.currentText()
    full = f"f(x, y) = {long}"
    assert text != full and text.endswith(" …")
    assert full.startswith(text[:-2])
    assert full[len(text) - 2] == " "  # cut between words, never inside a number
    assert combo.itemData(combo.currentIndex(), Qt.ItemDataRole.ToolTipRole) == full
    assert combo.count() == len(LANDSCAPES) + 1
    # a built-in surface chosen in the combo: the formula item goes
    combo.setCurrentIndex(combo.findData("booth"))
    assert lab.config.landscape == "booth"
    assert combo.count() == len(LANDSCAPES) and combo.currentText() == LANDSCAPES["booth"].title
    lab.undo()
    assert combo.currentText() == text
