"""Network lab: the sharpness plot asks the worker to measure and draws the selected column."""

from __future__ import annotations

import pytest

from engine.datasets import TaskConfig
from engine.nn.mlp import MLPConfig
from engine.nn.training import TrainConfig
from tests.gui.test_network_lab import make_net_window  # noqa: F401  (fixture)

COLUMNS = (
    TrainConfig(label="slow", mlp=MLPConfig(hidden=(16, 16)), optimizer="sgd", hyper={"lr": 0.01}),
    TrainConfig(label="fast", mlp=MLPConfig(hidden=(16, 16)), optimizer="sgd", hyper={"lr": 0.4}),
)


def test_sharpness_is_measured_on_the_worker_and_drawn_for_the_selected_column(
    make_net_window,  # noqa: F811
    qtbot,
):
    _window, lab = make_net_window(TaskConfig("moons", n=60, seed=1), COLUMNS)
    assert not lab.sharpness.panel.isVisible()
    lab.sharpness.action.trigger()
    assert lab.sharpness.panel.isVisible()
    for _ in range(3):
        lab.step_once()
    qtbot.waitUntil(
        lambda: (
            lab.last_frame is not None
            and len(lab.last_frame.sharpness) == 2
            and all(len(t) >= 1 for t in lab.last_frame.sharpness)
        ),
        timeout=15000,
    )
    track = lab.last_frame.sharpness[0]
    assert track.limits[0] == pytest.approx(2 / 0.01)
    assert "λmax" in lab.sharpness.panel.verdict.text()
    assert (
        "slow" in lab.sharpness.panel.title_label.toolTip() + lab.sharpness.panel.title_label.text()
    )
    lab.select_column(1)
    assert lab.last_frame.sharpness[1].limits[0] == pytest.approx(2 / 0.4)
    assert (
        "fast" in lab.sharpness.panel.title_label.toolTip() + lab.sharpness.panel.title_label.text()
    )
    lab.sharpness.action.trigger()  # off: the worker stops measuring
    assert not lab.sharpness.panel.isVisible()
