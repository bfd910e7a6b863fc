"""Seeded toy data: shapes, splits, balance, and each task's geometry with noise off."""

import math

import numpy as np
import pytest

from engine.datasets import TASKS, TaskConfig, make_dataset


def _all(task):
    d = make_dataset(task)
    x = np.concatenate([d.x_train, d.x_val])
    y = np.concatenate([d.y_train, d.y_val])
    return d, x, y


@pytest.mark.parametrize("name", list(TASKS))
def test_shapes_split_and_determinism(name):
    task = TaskConfig(name, n=101, val_fraction=0.2, seed=3)
    d = make_dataset(task)
    assert d.x_train.shape[0] == 101 - 20 and d.x_val.shape[0] == 20
    assert d.x_train.dtype == np.float64 and d.x_train.shape[1] == TASKS[name].input_size
    again = make_dataset(task)
    assert np.array_equal(d.x_train, again.x_train) and np.array_equal(d.y_val, again.y_val)
    other = make_dataset(TaskConfig(name, n=101, val_fraction=0.2, seed=4))
    assert not np.array_equal(d.x_train, other.x_train)
    with pytest.raises(ValueError):
        d.x_train[0, 0] = 1.0
    if d.kind == "classification":
        assert d.y_train.dtype == np.int64
        counts = np.bincount(np.concatenate([d.y_train, d.y_val]))
        assert counts.max() - counts.min() <= 1 and len(counts) == d.n_outputs
    else:
        assert d.y_train.shape == (81, 1)


def test_circles_radii():
    _, x, y = _all(TaskConfig("circles", n=200, noise=0.0, params={"factor": 0.3}))
    r = np.hypot(x[:, 0], x[:, 1])
    np.testing.assert_allclose(r[y == 0], 1.0, rtol=1e-14)
    np.testing.assert_allclose(r[y == 1], 0.3, rtol=1e-14)


def test_noise_is_the_std_of_the_jitter():
    _, x, y = _all(TaskConfig("circles", n=20000, noise=0.05, val_fraction=0.0))
    r = np.hypot(x[:, 0], x[:, 1])
    # radial jitter of a ring of radius 1 is close to N(0, noise^2) when noise << 1
    assert np.std(r[y == 0] - 1.0) == pytest.approx(0.05, rel=0.05)


def test_xor_and_checkerboard_labels():
    _, x, y = _all(TaskConfig("xor", n=300, noise=0.0))
    assert np.array_equal(y, (x[:, 0] * x[:, 1] > 0).astype(int))
    for cells in (2, 3, 5):
        _, x, y = _all(TaskConfig("checkerboard", n=300, noise=0.0, params={"cells": cells}))
        idx = np.floor((x + 1.0) * cells / 2.0).astype(int)
        assert np.array_equal(y, (idx[:, 0] + idx[:, 1]) % 2)
        assert np.all(np.abs(x) <= 1.0)
        assert len(np.unique(idx[:, 0] * cells + idx[:, 1])) == cells * cells


def test_moons_lie_on_their_arcs():
    _, x, y = _all(TaskConfig("moons", n=200, noise=0.0))
    p = x + np.array([0.5, 0.25])  # undo the centring
    np.testing.assert_allclose(np.hypot(p[y == 0, 0], p[y == 0, 1]), 1.0, rtol=1e-14)
    assert np.all(p[y == 0, 1] >= -1e-15)
    q = p[y == 1] - np.array([1.0, 0.5])
    np.testing.assert_allclose(np.hypot(q[:, 0], q[:, 1]), 1.0, rtol=1e-14)
    assert np.all(q[:, 1] <= 1e-15)


def test_spiral_arms_are_half_a_turn_apart():
    _, x, y = _all(TaskConfig("spirals", n=400, noise=0.0, params={"turns": 1.0}))
    r = np.hypot(x[:, 0], x[:, 1])
    ang = np.arctan2(x[:, 1], x[:, 0])
    want = 2 * math.pi * r + math.pi * y  # radius t, angle 2 pi turns t + c pi
    diff = np.angle(np.exp(1j * (ang - want)))
    np.testing.assert_allclose(diff, 0.0, atol=1e-12)
    assert r.min() >= 0.05 - 1e-15 and r.max() <= 1.0 + 1e-15


def test_blobs_are_around_their_centres():
    d, x, y = _all(TaskConfig("blobs", n=400, noise=0.05, params={"k": 5, "radius": 2.0}))
    assert d.n_outputs == 5
    ang = 2 * math.pi * np.arange(5) / 5 + math.pi / 2
    centres = 2.0 * np.stack([np.cos(ang), np.sin(ang)], axis=1)
    nearest = np.argmin(((x[:, None, :] - centres[None]) ** 2).sum(axis=2), axis=1)
    assert np.array_equal(nearest, y)


def test_sine_targets():
    d, x, y = _all(TaskConfig("sine", n=100, noise=0.0, params={"cycles": 2.0}))
    np.testing.assert_allclose(y[:, 0], np.sin(2 * math.pi * x[:, 0]), rtol=1e-15, atol=1e-15)
    assert np.all(np.abs(x) <= 1.0) and d.n_outputs == 1 and d.kind == "regression"


def test_extent_covers_the_points():
    d, x, _ = _all(TaskConfig("moons"))
    x0, x1, y0, y1 = d.extent
    assert x0 < x[:, 0].min() and x1 > x[:, 0].max() and y0 < x[:, 1].min() and y1 > x[:, 1].max()


@pytest.mark.parametrize(
    ("kw", "field"),
    [
        ({"name": "iris"}, "unknown name 'iris'"),
        ({"n": 5}, "n must"),
        ({"n": 100.5}, "n must"),
        ({"noise": -0.1}, "noise"),
        ({"val_fraction": 0.95}, "val_fraction"),
        ({"seed": -1}, "seed"),
        ({"name": "blobs", "params": {"k": 1}}, "k must"),
        ({"name": "moons", "params": {"k": 3}}, "unknown parameter 'k'"),
    ],
)
def test_bad_task_config_raises_naming_the_field(kw, field):
    with pytest.raises(ValueError, match=field):
        TaskConfig(**kw)
