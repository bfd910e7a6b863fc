"""The 3-D view's fallback offscreen, its height rule and growing lines without a GPU; and
the GL tests (test_surface3d_gl.py) run for real on Xvfb where Mesa provides OpenGL."""

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from engine.landscapes import make_landscape
from gui import gl_check
from tests.gui.helpers import start_xvfb

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def fresh_check():
    gl_check._cached.cache_clear()
    yield
    gl_check._cached.cache_clear()


def test_offscreen_says_in_one_line_that_the_view_stays_2d(qapp, fresh_check):
    from PySide6.QtGui import QGuiApplication

    assert QGuiApplication.platformName() == "offscreen"
    ok, why = gl_check.opengl_available()
    assert ok is False
    assert why == "3-D view off: the offscreen platform has no OpenGL"
    assert "\n" not in why


def test_the_switch_turns_3d_off_by_hand(qapp, fresh_check, monkeypatch):
    monkeypatch.setenv(gl_check.ENV_SWITCH, "0")
    assert gl_check.opengl_available() == (False, "3-D view off: DESCENT_LAB_OPENGL=0 is set")


def test_the_in_process_context_check_never_aborts_offscreen(qapp):
    # Offscreen Qt has no GL integration: creating a context fails politely.
    ok, why = gl_check._context_check()
    assert not ok and why == "no OpenGL context could be created"


def test_a_child_that_crashes_is_a_one_line_no(monkeypatch):
    class Done:
        returncode, stdout, stderr = -6, "", "Aborted\n"

    monkeypatch.setattr(gl_check.subprocess, "run", lambda *a, **k: Done())
    assert gl_check._child_check("xcb") == (False, "a test OpenGL window crashed (signal 6)")


def _height_map():
    pytest.importorskip("OpenGL.GL")
    from gui.panels.surface3d_panel import HeightMap

    return HeightMap


def test_log_heights_are_log10_of_the_gap_to_the_known_minimum():
    HeightMap = _height_map()
    ls = make_landscape("rosenbrock")
    xs, ys, z = ls.grid(50, 40)
    X, Y = np.meshgrid(xs, ys)
    f = 100.0 * (Y - X**2) ** 2 + (1.0 - X) ** 2  # written out: the independent truth
    hm = HeightMap.for_grid(z, ls)
    assert hm.is_log and hm.offset == 0.0
    d = np.log10(f)
    assert (hm.lo, hm.hi) == pytest.approx(tuple(np.percentile(d, [0.5, 99.5])))
    np.testing.assert_allclose(hm(f), np.clip(d, hm.lo, hm.hi), rtol=1e-12)
    # Non-finite losses (a run far outside) sit at the top, never NaN on the screen.
    assert hm(np.array([np.inf, np.nan])).tolist() == [hm.hi, hm.hi]
    assert hm.label() == "height: log10 f"


def test_linear_heights_are_the_loss_itself():
    HeightMap = _height_map()
    ls = make_landscape("saddle")
    assert not ls.log_scale
    _, _, z = ls.grid(30, 30)
    hm = HeightMap.for_grid(z, ls)
    assert not hm.is_log and hm.label() == "height: loss f"
    assert (hm.lo, hm.hi) == pytest.approx(tuple(np.percentile(z, [0.5, 99.5])))
    inside = (z >= hm.lo) & (z <= hm.hi)
    np.testing.assert_array_equal(hm(z)[inside], z[inside])
    assert inside.mean() > 0.98


def test_growing_line_keeps_old_points_and_grows_its_buffer(qapp):
    pytest.importorskip("OpenGL.GL")
    from gui.panels.surface3d_panel import LINE_CAPACITY, GrowingLine

    line = GrowingLine()
    rng = np.random.default_rng(0)
    a = rng.normal(size=(LINE_CAPACITY - 1, 3))
    b = rng.normal(size=(10, 3))
    line.append(a)
    line.append(b)
    assert len(line) == LINE_CAPACITY + 9
    np.testing.assert_allclose(line.points(), np.vstack([a, b]).astype(np.float32))
    assert line.pos.base is line._buf or line.pos.base is line._buf.base  # a view, no copy
    line.clear()
    assert len(line) == 0 and line.pos is None


def test_gl_view_on_xvfb():
    """Runs test_surface3d_gl.py in a child on a fresh Xvfb (skips there if GL is missing)."""
    proc, display = start_xvfb()
    try:
        env = dict(os.environ, DISPLAY=display, QT_QPA_PLATFORM="xcb")
        out = subprocess.run(
            [
                sys.executable,
                "-m",
                "pytest",
                "-q",
                "-p",
                "no:cacheprovider",
                "-rs",
                str(ROOT / "tests" / "gui" / "test_surface3d_gl.py"),
            ],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
    finally:
        proc.terminate()
        proc.wait(10)
    tail = out.stdout[-3000:] + out.stderr[-2000:]
    if out.returncode == 0 and " skipped" in out.stdout and " passed" not in out.stdout:
        pytest.skip("no OpenGL on Xvfb here: " + out.stdout.strip().splitlines()[-1])
    assert out.returncode == 0, tail
    assert "5 passed" in out.stdout, tail
