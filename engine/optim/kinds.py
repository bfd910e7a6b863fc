"""The table from registry names to state classes and rules, and the Lookahead wrapper.

Lookahead dispatches to any other rule through this table, which is why it lives here and
not beside the plain rules.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from engine.optim import modern, rules
from engine.optim.rules import Algorithm


class LookaheadState(NamedTuple):
    """State of lookahead: the inner optimizer's state (fast weights' buffers), the slow
    weights, and k, alpha; ``lr`` is the inner optimizer's learning rate, copied into it at
    every update so schedules and live edits reach it."""

    lr: Any
    k: int
    alpha: Any
    step: int
    slow: np.ndarray
    inner: Any


def _lookahead_update(g, s: LookaheadState, p):
    """Lookahead (Zhang, Lucas, Hinton & Ba 2019, Lookahead Optimizer: k steps forward, 1
    step back, NeurIPS; reference michaelrzhang/lookahead): the inner optimizer takes k fast
    steps, then slow <- slow + alpha (fast - slow) and the fast weights restart from slow."""
    inner = s.inner._replace(lr=s.lr)
    fast, inner = ALGORITHMS[type(inner)].update(g, inner, p)
    step = s.step + 1
    if step % s.k:
        return fast, s._replace(step=step, inner=inner)
    slow = s.slow + s.alpha * (fast - s.slow)
    return slow.copy(), s._replace(step=step, inner=inner, slow=slow)


def _lookahead_inspect(s: LookaheadState):
    out = dict(ALGORITHMS[type(s.inner)].inspect(s.inner))
    out["slow"] = s.slow
    return out


def _lookahead_next_lr(s: LookaheadState):
    inner = s.inner._replace(lr=s.lr)
    return ALGORITHMS[type(inner)].next_lr(inner)


ALGORITHMS: dict[type, Algorithm] = {
    **rules.ALGORITHMS,
    **modern.MODERN_ALGORITHMS,
    LookaheadState: Algorithm(_lookahead_update, _lookahead_inspect, _lookahead_next_lr),
}

# registry name -> (state class, flags fixed by the name rather than tunable)
KINDS: dict[str, tuple[type, dict[str, Any]]] = {
    **rules.KINDS,
    **modern.MODERN_KINDS,
    "lookahead": (LookaheadState, {}),
}

_BUFFER_FIELD = {**rules.BUFFER_FIELD, **modern.MODERN_BUFFER_FIELD, LookaheadState: "slow"}

LOOKAHEAD_OWN = ("lr", "inner", "k", "alpha")
"""Lookahead's own hyperparameters; every other one it is given belongs to its inner rule."""


def buffer(s) -> np.ndarray:
    """A parameter-shaped buffer of a plain state (gives the parameter shape)."""
    return getattr(s, _BUFFER_FIELD[type(s)])


def fresh_state(name: str, params: np.ndarray, hyper: dict[str, Any]):
    """The state of optimizer ``name`` before its first update.

    Parameters
    ----------
    name : str
        Registry name.
    params : ndarray, shape (n_runs, 2) or any
    hyper : dict
        Validated hyperparameters (for lookahead: its own and its inner rule's).
    """
    cls, fixed = KINDS[name]
    hyper = {**hyper, **fixed}
    if cls is LookaheadState:
        inner_name = hyper["inner"]
        inner_hyper = {k: v for k, v in hyper.items() if k not in LOOKAHEAD_OWN}
        inner_hyper["lr"] = hyper["lr"]
        inner = fresh_state(inner_name, params, inner_hyper)
        return LookaheadState(hyper["lr"], hyper["k"], hyper["alpha"], 0, params.copy(), inner)
    state = rules.fresh_state(cls, params, {**modern.MODERN_FRESH, **hyper})
    return modern.fresh_modern(state, params)
