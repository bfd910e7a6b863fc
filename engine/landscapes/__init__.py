"""Two-dimensional loss surfaces for optimizer races.

The package is split by what each module holds; every public name is re-exported here, so
``from engine.landscapes import make_landscape`` works as it always has:

- :mod:`~engine.landscapes.base`: :class:`CriticalPoint`, :class:`Landscape`,
  :func:`hessian_verdict`, :func:`describe_point`, :func:`nearest_minimum`
- :mod:`~engine.landscapes.classic`: the classic test functions (Rosenbrock ... Styblinski-Tang)
- :mod:`~engine.landscapes.lessons`: saddles, the ill-conditioned bowl, the cliff
- :mod:`~engine.landscapes.regression`: the data-backed least-squares surface
- :mod:`~engine.landscapes.catalogue`: the registry and :func:`make_landscape`
- :mod:`~engine.landscapes.formula`: surfaces typed as a formula in x and y
- :mod:`~engine.landscapes.critical`: stationary points found by Newton's method from a grid
"""

from engine.landscapes.base import (
    KINDS,
    CriticalPoint,
    Landscape,
    describe_point,
    hessian_verdict,
    nearest_minimum,
)
from engine.landscapes.catalogue import (
    LANDSCAPES,
    LandscapeSpec,
    list_landscapes,
    make_landscape,
)
from engine.landscapes.classic import (
    Ackley,
    Beale,
    Booth,
    GoldsteinPrice,
    Himmelblau,
    Rastrigin,
    Rosenbrock,
    SixHumpCamel,
    StyblinskiTang,
)
from engine.landscapes.critical import find_critical_points
from engine.landscapes.expression import Formula, FormulaError, parse_formula
from engine.landscapes.formula import FORMULA_NAME, FormulaLandscape
from engine.landscapes.lessons import Bowl, Cliff, MonkeySaddle, Saddle
from engine.landscapes.regression import Regression

__all__ = [
    "FORMULA_NAME",
    "KINDS",
    "LANDSCAPES",
    "Ackley",
    "Beale",
    "Booth",
    "Bowl",
    "Cliff",
    "CriticalPoint",
    "Formula",
    "FormulaError",
    "FormulaLandscape",
    "GoldsteinPrice",
    "Himmelblau",
    "Landscape",
    "LandscapeSpec",
    "MonkeySaddle",
    "Rastrigin",
    "Regression",
    "Rosenbrock",
    "Saddle",
    "SixHumpCamel",
    "StyblinskiTang",
    "describe_point",
    "find_critical_points",
    "hessian_verdict",
    "list_landscapes",
    "make_landscape",
    "nearest_minimum",
    "parse_formula",
]
