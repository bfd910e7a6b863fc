"""The live equation: one update of a run written out with its current numbers.

:func:`explain_update` performs the update (purely, exactly as ``opt.update``) and returns
the rule as a sequence of :class:`Term` s (gradient, moments, bias corrections, effective
learning rate per coordinate, the step) with the values of one run, plus a rich-text
rendering in the HTML subset Qt's labels understand. No Qt here.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import Any

import numpy as np

from engine.optim.compose import current_lr, inspect
from engine.optim.kinds import LookaheadState
from engine.optim.registry import OPTIMIZERS, Optimizer
from engine.transforms import TransformState

__all__ = ["Equation", "Term", "explain_update"]

_ADAM_LIKE = ("adam", "adamw", "amsgrad", "nadam", "radam", "adabelief")


@dataclass(frozen=True)
class Term:
    """One line of the rule.

    Attributes
    ----------
    symbol : str
        Plain-text name (``"m_hat"``).
    symbol_html : str
        Its rich-text form (``"m&#770;<sub>t</sub>"``).
    formula_html : str
        Right-hand side in rich text ("" for an input such as g).
    value : ndarray, shape (d,)
        The run's values, one per coordinate (d = 2 on a landscape).
    """

    symbol: str
    symbol_html: str
    formula_html: str
    value: np.ndarray


@dataclass(frozen=True)
class Equation:
    """An optimizer's update rule at one step, with numbers."""

    optimizer: str
    title: str
    step: int
    terms: tuple[Term, ...]

    def term(self, symbol: str) -> Term:
        """The term named ``symbol`` (KeyError if the rule has none)."""
        for t in self.terms:
            if t.symbol == symbol:
                return t
        raise KeyError(symbol)

    def to_html(self, digits: int = 4) -> str:
        """Rich text: a title line and one table row per term."""
        rows = []
        for t in self.terms:
            nums = ", ".join(_num(v, digits) for v in np.ravel(t.value))
            rhs = f"{t.formula_html} = " if t.formula_html else "= "
            rows.append(
                f"<tr><td align='right'><b>{t.symbol_html}</b></td>"
                f"<td>{rhs}</td><td>[{nums}]</td></tr>"
            )
        head = f"<p><b>{html.escape(self.title)}</b>, update t = {self.step}</p>"
        return head + "<table cellspacing='4'>" + "".join(rows) + "</table>"


def _ewa_html(beta: str, prev: str, new: str) -> str:
    """``beta_k prev_{t-1} + (1 - beta_k) new`` in rich text."""
    b = f"&beta;<sub>{beta}</sub>"
    return f"{b} {prev}<sub>t&minus;1</sub> + (1 &minus; {b}) {new}"


def _num(v: float, digits: int) -> str:
    s = f"{v:.{digits}g}"
    return s.replace("-", "&minus;")


def _plain(state) -> Any:
    return state.inner if isinstance(state, TransformState) else state


def _row(a: Any, run: int, d: int) -> np.ndarray:
    a = np.asarray(a, dtype=np.float64)
    if a.ndim == 0:
        return np.full(d, float(a))
    if a.ndim == 1:
        return np.broadcast_to(a, (d,)).copy()
    return np.broadcast_to(a[run if a.shape[0] > 1 else 0], (d,)).copy()


