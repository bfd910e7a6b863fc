"""A landscape typed as a formula in x and y, racing exactly like a built-in one.

A formula landscape is identified by its expression (and its view window), so a race or a
lesson stores it as ``landscape="formula"`` with ``landscape_params={"expr": ..., "xmin": ...}``
and rebuilds it with :func:`engine.landscapes.make_landscape`. Its derivatives are exact
(:mod:`engine.landscapes.expression`); its critical points are found by Newton's method from
a grid and classified by the Hessian (:mod:`engine.landscapes.critical`).
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

import numpy as np

from engine.landscapes.base import Landscape
from engine.landscapes.critical import find_critical_points
from engine.landscapes.expression import Formula, FormulaError
from engine.params import ParamSpec, validate_params

__all__ = ["FORMULA_NAME", "FORMULA_PARAMS", "FormulaLandscape", "make_formula_landscape"]

FORMULA_NAME = "formula"
_LIMIT = 1e6  # a view wider than this says nothing a smaller one would not
# the view window; the expression itself is text, checked by the parser
FORMULA_PARAMS = (
    ParamSpec("xmin", -3.0, min=-_LIMIT, max=_LIMIT, help="left edge of the view"),
    ParamSpec("xmax", 3.0, min=-_LIMIT, max=_LIMIT, help="right edge of the view"),
    ParamSpec("ymin", -3.0, min=-_LIMIT, max=_LIMIT, help="bottom edge of the view"),
    ParamSpec("ymax", 3.0, min=-_LIMIT, max=_LIMIT, help="top edge of the view"),
)


class FormulaLandscape(Landscape):
    """f(x, y) given as text, with exact gradient and Hessian.

    Parameters
    ----------
    expr : str
        The formula, e.g. ``"x^2 + 3*y^2"`` (see :class:`~engine.landscapes.expression.Formula`).
    xmin, xmax, ymin, ymax : float
        View window; the critical points are searched inside it.

    Raises
    ------
    FormulaError
        A one-line message naming the problem and its column.

    Notes
    -----
    The start point sits a fifth of the way in from the window's top-left corner. The heatmap
    uses a log colour scale when the surface, sampled on the window, spans more than two
    orders of magnitude above its lowest value in most of it (as on Rosenbrock's valley).
    """

    __slots__ = ("formula",)

    def __init__(
        self,
        expr: str,
        xmin: float = -3.0,
        xmax: float = 3.0,
        ymin: float = -3.0,
        ymax: float = 3.0,
    ) -> None:
        formula = Formula(expr)
        self._set("formula", formula)
        if not (xmin < xmax and ymin < ymax):
            raise FormulaError(
                f"the view needs xmin < xmax and ymin < ymax; got x {xmin:g}..{xmax:g}, "
                f"y {ymin:g}..{ymax:g}"
            )
        w, h = xmax - xmin, ymax - ymin
        super().__init__(
            name=FORMULA_NAME,
            title=f"f(x, y) = {formula.text}",
            description="A surface typed as a formula, with exact derivatives.",
            window=(xmin, xmax, ymin, ymax),
            start=(xmin + 0.2 * w, ymax - 0.2 * h),
            log_scale=False,
            params={
                "expr": formula.text,
                "xmin": float(xmin),
                "xmax": float(xmax),
                "ymin": float(ymin),
                "ymax": float(ymax),
            },
        )
        minima, others = find_critical_points(self)
        self._set("minima", minima)
        self._set("saddles", others)
        self._set("log_scale", self._wants_log())

    def _wants_log(self) -> bool:
        _, _, z = self.grid(64, 64)
        z = z[np.isfinite(z)]
        if z.size < 16:
            return False
        lo = float(z.min())
        above = z - lo
        med, top = float(np.median(above)), float(above.max())
        return med > 0.0 and top > 100.0 * med

    @property
    def expr(self) -> str:
        return self.formula.text

    def _value(self, x, y):
        return self.formula.value(x, y)

    def _grad(self, x, y):
        return self.formula.grad(x, y)

    def _hess(self, x, y):
        return self.formula.hessian(x, y)


def make_formula_landscape(params: dict[str, Any]) -> FormulaLandscape:
    """Build from ``{"expr": text, "xmin": ..., ...}`` as a race or a lesson stores it.

    Raises
    ------
    ValueError
        :class:`FormulaError` for a bad formula or window, ValueError for other parameters.
    """
    params = dict(params)
    if "expr" not in params:
        raise ValueError("landscape formula: needs an 'expr' parameter (the formula)")
    expr = params.pop("expr")
    if not isinstance(expr, str):
        raise FormulaError(f"a formula must be text; got {type(expr).__name__}")
    values = validate_params(FORMULA_PARAMS, params, owner="landscape formula")
    key = (expr, *values.values())
    land = _CACHE.get(key)
    if land is None:
        land = FormulaLandscape(expr, **values)
        _CACHE[key] = land
        while len(_CACHE) > 16:
            _CACHE.popitem(last=False)
    _CACHE.move_to_end(key)
    return land


# a race validates and rebuilds its landscape several times; landscapes are immutable, so the
# critical-point search runs once per formula and window
_CACHE: OrderedDict[tuple, FormulaLandscape] = OrderedDict()
