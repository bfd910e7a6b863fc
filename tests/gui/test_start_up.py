"""Start-up work that waits: the network lab is made when first shown, lessons after paint.

The app's window makes its network lab only when the lab's tab first shows or a lesson
needs it, reads the shipped lessons only after its first frame, and ``--self-test`` presses
play only once the window has painted (each measured to cost the first frame; see
bench/bundle_bench.py). These tests check that nothing is made early and that everything
which talks to a lab still reaches it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from engine.nn.config_io import comparison_from_dict, comparison_to_dict
from engine.scenario import builtin_scenarios
from gui import theme
from gui.lab import Lab
from gui.main_window import MainWindow

ROOT = Path(__file__).resolve().parents[2]


class FakeLab(Lab):
    """A lab that records what the window asked of it."""

    menu_title = "&Fake"
    scenario_keys = ("fake",)

    def __init__(self) -> None:
        super().__init__()
        from PySide6.QtGui import QAction, QKeySequence

        self.act = QAction("Fake action", self)
        self.act.setShortcut(QKeySequence("Ctrl+Shift+F"))
        self.calls: list[tuple] = []
        self._running = False

    def lab_actions(self):
        return [self.act]

    def set_running(self, running):
        self._running = running
        self.calls.append(("running", running))

    def is_running(self):
        return self._running

    def set_speed(self, sps):
        self.calls.append(("speed", sps))

    def set_scale(self, scale):
        super().set_scale(scale)
        self.calls.append(("scale", scale.factor))

    def set_presentation(self, on):
        self.calls.append(("presentation", on))

    def activate(self, active):
        self.calls.append(("activate", active))

    def current_step(self):
        return 0

    def showEvent(self, event):
        super().showEvent(event)
        self.calls.append(("shown",))

    def shutdown(self):
        self.calls.append(("shutdown",))


@pytest.fixture
def lazy_window(app, qtbot):
    """A shown window: an eager FakeLab at tab 0, a lazy FakeLab (counted) at tab 1."""
    made: list[FakeLab] = []

    def factory():
        made.append(FakeLab())
        return made[-1]

    window = MainWindow()
    first = FakeLab()
    first.scenario_keys = ("first",)
    window.add_lab("First", first)
    index = window.add_lazy_lab("Lazy", factory, scenario_keys=("fake",))
    qtbot.addWidget(window)
    window.resize(900, 600)
    window.show()
    qtbot.waitExposed(window)
    yield window, first, made, index
    window.shutdown()


def test_lazy_lab_is_not_made_until_its_tab_shows(lazy_window):
    window, first, made, index = lazy_window
    assert index == 1 and made == []
    assert window.labs == [first] and not window.is_lab_made(1)
    assert window.tabs.count() == 2 and window.tabs.tabText(1) == "Lazy"
    assert window.current_lab() is first
    shown_before = first.calls.count(("shown",))
    window.tabs.setCurrentIndex(1)
    assert len(made) == 1
    lazy = made[0]
    # swapping the placeholder for the lab never brings another tab forward in between
    assert first.calls.count(("shown",)) == shown_before
    assert window.is_lab_made(1) and window.labs == [first, lazy]
    assert window.current_lab() is lazy and window.tabs.widget(1) is lazy
    assert window.tabs.tabText(1) == "Lazy" and window.tabs.currentIndex() == 1
    assert lazy.act in window.actions() and ("activate", True) in lazy.calls
    # made once: showing it again does not make another
    window.tabs.setCurrentIndex(0)
    window.tabs.setCurrentIndex(1)
    assert len(made) == 1


def test_lazy_lab_made_in_the_background_stays_hidden(lazy_window):
    window, first, made, _ = lazy_window
    lab = window.lab_at(1)
    assert made == [lab]
    assert window.current_lab() is first and window.tabs.currentIndex() == 0
    assert lab.act not in window.actions()
    assert ("activate", False) in lab.calls and ("activate", True) not in lab.calls
    menus = {a.text(): a.isVisible() for a in window.menuBar().actions()}
    assert menus["&Fake"] is False
    assert window.lab_at(1) is lab and len(made) == 1
    with pytest.raises(ValueError, match="index"):
        window.lab_at(2)


def test_a_lazy_lab_gets_the_windows_presentation_and_speed(lazy_window):
    window, _first, made, _ = lazy_window
    window.set_presentation(True)
    window.set_speed(50)
    window.tabs.setCurrentIndex(1)
    (lab,) = made
    assert ("presentation", True) in lab.calls
    assert ("scale", theme.PRESENTATION.factor) in lab.calls
    assert ("scale", theme.NORMAL.factor) not in lab.calls
    assert ("speed", 50) in lab.calls
    window.set_presentation(False)


def test_a_lab_added_in_normal_mode_is_not_restyled(lazy_window):
    # a new lab is already at the normal scale; styling it again only costs start-up time
    window, first, made, _ = lazy_window
    window.tabs.setCurrentIndex(1)
    for lab in (first, *made):
        assert not any(c[0] in ("scale", "presentation") for c in lab.calls), lab.calls


def test_lab_for_a_scenario_key_makes_the_lab(lazy_window):
    window, first, made, _ = lazy_window
    assert window.lab_for("first") is first and made == []
    lab = window.lab_for("fake")
    assert made == [lab] and window.lab_for("fake") is lab
    assert window.lab_for("none") is None


def test_lazy_lab_messages_and_play_reach_the_window(lazy_window):
    window, _first, made, _ = lazy_window
    window.tabs.setCurrentIndex(1)
    (lab,) = made
    lab.message.emit("info", "hello from the lazy lab")
    assert window.statusBar().currentMessage() == "hello from the lazy lab"
    window.act_play.setChecked(True)
    assert lab.is_running()


def test_shutdown_never_makes_a_lazy_lab(app, qtbot):
    calls = []
    window = MainWindow()
    window.add_lab("First", FakeLab())
    window.add_lazy_lab("Lazy", lambda: calls.append(1) or FakeLab())
    qtbot.addWidget(window)
    window.shutdown()
    assert calls == [] and window.lab_at(1) is None


def test_lazy_factory_must_return_a_lab(app, qtbot):
    window = MainWindow()
    qtbot.addWidget(window)
    window.add_lab("First", FakeLab())
    window.add_lazy_lab("Bad", lambda: object())
    with pytest.raises(TypeError, match=r"gui\.lab\.Lab"):
        window.lab_at(1)
    with pytest.raises(TypeError, match="callable"):
        window.add_lazy_lab("Worse", None)
    window.shutdown()


# ---------------------------------------------------------------- the real app window
@pytest.fixture
def app_window(app, qtbot, monkeypatch):
    """build_main_window() with the network lab's factory counted."""
    import gui.app

    made = []
    real = gui.app.make_network_lab

    def counted(session=None):
        made.append(real(session))
        return made[-1]

    monkeypatch.setattr(gui.app, "make_network_lab", counted)
    window = gui.app.build_main_window()
    qtbot.addWidget(window)
    window.resize(1280, 720)
    window.show()
    qtbot.waitExposed(window)
    yield window, made
    window.shutdown()