def explain_update(
    opt: Optimizer, state: Any, grads: np.ndarray, params: np.ndarray, run: int = 0, **kw: Any
) -> tuple[Equation, np.ndarray, Any]:
    """Apply one update and write it out for run ``run``.

    Parameters
    ----------
    opt : Optimizer
    state : its state
    grads, params : ndarray, shape (n_runs, d)
    run : int
        Row whose numbers are shown.
    **kw
        Passed to ``opt.update`` (``loss=`` for a plateau schedule).

    Returns
    -------
    equation : Equation
    new_params : ndarray, shape (n_runs, d)
    new_state : the optimizer's new state
    """
    params = np.asarray(params, dtype=np.float64)
    grads = np.asarray(grads, dtype=np.float64)
    if params.ndim != 2 or not 0 <= run < params.shape[0]:
        raise ValueError(f"run {run} is not a row of params of shape {params.shape}")
    lr = current_lr(state)
    new_p, new_state = opt.update(grads, state, params, **kw)
    name = opt.name
    d = params.shape[1]
    s0, s1 = _plain(state), _plain(new_state)
    if isinstance(s1, LookaheadState):
        s0, s1 = s0.inner, s1.inner
    info = inspect(new_state)
    row = lambda a: _row(a, run, d)  # noqa: E731
    g = row(grads)
    t = int(s1.step)
    terms = [Term("g", "g<sub>t</sub>", "", g)]
    hy = opt.hyper
    if name in ("sgd", "momentum", "nesterov"):
        if "velocity" in info:
            terms.append(
                Term(
                    "v",
                    "v<sub>t</sub>",
                    "&mu; v<sub>t&minus;1</sub> + g<sub>t</sub>",
                    row(info["velocity"]),
                )
            )
    elif name in _ADAM_LIKE or (name == "adam_sgd" and t <= hy["switch_step"]):
        b1, b2 = (row(b) for b in s1.betas)
        m = row(info["first_moment"])
        v = row(info["second_moment"])
        second = (
            "(g<sub>t</sub> &minus; m<sub>t</sub>)<sup>2</sup>"
            if name == "adabelief"
            else "g<sub>t</sub><sup>2</sup>"
        )
        terms += [
            Term(
                "m",
                "m<sub>t</sub>",
                _ewa_html("1", "m", "g<sub>t</sub>"),
                m,
            ),
            Term(
                "v",
                "v<sub>t</sub>",
                _ewa_html("2", "v", second),
                v,
            ),
            Term(
                "m_hat",
                "m&#770;<sub>t</sub>",
                "m<sub>t</sub> / (1 &minus; &beta;<sub>1</sub><sup>t</sup>)",
                m / (1 - b1**t),
            ),
            Term(
                "v_hat",
                "v&#770;<sub>t</sub>",
                "v<sub>t</sub> / (1 &minus; &beta;<sub>2</sub><sup>t</sup>)",
                v / (1 - b2**t),
            ),
        ]
    elif name == "lion":
        b1 = row(s0.betas[0])
        c = b1 * row(s0.exp_avg) + (1 - b1) * g
        terms += [
            Term(
                "c",
                "c<sub>t</sub>",
                _ewa_html("1", "m", "g<sub>t</sub>"),
                c,
            ),
            Term("sign", "sign(c<sub>t</sub>)", "", np.sign(c)),
            Term(
                "m",
                "m<sub>t</sub>",
                _ewa_html("2", "m", "g<sub>t</sub>"),
                row(s1.exp_avg),
            ),
        ]
    elif name == "signsgd":
        terms.append(Term("sign", "sign(g<sub>t</sub>)", "", np.sign(g)))
    else:
        labels = {
            "velocity": ("v", "v<sub>t</sub>"),
            "first_moment": ("m", "m<sub>t</sub>"),
            "second_moment": ("v", "v<sub>t</sub>"),
            "x": ("x", "x<sub>t</sub> (average)"),
            "z": ("z", "z<sub>t</sub> (base)"),
        }
        for key, (sym, sym_html) in labels.items():
            if key in info:
                terms.append(Term(sym, sym_html, "", row(info[key])))
    terms.append(Term("lr", "&eta;", "", row(lr)))
    if "effective_lr" in info:
        terms.append(
            Term("effective_lr", "&eta;<sub>eff</sub>", "per coordinate", row(info["effective_lr"]))
        )
    step = row(new_p) - row(params)
    terms.append(
        Term(
            "step",
            "&Delta;&theta;",
            "&theta;<sub>t</sub> &minus; &theta;<sub>t&minus;1</sub>",
            step,
        )
    )
    title = OPTIMIZERS[name].title
    return Equation(name, title, t, tuple(terms)), new_p, new_state
