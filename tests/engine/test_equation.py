"""The live equation: numbers worked by hand for one update, and its rich text."""

import numpy as np
import pytest

from engine.optim.equation import explain_update
from engine.optimizers import OPTIMIZERS, make_optimizer


def _first(name, g=(0.5, -2.0), p=(1.0, 1.0), **hyper):
    opt = make_optimizer(name, **hyper)
    params = np.array([p, [0.0, 0.0]])
    grads = np.array([g, [1.0, 1.0]])
    return explain_update(opt, opt.init(params), grads, params, run=0)


def test_adam_first_update_by_hand():
    eq, new_p, _ = _first("adam", lr=0.1, betas=(0.9, 0.99), eps=1e-8)
    g = np.array([0.5, -2.0])
    np.testing.assert_allclose(eq.term("g").value, g)
    np.testing.assert_allclose(eq.term("m").value, 0.1 * g, rtol=1e-14)
    np.testing.assert_allclose(eq.term("v").value, 0.01 * g * g, rtol=1e-14)
    np.testing.assert_allclose(eq.term("m_hat").value, g, rtol=1e-13)
    np.testing.assert_allclose(eq.term("v_hat").value, g * g, rtol=1e-13)
    # first Adam step: lr * g / (|g| + eps) ~ lr * sign(g)
    np.testing.assert_allclose(eq.term("effective_lr").value, 0.1 / (np.abs(g) + 1e-8))
    np.testing.assert_allclose(eq.term("step").value, -0.1 * g / (np.abs(g) + 1e-8), rtol=1e-12)
    np.testing.assert_allclose(new_p[0], 1.0 - 0.1 * g / (np.abs(g) + 1e-8), rtol=1e-12)
    assert eq.step == 1 and eq.optimizer == "adam"


def test_momentum_second_update_shows_velocity():
    opt = make_optimizer("momentum", lr=0.1, momentum=0.9)
    p = np.array([[0.0, 0.0]])
    s = opt.init(p)
    p, s = opt.update(np.array([[1.0, 2.0]]), s, p)
    eq, _, _ = explain_update(opt, s, np.array([[-1.0, 1.0]]), p)
    np.testing.assert_allclose(eq.term("v").value, [0.9 - 1.0, 1.8 + 1.0])
    np.testing.assert_allclose(eq.term("step").value, [-0.1 * -0.1, -0.1 * 2.8])


def test_lion_terms():
    eq, _, _ = _first("lion", lr=0.1)
    np.testing.assert_allclose(eq.term("c").value, [0.05, -0.2])
    np.testing.assert_allclose(eq.term("sign").value, [1.0, -1.0])
    np.testing.assert_allclose(eq.term("step").value, [-0.1, 0.1])


@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_every_optimizer_explains_its_update_and_renders(name):
    eq, new_p, _ = _first(name)
    plain = make_optimizer(name)
    params = np.array([[1.0, 1.0], [0.0, 0.0]])
    expect, _ = plain.update(np.array([[0.5, -2.0], [1.0, 1.0]]), plain.init(params), params)
    np.testing.assert_array_equal(new_p, expect)  # explaining does not change the update
    np.testing.assert_allclose(eq.term("step").value, expect[0] - params[0])
    text = eq.to_html()
    assert text.startswith("<p><b>") and "</table>" in text and "&Delta;&theta;" in text


def test_bad_run_index():
    opt = make_optimizer("sgd")
    p = np.zeros((2, 2))
    with pytest.raises(ValueError, match="run 5"):
        explain_update(opt, opt.init(p), p, p, run=5)