def test_app_makes_the_network_lab_when_its_tab_shows(app_window):
    from gui.network_lab import NetworkLab

    window, made = app_window
    assert made == [] and len(window.labs) == 1
    assert window.tabs.tabText(1) == "Network lab"
    window.tabs.setCurrentIndex(1)
    assert len(made) == 1 and isinstance(made[0], NetworkLab)
    assert window.current_lab() is made[0]


@pytest.mark.parametrize(
    "index", [i for i, (_p, sc) in enumerate(builtin_scenarios()) if sc.network is not None]
)
def test_a_network_lesson_makes_and_shows_the_network_lab(app_window, index):
    window, made = app_window
    path, sc = builtin_scenarios()[index]
    window.dialogs.alert = lambda *a: pytest.fail(f"alert {a}")
    window.lessons.builtin_actions[index].trigger()
    assert len(made) == 1
    net = made[0]
    assert window.current_lab() is net
    task, columns = comparison_from_dict(json.loads(path.read_text())["network"])
    assert net.scenario_section()["network"] == comparison_to_dict(task, columns)
    assert window.lesson_banner.title_label.text() == sc.title


def test_a_network_lesson_file_opens_in_presentation_mode(app_window, tmp_path):
    window, made = app_window
    window.set_presentation(True)
    path = next(p for p, sc in builtin_scenarios() if sc.network is not None)
    assert window.lessons.open_file(path) is True
    (net,) = made
    assert window.current_lab() is net
    assert not net.sidebar.isVisible()  # presentation mode hides the network settings
    window.set_presentation(False)  # the application's style is shared by later tests


def test_shipped_lessons_are_read_after_the_first_paint(app, qtbot):
    window = MainWindow()
    qtbot.addWidget(window)
    assert not window.lessons.populated
    with qtbot.waitSignal(window.first_frame_painted, timeout=5000):
        window.show()
    assert window.lessons.populated
    titles = [a.text() for a in window.lessons.menu.actions()]
    assert any(sc.title in t for t in titles for _p, sc in builtin_scenarios())
    window.shutdown()


def test_lessons_menu_fills_itself_when_asked_before_paint(app, qtbot):
    window = MainWindow()
    qtbot.addWidget(window)
    assert not window.lessons.populated
    acts = window.lessons.builtin_actions
    assert [a.data() for a in acts] == [str(p) for p, _ in builtin_scenarios()]
    # the shipped lessons come before Open/Save, once
    menu_acts = window.lessons.menu.actions()
    assert menu_acts.index(acts[-1]) < menu_acts.index(window.lessons.act_open)
    window.lessons.populate()
    assert len(window.lessons.builtin_actions) == len(acts)
    window.shutdown()


