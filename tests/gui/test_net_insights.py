"""Network lab: range test on the worker with Apply/Undo, Muon spectra, sharpness limit."""

from __future__ import annotations

import numpy as np
import pytest

from engine.datasets import TaskConfig
from engine.nn.lr_range import network_range_test
from engine.nn.mlp import MLP as Net
from engine.nn.mlp import MLPConfig
from engine.nn.range_job import RANGE_SKIP
from engine.nn.sharpness_track import RULE_TEXT
from engine.nn.training import Comparison, TrainConfig
from tests.gui.test_network_lab import make_net_window  # noqa: F401  (fixture)

TASK = TaskConfig("moons", n=60, seed=1)
MLP = MLPConfig(hidden=(8, 8))
COLUMNS = (
    TrainConfig(label="sgd", mlp=MLP, optimizer="sgd", hyper={"lr": 0.05}, batch_size=16, seed=3),
    TrainConfig(label="muon", mlp=MLP, optimizer="muon", hyper={"lr": 0.02}, batch_size=16),
)


def _direct_range_test(cfg: TrainConfig):
    """The same sweep built independently: a fresh comparison's step-0 weights."""
    comp = Comparison(TASK, [cfg])
    params = comp.column_params(0)
    net = Net(comp.columns[0].mlp)
    flat = np.zeros((1, net.n_params))
    for name, view in net.views(flat).items():
        view[...] = params[name]
    from engine.nn.losses import SoftmaxCrossEntropy

    return network_range_test(
        net,
        SoftmaxCrossEntropy(),
        comp.data.x_train,
        comp.data.y_train,
        flat,
        {},
        batch_size=cfg.batch_size,
        seed=cfg.seed,
        optimizer=cfg.optimizer,
        hyper={k: v for k, v in cfg.hyper.items() if k != "lr"},
        skip_start=RANGE_SKIP[0],
        skip_end=RANGE_SKIP[1],
        suggest="valley",
    )


def test_range_test_curve_apply_and_undo(make_net_window, qtbot):  # noqa: F811
    _window, lab = make_net_window(TASK, COLUMNS)
    panel = lab.lr_range.panel
    assert not panel.isVisible()
    lab.lr_range.action.trigger()  # shows and starts a test of column 0 on the worker
    assert panel.isVisible()
    qtbot.waitUntil(lambda: panel.result is not None, timeout=15000)
    direct = _direct_range_test(COLUMNS[0])
    x, y = panel.smooth.xData, panel.smooth.yData
    assert np.allclose(x, direct.lrs, rtol=1e-12)
    assert np.allclose(y, direct.smoothed, rtol=1e-10)
    assert panel.result.suggested_lr == pytest.approx(direct.suggested_lr, rel=1e-12)
    assert panel.marker.isVisible()
    assert 10 ** panel.marker.value() == pytest.approx(direct.suggested_lr, rel=1e-9)
    assert "Suggested lr" in panel.verdict.text()

    panel.apply_button.click()
    assert lab.columns[0].hyper["lr"] == pytest.approx(direct.suggested_lr)
    lab.undo()
    assert lab.columns[0].hyper["lr"] == 0.05

    # Muon has no plain-lr sweep: a clear line, no crash
    lab.select_column(1)
    assert panel.result is None
    panel.run_button.click()
    qtbot.waitUntil(lambda: "not available for muon" in panel.verdict.text(), timeout=15000)
    assert not panel.apply_button.isEnabled()


def test_muon_spectra_panel_draws_each_hidden_layer(make_net_window, qtbot):  # noqa: F811
    _window, lab = make_net_window(TASK, COLUMNS)
    spectra = lab.muon_spectra
    spectra.action.trigger()
    assert "Not a Muon column" in spectra.panel.verdict.text()
    lab.select_column(1)
    for _ in range(2):
        lab.step_once()
    qtbot.waitUntil(
        lambda: (
            lab.last_frame is not None and lab.last_frame.step >= 2 and bool(spectra.panel.items)
        ),
        timeout=15000,
    )
    frame_spectra = lab.last_frame.spectra[1]
    n_hidden = len(lab.engine.comps[1].optimizer_state(0).momentum_buffers)
    assert len(frame_spectra) == n_hidden
    assert len(spectra.panel.items) == 2 * n_hidden  # before and after per layer
    y = spectra.panel.items[1].yData
    assert np.allclose(y, frame_spectra[0].after)
    text = spectra.panel.verdict.text()
    after = np.concatenate([s.after for s in frame_spectra])
    assert "Newton–Schulz" in text and f"{(after >= 0.5).sum()} of {after.size} are near 1" in text


def test_sharpness_panel_uses_the_momentum_limit(make_net_window, qtbot):  # noqa: F811
    cols = (
        TrainConfig(label="hb", mlp=MLP, optimizer="momentum", hyper={"lr": 0.05, "momentum": 0.9}),
        TrainConfig(label="adam", mlp=MLP, optimizer="adam", hyper={"lr": 0.01}),
    )
    _window, lab = make_net_window(TASK, cols)
    lab.sharpness.action.trigger()
    lab.step_once()
    qtbot.waitUntil(
        lambda: lab.last_frame is not None and all(len(t) for t in lab.last_frame.sharpness),
        timeout=15000,
    )
    track = lab.last_frame.sharpness[0]
    assert track.limits[-1] == pytest.approx((2 + 2 * 0.9) / 0.05)
    text = lab.sharpness.panel.verdict.text()
    assert RULE_TEXT["heavy_ball"] in text
    lab.select_column(1)
    assert "not computed in the network lab" in lab.sharpness.panel.verdict.text()
