"""The loss surface panel on its own: bold full-colour trajectories, a line-width setting,
and heads outside the view pinned to its edge with an arrow pointing at them."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest

from engine.runs import Race, RaceConfig, RunConfig
from gui import theme


@pytest.fixture
def panel(app, qtbot):
    from gui.panels.landscape_panel import LandscapePanel

    config = RaceConfig(
        landscape="rosenbrock",
        runs=(RunConfig("sgd", {"lr": 1e-3}), RunConfig("rmsprop", {"lr": 1e-2})),
    )
    race = Race(config)
    p = LandscapePanel()
    qtbot.addWidget(p)
    p.resize(700, 600)
    p.show()
    qtbot.waitExposed(p)
    p.set_landscape(race.landscape)
    p.set_runs([theme.run_style(i) for i in range(2)])
    race.step(20)
    p.race_ = race
    return p


def test_trajectories_are_full_colour_at_the_scale_default_width(panel):
    snap = panel.race_.snapshot()
    panel.update_snapshot(snap)
    for i, stroke in enumerate(panel.trails.strokes):
        assert stroke.pen.color().name() == theme.run_style(i).colour.lower()
    from gui.stroke_layer import offsets_for

    assert panel.line_width == theme.NORMAL.line_width == 2.5
    assert panel.trails.strokes[0].offsets == offsets_for(2.5)
    panel.apply_scale(theme.PRESENTATION)
    assert panel.line_width == 4.0
    assert panel.trails.strokes[0].offsets == offsets_for(4.0)


def test_line_width_setting_overrides_the_default_and_scales_the_dashes(panel):
    panel.update_snapshot(panel.race_.snapshot())
    from gui.stroke_layer import offsets_for

    panel.set_line_width(5)
    dotted = panel.trails.strokes[1].pen  # run 1: the dotted style
    assert panel.trails.strokes[1].offsets == offsets_for(5)
    # Qt's dash units are pen widths: the pattern scaled by the width, in pixels.
    assert dotted.dashPattern() == pytest.approx([5 * d for d in theme.run_style(1).dash])
    panel.apply_scale(theme.PRESENTATION)
    assert panel.line_width == 5  # the user's choice survives presentation mode
    panel.set_line_width(None)
    assert panel.line_width == theme.PRESENTATION.line_width
    for bad in (0.5, 60, float("nan"), "thick"):
        with pytest.raises(ValueError, match="line width"):
            panel.set_line_width(bad)


def test_a_head_outside_the_view_is_pinned_to_the_edge_with_an_arrow_to_it(panel):
    snap = panel.race_.snapshot()
    far = np.array(snap.positions)
    far[0] = (50.0, 3.0)  # far to the right of Rosenbrock's window
    panel.update_snapshot(replace(snap, positions=far))
    x0, x1, y0, y1 = panel.view_window()
    hx, hy = panel.head_position(0)
    assert panel.head_off_view(0) and not panel.head_off_view(1)
    assert x0 < hx < x1 and y0 < hy < y1
    assert hx > 0.5 * (x0 + x1)  # on the right-hand side
    assert panel.head_position(1) == pytest.approx(tuple(snap.positions[1]))
    arrows = panel.edge_arrows()
    assert len(arrows) == 1
    ax, ay = arrows[0].x, arrows[0].y
    assert (ax[0], ay[0]) == pytest.approx((hx, hy))
    # The shaft points from the marker to the head (on screen: the view's aspect is locked).
    px, py = panel.view.viewPixelSize()
    shaft = np.array([(ax[1] - ax[0]) / px, (ay[1] - ay[0]) / py])
    to_head = np.array([(50.0 - hx) / px, (3.0 - hy) / py])
    cos = shaft @ to_head / (np.linalg.norm(shaft) * np.linalg.norm(to_head))
    assert cos > 0.999
    # ...in the run's own colour, with its marker shape.
    assert arrows[0].pen.color().name() == theme.run_style(0).colour.lower()
    assert panel.race.markers[0].path is panel._runs[0]["head_path"]
    # Back inside: no arrow, the marker where the head is.
    panel.update_snapshot(snap)
    assert panel.edge_arrows() == [] and not panel.head_off_view(0)
    assert panel.head_position(0) == pytest.approx(tuple(snap.positions[0]))


def test_the_arrow_follows_when_the_view_is_panned_while_paused(panel, qtbot):
    snap = panel.race_.snapshot()
    panel.update_snapshot(snap)
    assert not panel.head_off_view(0)
    x0, x1, _, _ = panel.view_window()
    w = x1 - x0
    panel.view.setRange(xRange=(x0 + 3 * w, x1 + 3 * w), padding=0.0)
    panel.view.sigRangeChangedManually.emit([True, True])
    qtbot.waitUntil(lambda: panel.head_off_view(0), timeout=3000)
    assert panel.edge_arrows() and all(math.isfinite(v) for v in panel.head_position(0))


def test_every_surface_after_every_other_draws_without_a_warning(panel):
    """The colour bar's axis kept the previous surface's log mode while it took the new
    levels: a linear surface's levels read as decades overflowed 10**x (found by the
    random-action test). Warnings are errors in the test run, so any pair that warns fails."""
    from engine.landscapes import LANDSCAPES, make_landscape

    surfaces = [make_landscape(name) for name in LANDSCAPES]
    # a linear surface whose values pass 10^308 when read as decades
    surfaces.append(make_landscape("formula", expr="1000*(x^2+y^2)"))
    assert not surfaces[-1].log_scale
    log = next(s for s in surfaces if s.log_scale)
    linear = next(s for s in surfaces if not s.log_scale)
    for b in surfaces:  # every surface after one of the other colour scale
        panel.set_landscape(linear if b.log_scale else log)
        panel.set_landscape(b)
        assert panel.colorbar.axis.logMode == bool(b.log_scale)


def test_fewer_runs_then_internals_on_draws_no_stale_snapshot(panel):
    """After the set of runs shrinks, the last snapshot (of the old runs) is never drawn:
    switching the internals on used to index a run that no longer exists."""
    panel.update_snapshot(panel.race_.snapshot())
    panel.set_runs([theme.run_style(0)])
    panel.set_internals_visible(True)  # raised IndexError before
    one = Race(replace(panel.race_.config, runs=panel.race_.config.runs[:1]))
    one.step(5)
    panel.update_snapshot(one.snapshot())
    assert len(panel.arrows("grad")) <= 1
