"""Muon: Newton-Schulz against its scalar polynomial on singular values, one update by
hand, the AdamW part, and training through the network lab."""

import math

import numpy as np
import pytest

from engine.datasets import TaskConfig
from engine.nn.mlp import MLPConfig
from engine.nn.muon import NS_COEFFS, hidden_weights, make_muon, newton_schulz5
from engine.nn.training import Comparison, TrainConfig
from engine.schedules import make_schedule

LAYOUT = (("fc1.W", (3, 4)), ("fc1.b", (4,)), ("fc2.W", (4, 2)), ("fc2.b", (2,)))


def _phi(x, steps=5):
    """The quintic map a x + b x^3 + c x^5 the iteration applies to each singular value."""
    a, b, c = NS_COEFFS
    for _ in range(steps):
        x = a * x + b * x**3 + c * x**5
    return x


def test_newton_schulz_maps_singular_values_by_the_quintic():
    g = np.random.default_rng(0).normal(size=(5, 3))
    u, s, vt = np.linalg.svd(g, full_matrices=False)
    o = newton_schulz5(g)
    scale = np.linalg.norm(g) + 1e-7
    expected = u @ np.diag(_phi(s / scale)) @ vt
    np.testing.assert_allclose(o, expected, atol=1e-12)
    sv = np.linalg.svd(o, compute_uv=False)
    assert np.all((sv > 0.6) & (sv < 1.25))  # roughly orthogonal, by design not exactly


def test_hidden_weights_leave_out_the_output_layer():
    assert hidden_weights(LAYOUT) == ("fc1.W",)


def test_first_update_by_hand():
    rng = np.random.default_rng(1)
    n = sum(math.prod(s) for _, s in LAYOUT)
    p0 = rng.normal(size=(1, n))
    g = rng.normal(size=(1, n))
    opt = make_muon(LAYOUT, lr=0.1, momentum=0.9, adam_lr=0.01, weight_decay=0.5)
    p1, state = opt.update(g, opt.init(p0), p0)
    gw = g[0, :12].reshape(3, 4)
    # m = 0.1 g; Nesterov u = 0.1 g + 0.9 m = 0.19 g; orthogonalisation ignores the scale
    # (up to the 1e-7 guard), rows/cols of torch's (out=4, in=3) layout -> sqrt(4/3)
    u = 0.19 * gw
    uu, s, vt = np.linalg.svd(u, full_matrices=False)
    o = uu @ np.diag(_phi(s / (np.linalg.norm(u) + 1e-7))) @ vt * math.sqrt(4 / 3)
    w = p0[0, :12].reshape(3, 4) * (1 - 0.1 * 0.5) - 0.1 * o
    np.testing.assert_allclose(p1[0, :12].reshape(3, 4), w, atol=1e-12)
    # AdamW's first step: lr * g / (|g| + eps) (bias-corrected moments)
    rest = slice(12, n)
    np.testing.assert_allclose(
        p1[0, rest], p0[0, rest] - 0.01 * g[0, rest] / (np.abs(g[0, rest]) + 1e-10), rtol=1e-12
    )
    before, after = state.spectra["fc1.W"]
    np.testing.assert_allclose(before, s, rtol=1e-12)
    expected = np.sort(_phi(s / (np.linalg.norm(u) + 1e-7)) * math.sqrt(4 / 3))[::-1]
    np.testing.assert_allclose(after, expected, rtol=1e-10)


def test_bad_muon_settings():
    with pytest.raises(ValueError, match="ns_steps"):
        make_muon(LAYOUT, ns_steps=-1)
    with pytest.raises(ValueError, match="momentum"):
        make_muon(LAYOUT, momentum=1.0)
    with pytest.raises(ValueError, match="plateau"):
        make_muon(LAYOUT, schedule=make_schedule("plateau"))
    opt = make_muon(LAYOUT)
    with pytest.raises(ValueError, match="entries"):
        opt.init(np.zeros((1, 5)))


def test_muon_trains_in_the_network_lab_and_edits_live():
    mlp = MLPConfig(hidden=(16, 16), activation="tanh")
    cfg = TrainConfig("muon", mlp, optimizer="muon", hyper={"lr": 0.02, "adam_lr": 3e-3})
    comp = Comparison(TaskConfig("moons", n=200, noise=0.1), [cfg])
    first = comp.snapshot().columns[0].train_loss
    comp.step(150)
    snap = comp.snapshot().columns[0]
    assert snap.train_loss < 0.8 * first
    assert snap.lr == pytest.approx(0.02)
    state = comp.optimizer_state(0)
    assert set(state.spectra) == {"fc1.W", "fc2.W"}
    comp.set_hyper(0, lr=0.01)
    assert comp.snapshot().columns[0].lr == pytest.approx(0.01)
    assert comp.optimizer_state(0).momentum_buffers["fc1.W"].shape == (2, 16)


def test_muon_config_round_trips_through_json():
    import json

    from engine.nn.config_io import comparison_from_dict, comparison_to_dict

    task = TaskConfig("moons", n=100)
    cfg = TrainConfig(
        "m", MLPConfig(hidden=(8,)), optimizer="muon", hyper={"adam_betas": (0.8, 0.9)}
    )
    d = json.loads(json.dumps(comparison_to_dict(task, [cfg])))
    _, cols = comparison_from_dict(d)
    assert cols[0].optimizer == "muon" and cols[0].hyper == {"adam_betas": (0.8, 0.9)}
    d["columns"][0]["hyper"] = {"nope": 1}
    with pytest.raises(ValueError, match="nope"):
        comparison_from_dict(d)
