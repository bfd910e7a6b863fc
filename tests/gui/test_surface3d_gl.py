"""The 3-D view with real OpenGL: what is drawn is the landscape and the race, exactly.

Collected in the ordinary offscreen run these tests skip (no GL there);
``test_surface3d_panel.py`` runs this file again in a child process on Xvfb, where Mesa's
llvmpipe provides OpenGL, and skips cleanly when that is missing too.
"""

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from gui.gl_check import opengl_available

# As gui.app.make_app does: GL widgets share one context group (pyqtgraph's shader cache).
if QApplication.instance() is None:
    QApplication.setAttribute(Qt.ApplicationAttribute.AA_ShareOpenGLContexts)

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning:OpenGL")


@pytest.fixture(scope="module")
def gl_ok(qapp):
    ok, why = opengl_available(child=False)
    if not ok:
        pytest.skip(why)
    return why


def rosenbrock(x, y):
    # Written out here, not taken from the engine: the independent truth for the heights.
    return 100.0 * (y - x * x) ** 2 + (1.0 - x) ** 2


@pytest.fixture
def panel(gl_ok, qtbot):
    from engine.runs import Race, eight_run_race
    from gui import theme
    from gui.panels.surface3d_panel import Surface3DPanel

    config = eight_run_race()
    p = Surface3DPanel()
    qtbot.addWidget(p)
    p.set_landscape(config.build_landscape())
    p.set_runs([theme.run_style(i) for i in range(len(config.runs))])
    p.resize(640, 420)
    p.show()
    qtbot.waitExposed(p)
    p.race = Race(config)
    yield p
    p.shutdown()
    p.close()
    p.deleteLater()
    qtbot.wait(1)


def paint(panel, qtbot):
    """Ask for a frame and wait until the GL view has painted it; return the image."""
    n = panel.view.paints
    panel.view.update()
    qtbot.waitUntil(lambda: panel.view.paints > n, timeout=10000)
    return panel.grab_image()


def test_surface_heights_are_log10_of_the_loss_on_the_grid(panel):
    xs, ys, h = panel.surface_grid()
    assert h.shape == (len(ys), len(xs))
    assert (xs[0], xs[-1], ys[0], ys[-1]) == (-2.0, 2.0, -1.0, 3.0)
    X, Y = np.meshgrid(xs, ys)
    d = np.log10(rosenbrock(X, Y))  # f* = 0 on Rosenbrock
    lo, hi = np.percentile(d, [0.5, 99.5])
    hm = panel.height_map()
    assert hm.is_log and hm.lo == pytest.approx(lo) and hm.hi == pytest.approx(hi)
    np.testing.assert_allclose(h, np.clip(d, lo, hi), rtol=1e-12, atol=1e-12)
    # Clipping touches the extreme percent only: the test compares real heights.
    assert np.mean((d < lo) | (d > hi)) < 0.011


def test_heads_ride_on_the_surface_at_the_landscape_value(panel):
    panel.race.step(40)
    snap = panel.race.snapshot()
    panel.update_snapshot(snap)
    heads = panel.head_points()
    pos = np.asarray(snap.positions)
    inside = (pos[:, 0] >= -2) & (pos[:, 0] <= 2) & (pos[:, 1] >= -1) & (pos[:, 1] <= 3)
    assert inside.sum() >= 6
    hm = panel.height_map()
    expected = np.clip(np.log10(rosenbrock(pos[:, 0], pos[:, 1])), hm.lo, hm.hi)
    np.testing.assert_allclose(heads[inside, :2], pos[inside])
    np.testing.assert_allclose(heads[inside, 2], expected[inside], rtol=1e-12)


def test_lines_grow_with_the_race_and_upload_only_new_points(panel, qtbot):
    race = panel.race
    race.step(20)
    panel.update_snapshot(race.snapshot())
    paint(panel, qtbot)  # the buffers are uploaded
    first = [panel.line_points(i).copy() for i in range(8)]
    assert [len(a) for a in first] == [21] * 8  # steps 0..20
    line = panel._lines[0]
    capacity = line._gpu_capacity
    assert line._uploaded == 21
    race.step(30)
    snap = race.snapshot()
    panel.update_snapshot(snap)
    paint(panel, qtbot)
    hm = panel.height_map()
    for i in range(8):
        pts = panel.line_points(i)
        assert len(pts) == 51
        np.testing.assert_array_equal(pts[:21], first[i])  # old points untouched
        xy = np.clip(snap.histories[i].xy, [-2, -1], [2, 3])
        np.testing.assert_allclose(pts[:, :2], xy, rtol=1e-6)
        z = np.clip(np.log10(rosenbrock(xy[:, 0], xy[:, 1])), hm.lo, hm.hi)
        inside = (snap.histories[i].xy == xy).all(axis=1)
        np.testing.assert_allclose(pts[inside, 2], z[inside], rtol=1e-5, atol=1e-5)
    assert line._uploaded == 51 and line._gpu_capacity == capacity  # no re-allocation
    # A new race (generation) starts the lines afresh.
    race.reset()
    panel.update_snapshot(race.snapshot())
    assert [len(panel.line_points(i)) for i in range(8)] == [1] * 8


def test_the_frame_shows_the_surface_and_the_run_colours(panel, qtbot):
    panel.race.step(200)
    panel.update_snapshot(panel.race.snapshot())
    img = paint(panel, qtbot)
    ptr = img.convertToFormat(img.Format.Format_RGB888)
    a = np.frombuffer(ptr.constBits(), np.uint8).reshape(ptr.height(), ptr.bytesPerLine())
    rgb = a[:, : 3 * ptr.width()].reshape(ptr.height(), ptr.width(), 3).astype(int)
    non_white = np.mean(rgb.sum(axis=2) < 740)
    assert non_white > 0.15  # the surface fills a good part of the view
    for colour in ("#0072B2", "#D55E00"):  # blue and vermillion runs
        c = np.array([int(colour[k : k + 2], 16) for k in (1, 3, 5)])
        assert (np.abs(rgb - c).sum(axis=2) < 40).sum() >= 5, colour


def test_presentation_makes_lines_and_heads_bigger(panel):
    panel.race.step(5)
    panel.update_snapshot(panel.race.snapshot())
    w0, s0 = panel._lines[0].width, panel.heads.size
    panel.set_presentation(True)
    assert panel._lines[0].width > w0 and panel.heads.size > s0
    panel.set_presentation(False)
    assert panel._lines[0].width == w0 and panel.heads.size == s0
