"""First start without a display or without Qt's xcb libraries: a clear message, status 1.

The two subprocess tests start ``main.py`` the way ``make run`` does, in a real failing
environment (no display variables; a broken ``libxcb-cursor.so.0`` found first on
``LD_LIBRARY_PATH``, so ``dlopen`` really fails); the rest check the decision table of
:func:`gui.preflight.check` with a stand-in loader.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from gui.preflight import NO_DISPLAY, XCB_LIBRARIES, check, missing_message, program

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
linux = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux start-up checks")


def _main(env_changes: dict[str, str | None], *args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    for k, v in env_changes.items():
        if v is None:
            env.pop(k, None)
        else:
            env[k] = v
    return subprocess.run(
        [sys.executable, os.path.join(ROOT, "main.py"), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


@linux
def test_no_display_exits_1_with_how_to_run_it():
    r = _main({"DISPLAY": None, "WAYLAND_DISPLAY": None, "QT_QPA_PLATFORM": None})
    assert r.returncode == 1, r.stderr
    assert "no display found" in r.stderr
    for hint in ("ssh -X", "QT_QPA_PLATFORM=offscreen", "--self-test"):
        assert hint in r.stderr
    assert "Traceback" not in r.stderr and len(r.stderr.splitlines()) < 12


@linux
def test_an_unloadable_xcb_library_is_named_with_install_commands(tmp_path):
    # a file that is not a shared object, found first by the dynamic loader
    (tmp_path / "libxcb-cursor.so.0").write_bytes(b"not an ELF file\n")
    r = _main(
        {
            "DISPLAY": ":97",
            "WAYLAND_DISPLAY": None,
            "QT_QPA_PLATFORM": None,
            "LD_LIBRARY_PATH": str(tmp_path),
        }
    )
    assert r.returncode == 1, r.stderr
    assert "libxcb-cursor.so.0" in r.stderr
    assert "sudo apt install libxcb-cursor0" in r.stderr
    assert "sudo dnf install xcb-util-cursor" in r.stderr
    assert "sudo pacman -S xcb-util-cursor" in r.stderr
    assert "Traceback" not in r.stderr


def test_preflight_imports_no_qt():
    code = "import sys, gui.preflight; print(sorted(m for m in sys.modules if 'PySide' in m))"
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert out.stdout.strip() == "[]", out.stderr


def _ok(soname: str) -> bool:
    return True


def _none(soname: str) -> bool:
    return False


@pytest.mark.parametrize("qpa", ["offscreen", "minimal", "vnc", "offscreen:fontengine=x"])
def test_headless_platforms_need_no_display(qpa):
    assert check([], {"QT_QPA_PLATFORM": qpa}, "linux", _none) is None
    assert check(["-platform", qpa], {}, "linux", _none) is None


def test_no_display_cases():
    no_display = NO_DISPLAY.format(prog=program())
    assert "python main.py --self-test" in no_display
    assert check([], {}, "linux", _ok) == no_display
    assert check([], {"DISPLAY": ""}, "linux", _ok) == no_display
    assert check([], {"QT_QPA_PLATFORM": "xcb"}, "linux", _ok) == no_display
    # a self-test with nothing set goes offscreen by itself (gui.app.run)
    assert check(["--self-test", "x.png"], {}, "linux", _ok) is None
    # other systems have their own platform plugins and no such failure
    assert check([], {}, "darwin", _none) is None and check([], {}, "win32", _none) is None


def test_xcb_libraries_are_checked_only_when_xcb_is_used():
    missing = {"libxcb-shape.so.0", "libxcb-xinerama.so.0"}

    def load(soname):
        return soname not in missing

    x11 = check([], {"DISPLAY": ":0"}, "linux", load)
    assert x11 is not None and "libxcb-shape.so.0, libxcb-xinerama.so.0" in x11
    # both live in one Fedora/Arch package, named once
    assert "sudo dnf install libxcb\n" in x11 and x11.endswith("sudo pacman -S libxcb")
    assert "sudo apt install libxcb-shape0 libxcb-xinerama0" in x11
    # a Wayland session uses Qt's wayland plugin unless xcb is asked for
    assert check([], {"DISPLAY": ":0", "WAYLAND_DISPLAY": "wayland-0"}, "linux", load) is None
    assert check([], {"WAYLAND_DISPLAY": "wayland-0", "QT_QPA_PLATFORM": "xcb"}, "linux", load)
    assert check(["-platform", "xcb"], {"WAYLAND_DISPLAY": "w"}, "linux", load) is not None
    assert check([], {"DISPLAY": ":0"}, "linux", _ok) is None


def test_message_lists_every_missing_library_with_all_three_commands():
    msg = missing_message(XCB_LIBRARIES)
    for lib in XCB_LIBRARIES:
        assert lib.soname in msg and lib.apt in msg and lib.dnf in msg and lib.pacman in msg
    assert len(XCB_LIBRARIES) == 8
