"""Your own surface: a formula typed in the landscape editor (or the File dialog) becomes the
race's landscape with its critical points marked; a hostile one changes nothing."""

from __future__ import annotations

from PySide6.QtCore import Qt

from engine.landscapes.formula import FORMULA_NAME


def _marked(lab) -> set[tuple[float, float, str]]:
    return {
        (round(p.data().x, 9), round(p.data().y, 9), p.data().kind)
        for p in lab.surface.critical.points()
    }


def test_typed_formula_races_with_its_minima_marked_and_undoes(make_window, qtbot):
    window, lab = make_window()
    before = lab.config
    editor = lab.landscape_editor
    editor.formula.clear()
    qtbot.keyClicks(editor.formula, "(x^2 - 1)^2 + 2*y^2")
    qtbot.keyClick(editor.formula, Qt.Key.Key_Return)
    assert lab.config.landscape == FORMULA_NAME
    assert lab.config.landscape_params["expr"] == "(x^2 - 1)^2 + 2*y^2"
    # By hand: grad = (4x(x^2 - 1), 4y) vanishes at (±1, 0) (Hessian diag(8, 4): minima)
    # and (0, 0) (Hessian diag(-4, 4): a saddle).
    assert _marked(lab) == {
        (-1.0, 0.0, "global minimum"),
        (1.0, 0.0, "global minimum"),
        (0.0, 0.0, "saddle"),
    }
    assert editor.combo.currentData() == FORMULA_NAME
    assert not editor.formula_error.isVisible()
    # The lesson and the autosave hold it (it round-trips through RaceConfig).
    assert window.lessons is not None and lab.scenario_section()["race"] == lab.config
    lab.undo()
    assert lab.config == before
    assert lab.landscape.name == before.landscape


def test_hostile_formulas_leave_the_lab_as_it_was_with_the_message(make_window, qtbot):
    _window, lab = make_window()
    before, landscape = lab.config, lab.landscape
    messages = []
    lab.message.connect(lambda level, text: messages.append((level, text)))
    editor = lab.landscape_editor
    for text, column in (
        ("__import__('os')", True),
        ("9**9**9**9 + x", False),
        ("(" * 3000 + "x" + ")" * 3000, False),
        ("x + z", True),
        ("sin(x, y, x)", True),
        ("x" * 200_000, False),
    ):
        editor.formula.setText(text)
        qtbot.keyClick(editor.formula, Qt.Key.Key_Return)
        assert lab.config == before and lab.landscape is landscape
        shown = editor.formula_error.text()
        assert editor.formula_error.isVisible() and shown and "\n" not in shown
        assert messages[-1] == ("error", f"formula: {shown}")
        if column:
            assert "column" in shown
    error = lab.apply_formula("x +")
    assert error and lab.config == before


def test_formula_dialog_keeps_open_on_an_error_and_uses_a_good_formula(make_window, qtbot):
    from gui.formula_dialog import FormulaDialog

    _window, lab = make_window()
    dialog = FormulaDialog(lab.apply_formula, "", lab)
    qtbot.addWidget(dialog)
    dialog.field.setText("x ^^ 2")
    dialog.accept()
    assert not dialog.error.isHidden() and "column" in dialog.error.text()
    assert dialog.result() == 0 and lab.config.landscape != FORMULA_NAME
    dialog.field.setText("x^2 + 3*y^2")
    dialog.accept()
    assert dialog.result() == dialog.DialogCode.Accepted
    assert lab.config.landscape_params["expr"] == "x^2 + 3*y^2"
    assert _marked(lab) == {(0.0, 0.0, "global minimum")}
    assert lab.act_formula in lab.lab_actions()
