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
    """Registry entry: what a landscape is called, what it accepts, how to build it.

    ``title`` and ``description`` are read from a landscape built with the default
    parameters the first time either is asked for (then kept): importing the catalogue
    builds nothing, so a command that uses one surface does not pay for all of them.
    """

    name: str
    params: tuple[ParamSpec, ...]
    factory: Callable[..., Landscape]

    @property
    def title(self) -> str:
        return _sample(self).title

    @property
    def description(self) -> str:
        return _sample(self).description


_SAMPLES: dict[str, Landscape] = {}


def _sample(spec: LandscapeSpec) -> Landscape:
    """The landscape of ``spec`` with default parameters, built once."""
    sample = _SAMPLES.get(spec.name)
    if sample is None:
        sample = spec.factory(**{p.name: p.default for p in spec.params})
        if sample.name != spec.name:
            raise RuntimeError(f"catalogue entry {spec.name!r} builds {sample.name!r}")
        _SAMPLES[spec.name] = sample
    return sample


def _spec(name: str, factory: Callable[..., Landscape], *params: ParamSpec) -> LandscapeSpec:
    return LandscapeSpec(name, params, factory)


LANDSCAPES: dict[str, LandscapeSpec] = {
    s.name: s
    for s in (
        _spec(
            "rosenbrock",
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
        _spec("beale", Beale),
        _spec("booth", Booth),
        _spec("himmelblau", Himmelblau),
        _spec(
            "rastrigin",
            Rastrigin,
            ParamSpec("A", 10.0, min=0.0, max=100.0, help="depth of the ripples"),
        ),
        _spec("ackley", Ackley),
        _spec("goldstein_price", GoldsteinPrice),
        _spec("six_hump_camel", SixHumpCamel),
        _spec("styblinski_tang", StyblinskiTang),
        _spec("saddle", Saddle),
        _spec("monkey_saddle", MonkeySaddle),
        _spec(
            "bowl",
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
            "cliff",
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
            "regression",
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
