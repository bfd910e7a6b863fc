"""Seeded toy data sets, generated on the spot (nothing is downloaded).

Every generator is ``make(rng, n, noise, **params) -> (x, y)`` with ``x`` float64 of shape
(n, d) and ``y`` int64 labels (n,) for classification or float64 targets (n, 1) for
regression. Points lie roughly in [-1.5, 1.5]^2 so that no input scaling is needed; the
data are not standardised. ``noise`` is the standard deviation of Gaussian jitter added to
the coordinates (classification) or to the target (regression). Class sizes are balanced:
``n // k`` points each, the first ``n % k`` classes getting one more.
:func:`make_dataset` draws ``n`` points, shuffles them and splits off a validation part.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from engine.limits import MAX_POINTS
from engine.params import ParamSpec, spec_field, validate_params


def _class_sizes(n: int, k: int) -> list[int]:
    return [n // k + (1 if c < n % k else 0) for c in range(k)]


def _labels(n: int, k: int) -> np.ndarray:
    return np.repeat(np.arange(k, dtype=np.int64), _class_sizes(n, k))


def make_spirals(rng: np.random.Generator, n: int, noise: float, turns: float = 1.25):
    """Two interleaved spirals: class c at angle ``2 pi turns t + c pi``, radius t in (0, 1]."""
    y = _labels(n, 2)
    t = np.sqrt(rng.uniform(0.0, 1.0, n)) * 0.95 + 0.05  # sqrt: even density along the arm
    ang = 2.0 * math.pi * turns * t + math.pi * y
    x = np.stack([t * np.cos(ang), t * np.sin(ang)], axis=1)
    return x + noise * rng.standard_normal(x.shape), y


def make_moons(rng: np.random.Generator, n: int, noise: float):
    """Two interleaving half circles (as scikit-learn's), centred on the origin."""
    y = _labels(n, 2)
    th = rng.uniform(0.0, math.pi, n)
    x = np.where(
        (y == 0)[:, None],
        np.stack([np.cos(th), np.sin(th)], axis=1),
        np.stack([1.0 - np.cos(th), 0.5 - np.sin(th)], axis=1),
    )
    x -= np.array([0.5, 0.25])
    return x + noise * rng.standard_normal(x.shape), y


def make_circles(rng: np.random.Generator, n: int, noise: float, factor: float = 0.5):
    """A ring of radius 1 (class 0) around a ring of radius ``factor`` (class 1)."""
    y = _labels(n, 2)
    th = rng.uniform(0.0, 2.0 * math.pi, n)
    r = np.where(y == 0, 1.0, factor)
    x = np.stack([r * np.cos(th), r * np.sin(th)], axis=1)
    return x + noise * rng.standard_normal(x.shape), y


def make_xor(rng: np.random.Generator, n: int, noise: float):
    """Uniform points in [-1, 1]^2, class 1 where the two coordinates share a sign.

    Each class fills its two quadrants uniformly (classes balanced); the label is decided
    before the jitter is added, so noise blurs the quadrant borders.
    """
    y = _labels(n, 2)
    mag = rng.uniform(0.0, 1.0, (n, 2))
    sx = rng.choice([-1.0, 1.0], n)
    sy = np.where(y == 1, sx, -sx)
    x = mag * np.stack([sx, sy], axis=1)
    return x + noise * rng.standard_normal(x.shape), y


def make_blobs(rng: np.random.Generator, n: int, noise: float, k: int = 3, radius: float = 1.0):
    """``k`` Gaussian blobs with standard deviation ``noise``, centres evenly on a circle."""
    y = _labels(n, k)
    ang = 2.0 * math.pi * y / k + math.pi / 2.0
    x = radius * np.stack([np.cos(ang), np.sin(ang)], axis=1)
    return x + noise * rng.standard_normal(x.shape), y


def make_checkerboard(rng: np.random.Generator, n: int, noise: float, cells: int = 4):
    """A ``cells`` x ``cells`` checkerboard on [-1, 1]^2; cell (i, j) has class (i + j) % 2.

    Each point picks a cell of its class at random and a uniform position inside it.
    """
    y = _labels(n, 2)
    ii, jj = np.divmod(np.arange(cells * cells), cells)
    cell = np.empty((n, 2), dtype=np.int64)
    for c in (0, 1):
        mine = np.flatnonzero((ii + jj) % 2 == c)
        pick = mine[rng.integers(0, mine.size, int(np.sum(y == c)))]
        cell[y == c] = np.stack([ii[pick], jj[pick]], axis=1)
    size = 2.0 / cells
    x = cell * size - 1.0 + rng.uniform(0.0, size, (n, 2))
    return x + noise * rng.standard_normal(x.shape), y


def make_sine(rng: np.random.Generator, n: int, noise: float, cycles: float = 1.0):
    """1-D regression: x uniform in [-1, 1], target ``sin(pi cycles x) + noise N(0, 1)``."""
    x = rng.uniform(-1.0, 1.0, (n, 1))
    t = np.sin(math.pi * cycles * x)
    return x, t + noise * rng.standard_normal(t.shape)


@dataclass(frozen=True)
class TaskSpec:
    """One task of the registry.

    Attributes
    ----------
    name : str
    fn : callable
        ``fn(rng, n, noise, **params) -> (x, y)``.
    params : tuple of ParamSpec
    kind : {"classification", "regression"}
    help : str
    input_size : int
    """

    name: str
    fn: Callable[..., tuple[np.ndarray, np.ndarray]]
    params: tuple[ParamSpec, ...] = ()
    kind: str = "classification"
    help: str = ""
    input_size: int = 2

    def n_outputs(self, params: Mapping[str, Any] | None = None) -> int:
        """Number of classes (classification) or target dimensions (regression)."""
        if self.kind == "regression":
            return 1
        p = validate_params(self.params, params, f"task {self.name}")
        return int(p.get("k", 2))


TASKS: dict[str, TaskSpec] = {
    s.name: s
    for s in (
        TaskSpec(
            "spirals",
            make_spirals,
            (
                ParamSpec(
                    "turns",
                    1.25,
                    min=0.25,
                    max=4.0,
                    label="Turns",
                    help="how many times each arm winds round",
                ),
            ),
            help="two interleaved spirals",
        ),
        TaskSpec("moons", make_moons, help="two interleaving half circles"),
        TaskSpec(
            "circles",
            make_circles,
            (
                ParamSpec(
                    "factor",
                    0.5,
                    min=0.05,
                    max=0.95,
                    label="Inner radius",
                    help="radius of the inner ring (outer is 1)",
                ),
            ),
            help="a ring inside a ring",
        ),
        TaskSpec("xor", make_xor, help="four quadrants, opposite ones share a class"),
        TaskSpec(
            "blobs",
            make_blobs,
            (
                ParamSpec(
                    "k", 3, kind="int", min=2, max=10, label="Classes", help="number of blobs"
                ),
                ParamSpec(
                    "radius",
                    1.0,
                    min=0.0,
                    max=5.0,
                    label="Radius",
                    help="distance of the blob centres from the origin",
                ),
            ),
            help="k Gaussian blobs (noise is their standard deviation)",
        ),
        TaskSpec(
            "checkerboard",
            make_checkerboard,
            (
                ParamSpec(
                    "cells", 4, kind="int", min=2, max=12, label="Cells", help="cells per side"
                ),
            ),
            help="a checkerboard on [-1, 1]^2",
        ),
        TaskSpec(
            "sine",
            make_sine,
            (
                ParamSpec(
                    "cycles",
                    1.0,
                    min=0.25,
                    max=8.0,
                    label="Cycles",
                    help="periods of the sine over [-1, 1]",
                ),
            ),
            kind="regression",
            input_size=1,
            help="1-D regression of sin(pi cycles x) (mean squared error)",
        ),
    )
}


def get_task(name: str) -> TaskSpec:
    """Look up a task by name, or raise ValueError listing the known ones."""
    try:
        return TASKS[name]
    except KeyError:
        raise ValueError(f"task: unknown name {name!r} (known: {', '.join(TASKS)})") from None


@dataclass(frozen=True)
class TaskConfig:
    """The data of a comparison: which task, how many points, how noisy, which seed.

    ``params`` holds the task's own parameters (e.g. ``{"k": 4}`` for blobs). Validated on
    construction (ValueError naming the field).
    """

    name: str = spec_field("spirals", label="Task", choices=tuple(TASKS), help="which toy data set")
    n: int = spec_field(
        600, label="Points", min=20, max=MAX_POINTS, help="points in total (train + validation)"
    )
    noise: float = spec_field(
        0.1, label="Noise", min=0.0, max=2.0, help="std of the Gaussian jitter"
    )
    val_fraction: float = spec_field(
        0.2, label="Validation", min=0.0, max=0.9, help="share of points held out"
    )
    seed: int = spec_field(
        0, label="Data seed", min=0, max=2**32 - 1, help="seed of the data and batch order"
    )
    params: dict = field(
        default_factory=dict,
        metadata={"label": "Task parameters", "help": "the task's own parameters"},
    )

    def __post_init__(self) -> None:
        spec = get_task(self.name)
        for name, lo, hi in (("n", 20, MAX_POINTS), ("seed", 0, 2**32 - 1)):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or not lo <= v <= hi:
                raise ValueError(f"task: {name} must be a whole number in [{lo}, {hi}]; got {v!r}")
        if not (isinstance(self.noise, (int, float)) and 0.0 <= self.noise <= 2.0):
            raise ValueError(f"task: noise must be a number in [0, 2]; got {self.noise!r}")
        vf = self.val_fraction
        if not (isinstance(vf, (int, float)) and 0.0 <= vf <= 0.9):
            raise ValueError(f"task: val_fraction must be a number in [0, 0.9]; got {vf!r}")
        validate_params(spec.params, self.params, f"task {self.name}")
        n_val = round(self.n * vf)
        if self.n - n_val < 2:
            raise ValueError("task: n and val_fraction leave fewer than 2 training points")

    @property
    def spec(self) -> TaskSpec:
        return TASKS[self.name]


@dataclass(frozen=True)
class Dataset:
    """A generated data set, split into training and validation parts (arrays read-only).

    Attributes
    ----------
    x_train : ndarray, shape (n_train, d)
    y_train : ndarray, shape (n_train,) int64, or (n_train, 1) float64 for regression
    x_val, y_val : likewise for the validation part (may have 0 rows)
    kind : {"classification", "regression"}
    n_outputs : int
        Classes, or target dimensions.
    extent : tuple of float
        ``(xmin, xmax, ymin, ymax)`` of all points plus a 10 % margin (2-D data), or
        ``(xmin, xmax, ymin, ymax)`` of inputs and targets for 1-D regression.
    """

    x_train: np.ndarray
    y_train: np.ndarray
    x_val: np.ndarray
    y_val: np.ndarray
    kind: str
    n_outputs: int
    extent: tuple[float, float, float, float]

    @property
    def input_size(self) -> int:
        return int(self.x_train.shape[1])


def _extent(a: np.ndarray, b: np.ndarray) -> tuple[float, float, float, float]:
    out = []
    for v in (a, b):
        lo, hi = float(v.min()), float(v.max())
        pad = 0.1 * (hi - lo) or 0.5
        out += [lo - pad, hi + pad]
    return tuple(out)  # type: ignore[return-value]


def make_dataset(task: TaskConfig) -> Dataset:
    """Generate and split the data of ``task``, deterministically from ``task.seed``.

    Parameters
    ----------
    task : TaskConfig

    Returns
    -------
    Dataset
        The points in a seeded random order; the last ``round(n * val_fraction)`` of them
        form the validation set.
    """
    spec = task.spec
    params = validate_params(spec.params, task.params, f"task {task.name}")
    rng = np.random.default_rng([task.seed, 0x5EED])
    x, y = spec.fn(rng, task.n, float(task.noise), **params)
    order = rng.permutation(task.n)
    x, y = np.ascontiguousarray(x[order], dtype=np.float64), y[order]
    n_val = round(task.n * task.val_fraction)
    n_tr = task.n - n_val
    parts = [x[:n_tr], y[:n_tr], x[n_tr:], y[n_tr:]]
    parts = [np.ascontiguousarray(p) for p in parts]
    for p in parts:
        p.setflags(write=False)
    if spec.kind == "regression":
        ext = _extent(x[:, 0], y[:, 0])
    else:
        ext = _extent(x[:, 0], x[:, 1])
    return Dataset(*parts, kind=spec.kind, n_outputs=spec.n_outputs(params), extent=ext)
