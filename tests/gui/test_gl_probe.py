"""The 3-D view's OpenGL probe runs in a child process, from source and from the frozen app.

A frozen bundle has no ``python -m``: it starts itself with ``--probe-opengl``, which
main.py hands to gui.gl_check.probe_main before anything else (no GUI start, no preflight).
"""

from __future__ import annotations

import sys

import gui.gl_check as gl_check
import main


def test_probe_command_from_source_runs_the_module():
    assert gl_check.probe_command() == [sys.executable, "-m", "gui.gl_check", "--probe-opengl"]


def test_probe_command_when_frozen_runs_the_app_itself(monkeypatch):
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    assert gl_check.probe_command() == [sys.executable, "--probe-opengl"]


def test_main_routes_the_probe_flag_to_probe_main(monkeypatch):
    calls = []
    monkeypatch.setattr(gl_check, "probe_main", lambda: calls.append(1) or 7)
    assert main.main(["--probe-opengl"]) == 7
    assert calls == [1]


def test_the_probe_flag_only_counts_first(monkeypatch):
    # "--probe-opengl" is the child's whole command line; elsewhere it is not a probe
    monkeypatch.setattr(gl_check, "probe_main", lambda: 7)
    assert main.main(["--list", "--probe-opengl"]) != 7


def test_frozen_app_runs_the_child_check(monkeypatch):
    # The frozen app used to skip the child check: a platform that makes contexts but
    # aborts on its first GL window would then crash the app itself.
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    seen = []

    class FakeApp:
        instance = staticmethod(lambda: object())
        platformName = staticmethod(lambda: "xcb")

    def child(platform):
        seen.append(platform)
        return False, "x"

    monkeypatch.setattr(gl_check, "_child_check", child)
    monkeypatch.setattr(gl_check, "_context_check", lambda: (True, "OpenGL 4.5 (test)"))
    monkeypatch.setattr(gl_check, "QGuiApplication", FakeApp)
    monkeypatch.delenv(gl_check.ENV_SWITCH, raising=False)
    gl_check._cached.cache_clear()
    try:
        ok, why = gl_check.opengl_available(child=True)
    finally:
        gl_check._cached.cache_clear()
    assert seen == ["xcb"] and not ok and why == "3-D view off: x"
