"""Sharpness over training: one column measured against the closed-form Hessian, the track."""

from __future__ import annotations

import math

import numpy as np
import pytest

from engine.datasets import TaskConfig
from engine.nn.mlp import MLPConfig
from engine.nn.sharpness_track import MAX_POINTS, SharpnessTrack, measure_column, stability_limit
from engine.nn.training import Comparison, TrainConfig


def _linear_comparison(steps: int = 3):
    task = TaskConfig("sine", n=60, noise=0.3, val_fraction=0.2, seed=2)
    col = TrainConfig(mlp=MLPConfig(hidden=()), optimizer="sgd", hyper={"lr": 0.05})
    comp = Comparison(task, [col])
    comp.step(steps)
    return comp


def test_linear_column_sharpness_is_the_closed_form_eigenvalue():
    comp = _linear_comparison()
    x = comp.data.x_train
    xa = np.hstack([x, np.ones((x.shape[0], 1))])
    # MSE mean over n points and one output: Hessian in (W, b) is (2/n) [x 1]^T [x 1]
    exact = np.linalg.eigvalsh(2.0 / x.shape[0] * xa.T @ xa)[-1]
    assert measure_column(comp, 0, iters=200) == pytest.approx(exact, rel=1e-6)


def test_measuring_does_not_disturb_training():
    a, b = _linear_comparison(), _linear_comparison()
    measure_column(a, 0)
    a.step(5)
    b.step(5)
    for k, v in a.column_params(0).items():
        np.testing.assert_array_equal(v, b.column_params(0)[k])


def test_track_crossing_limit_and_thinning():
    assert stability_limit(0.1) == pytest.approx(20.0)
    assert stability_limit(0.0) == math.inf
    t = SharpnessTrack()
    for s, v in ((0, 5.0), (10, 19.0), (20, 21.0), (30, float("nan"))):
        t = t.add(s, v, 20.0)
    assert t.first_crossing() == 20
    assert SharpnessTrack().add(0, 1.0, 2.0).first_crossing() is None
    for s in range(MAX_POINTS + 5):
        t = t.add(100 + s, 1.0, 2.0)
    assert len(t) <= MAX_POINTS and t.steps[-1] == 100 + MAX_POINTS + 4
    assert list(t.steps) == sorted(t.steps)


def test_net_engine_carries_each_column_s_track_every_n_steps():
    from engine.nn.paced import NetEngine

    task = TaskConfig("sine", n=60, noise=0.3, val_fraction=0.2, seed=2)
    cols = [
        TrainConfig(mlp=MLPConfig(hidden=()), optimizer="sgd", hyper={"lr": 0.05}),
        TrainConfig(mlp=MLPConfig(hidden=()), optimizer="sgd", hyper={"lr": 0.5}),
    ]
    eng = NetEngine(task, cols)
    assert eng.snapshot().sharpness == (SharpnessTrack(), SharpnessTrack())  # off by default
    with pytest.raises(ValueError, match="whole number"):
        eng.set_sharpness_every(-1)
    eng.set_sharpness_every(4)
    for _ in range(4):  # snapshots at steps 0, 2, 4, 6
        frame = eng.snapshot()  # paused: complete, every due column measured
        eng.step(2)
    frame = eng.snapshot()
    x = Comparison(task, cols[:1]).data.x_train
    xa = np.hstack([x, np.ones((x.shape[0], 1))])
    exact = np.linalg.eigvalsh(2.0 / x.shape[0] * xa.T @ xa)[-1]  # constant for a linear model
    for track, lr in zip(frame.sharpness, (0.05, 0.5), strict=True):
        assert track.steps == (0, 4, 8)  # at 0, then whenever 4 more steps had passed
        np.testing.assert_allclose(track.values, exact, rtol=1e-3)
        np.testing.assert_allclose(track.limits, 2 / lr)
    assert frame.sharpness[0].first_crossing() is None  # 2/0.05 = 40 above the curvature
