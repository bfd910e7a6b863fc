"""The registry of built-in landscapes, and building any landscape by name."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from engine.landscapes.base import Landscape
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
from engine.landscapes.formula import FORMULA_NAME, make_formula_landscape
from engine.landscapes.lessons import Bowl, Cliff, MonkeySaddle, Saddle
from engine.landscapes.regression import Regression
from engine.params import ParamSpec, validate_params


@dataclass(frozen=True)
class LandscapeSpec:
    """Registry entry: what a landscape is called, what it accepts, how to build it."""

    name: str
    title: str
    description: str
    params: tuple[ParamSpec, ...]
    factory: Callable[..., Landscape]


def _spec(factory: Callable[..., Landscape], *params: ParamSpec) -> LandscapeSpec:
    defaults = {p.name: p.default for p in params}
    sample = factory(**defaults)
    return LandscapeSpec(sample.name, sample.title, sample.description, params, factory)


LANDSCAPES: dict[str, LandscapeSpec] = {
    s.name: s
    for s in (
        _spec(
            Rosenbrock,
            ParamSpec("a", 1.0, min=-2.0, max=2.0, help="minimum at (a, a²)"),
            ParamSpec(
                "b",
                100.0,
                min=0.0,
                max=1e4,
                log=True,
                min_exclusive=True,
                help="steepness of the valley walls",
            ),
        ),
        _spec(Beale),
        _spec(Booth),
        _spec(Himmelblau),
        _spec(
            Rastrigin,
            ParamSpec("A", 10.0, min=0.0, max=100.0, help="depth of the ripples"),
        ),
        _spec(Ackley),
        _spec(GoldsteinPrice),
        _spec(SixHumpCamel),
        _spec(StyblinskiTang),
        _spec(Saddle),
        _spec(MonkeySaddle),
        _spec(
            Bowl,
            ParamSpec(
                "condition",
                20.0,
                min=1.0,
                max=1e4,
                log=True,
                help="ratio of the largest to the smallest curvature",
            ),
            ParamSpec(
                "angle",
                30.0,
                min=-90.0,
                max=90.0,
                label="angle (°)",
                help="rotation of the valley from the x axis, in degrees",
            ),
        ),
        _spec(
            Cliff,
            ParamSpec(
                "height",
                5.0,
                min=0.0,
                max=100.0,
                log=True,
                min_exclusive=True,
                help="how far the wall rises",
            ),
            ParamSpec(
                "steepness",
                200.0,
                min=1.0,
                max=1000.0,
                log=True,
                help="inverse width of the wall face",
            ),
        ),
        _spec(
            Regression,
            ParamSpec("n", 100, kind="int", min=2, max=100_000, log=True, help="data points"),
            ParamSpec("noise", 0.5, min=0.0, max=10.0, help="standard deviation of y noise"),
            ParamSpec("true_w", 2.0, min=-10.0, max=10.0, help="slope of the true line"),
            ParamSpec("true_b", -1.0, min=-10.0, max=10.0, help="intercept of the true line"),
            ParamSpec("seed", 0, kind="int", min=0, max=2**32 - 1, help="data seed"),
        ),
    )
}


def list_landscapes() -> list[LandscapeSpec]:
    """All registered landscapes in display order."""
    return list(LANDSCAPES.values())


def make_landscape(name: str, **params: Any) -> Landscape:
    """Build a landscape by registry name (case-insensitive).

    Parameters
    ----------
    name : str
        E.g. ``"rosenbrock"``, ``"Bowl"``, or ``"formula"`` with ``expr="x^2 + y^2"`` (and
        optionally the window ``xmin``, ``xmax``, ``ymin``, ``ymax``): not a registry entry,
        since its expression is text rather than a number a slider could set.
    **params
        Landscape parameters (strings are parsed), e.g. ``condition=100, angle=45``.

    Raises
    ------
    ValueError
        On an unknown name (the message lists the known ones) or a bad parameter.
    """
    key = str(name).strip().lower().replace("-", "_").replace(" ", "_")
    if key == FORMULA_NAME:
        return make_formula_landscape(params)
    spec = LANDSCAPES.get(key)
    if spec is None:
        known = ", ".join((*LANDSCAPES, FORMULA_NAME))
        raise ValueError(f"unknown landscape {name!r} (known: {known})")
    values = validate_params(spec.params, params, owner=f"landscape {spec.name}")
    return spec.factory(**values)
