"""Number fields read the user's locale and C; they refuse letters (issues 12 and 15).

Under a German locale superqt's labeled slider ran ``float("0,5")`` and raised ValueError
inside its own slot; now every typed number goes through engine.validate.parse_number.
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import QLocale, Qt
from PySide6.QtTest import QTest

from engine.params import ParamSpec
from engine.validate import ValidationError
from gui.controls.param_control import LocaleDoubleSlider, ParamControl, is_number_field

BOUNDED = ParamSpec("momentum", 0.9, min=0.0, max=1.0)
LOG = ParamSpec("lr", 0.01, log=True, min=0.0, min_exclusive=True, max=10.0)
OPEN = ParamSpec("shift", 0.0)


@pytest.fixture
def german(app):
    QLocale.setDefault(QLocale(QLocale.Language.German, QLocale.Country.Germany))
    assert QLocale().decimalPoint() == ","
    yield
    QLocale.setDefault(QLocale.c())


def _type(qtbot, field, text: str) -> None:
    field.setFocus()
    field.selectAll()
    QTest.keyClick(field, Qt.Key.Key_Delete)
    QTest.keyClicks(field, text)
    QTest.keyClick(field, Qt.Key.Key_Return)


def _control(qtbot, spec) -> ParamControl:
    ctl = ParamControl(spec, "sgd")
    qtbot.addWidget(ctl)
    ctl.show()
    qtbot.waitExposed(ctl)
    return ctl


@pytest.mark.parametrize("text", ["0,5", "0.5"])
def test_slider_field_reads_both_decimal_points_under_german(german, qtbot, text):
    ctl = _control(qtbot, BOUNDED)
    slider = ctl._parts[0]
    assert isinstance(slider, LocaleDoubleSlider)
    with qtbot.waitSignal(ctl.edited, timeout=2000):
        _type(qtbot, slider.field, text)
    assert ctl.value() == 0.5
    assert slider.value() == pytest.approx(0.5)


def test_slider_field_refuses_out_of_range_with_one_line_naming_field_and_range(german, qtbot):
    ctl = _control(qtbot, BOUNDED)
    slider = ctl._parts[0]
    _type(qtbot, slider.field, "5")
    with pytest.raises(ValidationError) as err:
        ctl.value()
    msg = str(err.value)
    assert "\n" not in msg and "momentum" in msg and "[0, 1]" in msg and "got 5" in msg
    assert slider.value() == pytest.approx(0.9)  # not clamped to 1 behind the user's back


@pytest.mark.parametrize("spec", [LOG, OPEN])
def test_text_fields_read_the_locale(german, qtbot, spec):
    ctl = _control(qtbot, spec)
    part = ctl._parts[0]
    field = getattr(part, "field", part)
    _type(qtbot, field, "2,5e-3")
    assert ctl.value() == pytest.approx(0.0025, rel=1e-15)
    _type(qtbot, field, "0.125")
    assert ctl.value() == 0.125


def test_ambiguous_grouping_is_refused_in_english(app, qtbot):
    QLocale.setDefault(QLocale(QLocale.Language.English, QLocale.Country.UnitedStates))
    try:
        ctl = _control(qtbot, OPEN)
        _type(qtbot, ctl._parts[0], "1,234")
        with pytest.raises(ValidationError, match="ambiguous"):
            ctl.value()
        _type(qtbot, ctl._parts[0], "0,5")  # cannot be a thousands separator: a decimal
        assert ctl.value() == 0.5
    finally:
        QLocale.setDefault(QLocale.c())


@pytest.mark.parametrize("spec", [BOUNDED, LOG, OPEN])
def test_number_fields_refuse_letters_and_spaces(app, qtbot, spec):
    ctl = _control(qtbot, spec)
    part = ctl._parts[0]
    field = getattr(part, "field", part)
    assert is_number_field(field)
    field.setFocus()
    field.selectAll()
    QTest.keyClick(field, Qt.Key.Key_Delete)
    QTest.keyClicks(field, "0.2 n r x")
    assert field.text() == "0.2"
    QTest.keyClicks(field, "e-3")  # an exponent is a number
    assert field.text() == "0.2e-3"