# ---------------------------------------------------------------- a real start, own process
# `python main.py --self-test` in a fresh interpreter, watched from inside (a self-test runs
# the application's event loop to its end, which a shared test QApplication must not do).
_WATCH = """
import gc, json, sys
import gui.app
import gui.panels.landscape_panel as landscape_panel
import main

report = {"events": [], "renders": []}
real_render = landscape_panel.LandscapePanel._render


def counted_render(self, window):
    report["renders"].append(self.isVisible())
    return real_render(self, window)


landscape_panel.LandscapePanel._render = counted_render
real_self_test = gui.app.self_test


def watched(window, out, seconds):
    report["gc_enabled_in_run"] = gc.isenabled()

    def painted():
        report["events"].append("painted")
        report["gc_after_paint"] = [gc.isenabled(), gc.get_freeze_count() > 0]
        prefixes = ("gui.network_lab", "gui.panels.net_", "gui.controls.net_")
        report["net_modules"] = sorted(m for m in sys.modules if m.startswith(prefixes))
        report["labs_made"] = len(window.labs)
        report["renders_before_paint"] = len(report["renders"])

    window.first_frame_painted.connect(painted)
    window.labs[0].running_changed.connect(lambda on: report["events"].append(["running", on]))
    return real_self_test(window, out, seconds)


gui.app.self_test = watched
report["code"] = main.main(["--self-test", sys.argv[1], "--self-test-seconds", "0.2"])
print("REPORT " + json.dumps(report))
"""


@pytest.fixture(scope="module")
def watched_start(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("start")
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    env.pop("DESCENTLAB_FIRST_FRAME_FILE", None)
    proc = subprocess.run(
        [sys.executable, "-c", _WATCH, str(tmp / "shot.png")],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr + proc.stdout
    line = next(x for x in proc.stdout.splitlines() if x.startswith("REPORT "))
    return json.loads(line[len("REPORT ") :])


def test_start_up_does_not_import_the_network_lab(watched_start):
    assert watched_start["net_modules"] == [] and watched_start["labs_made"] == 1


def test_self_test_presses_play_after_the_first_paint(watched_start):
    assert watched_start["code"] == 0
    assert watched_start["events"][:2] == ["painted", ["running", True]]


def test_the_loss_surface_is_rendered_only_once_shown(watched_start):
    # Rendering while the lab was still hidden drew it for a window the shown,
    # aspect-locked view never had (its size was not final), then again once shown.
    assert watched_start["renders_before_paint"] == 1
    assert watched_start["renders"] and all(watched_start["renders"])  # never while hidden


def test_a_hidden_surface_is_rendered_when_shown(app, qtbot):
    from engine.landscapes import make_landscape
    from gui.panels.landscape_panel import LandscapePanel

    panel = LandscapePanel()
    qtbot.addWidget(panel)
    panel.resize(500, 300)
    panel.set_landscape(make_landscape("himmelblau"))
    assert panel.image.image is None
    panel.show()
    qtbot.waitExposed(panel)
    assert panel.image.image is not None
    # drawn for the window the shown view has (wider than the surface's: aspect locked)
    assert panel._rendered_window == panel.view_window()
    x0, x1, y0, y1 = panel.view_window()
    lx0, lx1, ly0, ly1 = panel._landscape.window
    assert x1 - x0 > lx1 - lx0 and (y0, y1) == pytest.approx((ly0, ly1))
    # a landscape set while shown is drawn at once
    panel.set_landscape(make_landscape("rosenbrock"))
    assert panel._rendered_window == panel.view_window()


def test_garbage_collection_waits_for_the_first_frame(watched_start):
    # main.py pauses it for the start; run() resumes it (start-up objects frozen) once painted
    assert watched_start["gc_enabled_in_run"] is False
    assert watched_start["gc_after_paint"] == [True, True]


def test_main_pauses_garbage_collection_for_the_gui_start_only(monkeypatch, capsys):
    import gc

    import gui.app
    import main

    seen = []
    monkeypatch.setattr(gui.app, "run", lambda argv: seen.append(gc.isenabled()) or 0)
    try:
        assert main.main([]) == 0
    finally:
        gc.enable()
    assert seen == [False]
    assert main.main(["--list"]) == 0  # the headless paths leave the collector alone
    assert gc.isenabled()


def test_first_frame_stamp_holds_wall_and_cpu_seconds(app, qtbot, tmp_path):
    import time

    from gui.app import FirstFrameStamp

    window = MainWindow()
    qtbot.addWidget(window)
    stamp = tmp_path / "first.txt"
    FirstFrameStamp(window, stamp)
    t0 = time.time()
    window.show()
    qtbot.waitUntil(stamp.exists, timeout=5000)
    wall, cpu = (float(x) for x in stamp.read_text().split())
    assert t0 <= wall <= time.time()
    assert 0.0 < cpu <= time.process_time()
    window.shutdown()
