"""GUI test fixtures: the real main window with the landscape lab, offscreen."""

from __future__ import annotations

import pytest

from engine.runs import RaceConfig


@pytest.fixture
def app(qapp):
    from gui.app import make_app

    return make_app([])


@pytest.fixture
def make_window(app, qtbot):
    """Factory: a shown MainWindow holding a LandscapeLab for ``config``."""
    from gui.landscape_lab import LandscapeLab
    from gui.main_window import MainWindow

    made = []

    def _make(config: RaceConfig | None = None, size=(1280, 720)):
        window = MainWindow()
        lab = LandscapeLab(config)
        window.add_lab("Landscape lab", lab)
        qtbot.addWidget(window)
        window.resize(*size)
        window.show()
        qtbot.waitExposed(window)
        made.append(window)
        return window, lab

    yield _make
    for window in made:
        window.shutdown()
        window.deleteLater()


@pytest.fixture(autouse=True)
def _one_window_at_a_time(request):
    """After each GUI test, delete the windows it left: a deleteLater is carried out only
    when the event loop comes back to its top, which pytest never does, so windows piled
    up and every application-wide event filter and font change got slower test by test
    (a window's set-up went from 0.5 s to 3 s over the suite)."""
    yield
    if "app" in request.fixturenames or "qapp" in request.fixturenames:
        from tests.gui.helpers import close_other_windows

        close_other_windows()
