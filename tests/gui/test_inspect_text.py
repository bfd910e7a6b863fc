"""Shift-click inspection says a verdict only where the gradient vanishes (issue 12)."""

from __future__ import annotations


def test_inspecting_a_non_stationary_point_gives_its_shape_not_a_verdict(make_window):
    _, lab = make_window()
    # Rosenbrock at (0, 0): ∇f = (−2, 0) and H = diag(2, 200) by hand: a bowl, not a minimum.
    lab.inspect_point(0.0, 0.0)
    text = lab.surface.inspect_text.textItem.toPlainText()
    assert "not a stationary point (|∇f| = 2)" in text
    assert "bowl-shaped here" in text
    assert "MINIMUM" not in text and "minimum" not in text
    assert "λ₁ = 2 " in text and "λ₂ = 200" in text


def test_inspecting_the_minimum_gives_the_verdict(make_window):
    _, lab = make_window()
    lab.inspect_point(1.0, 1.0)  # ∇f(1, 1) = 0 exactly
    text = lab.surface.inspect_text.textItem.toPlainText()
    assert "stationary point (∇f = 0)" in text and "MINIMUM" in text
    assert "not a stationary" not in text


def test_a_click_next_to_a_marked_saddle_inspects_the_saddle(make_window):
    _, lab = make_window()
    lab.set_landscape("saddle", {})
    (x0, x1), _ = lab.surface.view.viewRange()
    lab.inspect_point(0.005 * (x1 - x0), 0.0)  # half a percent of the view off the saddle
    text = lab.surface.inspect_text.textItem.toPlainText()
    assert "SADDLE" in text and "(0, 0)" in text
    lab.inspect_point(0.2 * (x1 - x0), 0.0)  # far from it: the truth about that point
    assert "not a stationary point" in lab.surface.inspect_text.textItem.toPlainText()


def test_exactly_zero_is_shown_as_0(make_window):
    from engine.display import format_value

    assert format_value(-0.0) == "0" and format_value(0.0) == "0"
    _, lab = make_window()
    lab.set_landscape("saddle", {})
    lab.inspect_point(-0.0, -0.0)  # f = x² − y² (or similar): ∇f = 0 exactly at the origin
    text = lab.surface.inspect_text.textItem.toPlainText()
    assert "(0, 0)" in text and "-0" not in text and "−0" not in text
