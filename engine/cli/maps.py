"""``main.py --headless --map basins|hyper ...``: convergence maps without a window.

Basins: ``--map basins --landscape himmelblau --optimizer adam:lr=0.05 --grid 200
--steps 1000 --out map.csv`` writes one row per start ``x0,y0,x,y,loss,outcome,steps``.
Hyperparameters: ``--map hyper --optimizer momentum --vary lr=1e-4:1:40log,momentum=0:0.99:40``
writes one row per setting. ``--out`` ending in ``.png`` writes a picture, ``.npz`` the
arrays. As for a race, everything is validated before a step is taken and the file appears
only when complete.
"""

from __future__ import annotations

import argparse
import csv
import io
import math
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from engine import landscapes
from engine.atomic import SaveError, write_bytes_atomically
from engine.cli.common import open_csv
from engine.cli.race import (
    CliError,
    _parse_point,
    _Parser,
    formula_params,
    join_negative_values,
    parse_run,
)
from engine.landscapes import Landscape
from engine.maps import (
    MAX_GRID,
    OUTCOME_NAMES,
    MapSnapshot,
    basin_map,
    hyper_axes,
    hyper_map,
    parse_axis,
)
from engine.params import parse_assignments
from engine.runs import RunConfig

OUT_KINDS = (".csv", ".png", ".npz")


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(
        prog="main.py --headless --map",
        description="Convergence maps: a basin map over start points, or a map over two "
        "hyperparameters.",
    )
    p.add_argument("--map", required=True, choices=("basins", "hyper"))
    p.add_argument("--landscape", default="himmelblau", help="landscape name (see --list)")
    p.add_argument("--landscape-param", default="", metavar="K=V,...")
    p.add_argument("--formula", default=None, metavar="F(X,Y)", help="a formula surface")
    p.add_argument("--optimizer", default="adam:lr=0.05", metavar="NAME:K=V,...")
    p.add_argument("--grid", default="100", metavar="N or NXxNY", help="starts per axis")
    p.add_argument("--window", default=None, metavar="XMIN,XMAX,YMIN,YMAX")
    p.add_argument("--vary", default=None, metavar="NAME=LO:HI:N[log],NAME=LO:HI:N[log]")
    p.add_argument("--start", default=None, metavar="X,Y", help="start of a hyper map")
    p.add_argument("--steps", type=int, default=1000)
    p.add_argument("--tol", type=float, default=1e-2, help="distance to a minimum that counts")
    p.add_argument("--out", default=None, metavar="FILE.csv|.png|.npz")
    return p


def _landscape(args: argparse.Namespace) -> Landscape:
    if args.formula is not None:
        return landscapes.make_landscape(
            "formula", **formula_params(args.formula, args.landscape_param)
        )
    name = args.landscape.strip().lower()
    if name not in landscapes.LANDSCAPES:
        known = ", ".join(landscapes.LANDSCAPES)
        raise CliError(f"--landscape: unknown landscape {name!r} (known: {known})")
    try:
        lp = parse_assignments(args.landscape_param, owner="--landscape-param")
        return landscapes.make_landscape(name, **lp)
    except ValueError as exc:
        raise CliError(str(exc)) from None


def _grid(text: str) -> tuple[int, int]:
    parts = text.lower().split("x")
    try:
        nums = [int(v) for v in parts]
    except ValueError:
        raise CliError(f"--grid must be N or NXxNY (e.g. 200 or 160x90); got {text!r}") from None
    if len(nums) not in (1, 2) or not all(2 <= n <= MAX_GRID for n in nums):
        raise CliError(f"--grid: each side must be between 2 and {MAX_GRID}; got {text!r}")
    return (nums[0], nums[-1])


def _window(text: str) -> tuple[float, float, float, float]:
    try:
        w = tuple(float(v) for v in text.split(","))
    except ValueError:
        w = ()
    if len(w) != 4 or not all(map(math.isfinite, w)) or w[0] >= w[1] or w[2] >= w[3]:
        raise CliError(f"--window must be XMIN,XMAX,YMIN,YMAX with min < max; got {text!r}")
    return w  # type: ignore[return-value]


def plan(args: argparse.Namespace):
    """Validate everything and return the map generator (not started); raises CliError."""
    if args.steps < 0:
        raise CliError(f"--steps must be >= 0; got {args.steps}")
    if not (math.isfinite(args.tol) and args.tol > 0):
        raise CliError(f"--tol must be > 0; got {args.tol}")
    if args.out is not None and Path(args.out).suffix.lower() not in OUT_KINDS:
        raise CliError(f"--out must end in {', '.join(OUT_KINDS)}; got {args.out!r}")
    land = _landscape(args)
    run: RunConfig = parse_run(args.optimizer)
    every = max(1, args.steps)
    try:
        if args.map == "basins":
            if args.vary is not None:
                raise CliError("--vary belongs to --map hyper")
            window = _window(args.window) if args.window else None
            return basin_map(land, run, _grid(args.grid), args.steps, args.tol, window, every)
        if args.vary is None:
            axes = ", ".join(hyper_axes(run.optimizer))
            raise CliError(
                f"--map hyper needs --vary A=lo:hi:n,B=lo:hi:n (for {run.optimizer}: {axes})"
            )
        items = [v for v in args.vary.split(",") if v.strip()]
        if len(items) != 2:
            raise CliError(f"--vary needs two hyperparameters; got {len(items)}")
        xa, ya = (parse_axis(v) for v in items)
        start = _parse_point(args.start, "--start") if args.start else None
        return hyper_map(land, run, xa, ya, start, args.steps, args.tol, every)
    except CliError:
        raise
    except ValueError as exc:
        raise CliError(f"--{'vary' if args.map == 'hyper' else 'map'}: {exc}") from None


def write_csv(fh, snap: MapSnapshot) -> None:
    """One row per pixel, rows of the map in order (y, then x).

    Numbers are Python's ``repr`` of each float (the shortest text that reads back to the
    same float), the bytes :mod:`csv`'s writer gives row by row (``\\r\\n`` line ends, no
    quoting: no field holds a comma, a quote or a line break). The body is built a column
    at a time, 40,000 rows in a few list operations rather than 40,000 ``writerow`` calls.
    """
    w = csv.writer(fh)
    if snap.kind == "basins":
        w.writerow(("x0", "y0", "x", "y", "loss", "outcome", "steps"))
        a, b = snap.starts[..., 0].ravel(), snap.starts[..., 1].ravel()
    else:
        w.writerow((snap.x_axis.name, snap.y_axis.name, "x", "y", "loss", "outcome", "steps"))
        ny, nx = snap.shape
        a = np.broadcast_to(snap.x_axis.values[None, :], (ny, nx)).ravel()
        b = np.broadcast_to(snap.y_axis.values[:, None], (ny, nx)).ravel()
    if snap.outcome.size == 0:
        return
    names = OUTCOME_NAMES
    codes = snap.outcome.ravel().tolist()
    outcome = [names.get(c) or str(c) for c in codes]
    steps = ["" if s < 0 else str(s) for s in snap.steps_to.ravel().tolist()]
    columns = [
        list(map(repr, np.asarray(v, dtype=np.float64).ravel().tolist()))
        for v in (a, b, snap.positions[..., 0], snap.positions[..., 1], snap.loss)
    ]
    fh.write("\r\n".join(map(",".join, zip(*columns, outcome, steps, strict=True))))
    fh.write("\r\n")


def write_npz(fh, snap: MapSnapshot) -> None:
    np.savez_compressed(
        fh,
        kind=np.array(snap.kind),
        x_name=np.array(snap.x_axis.name),
        y_name=np.array(snap.y_axis.name),
        x=snap.x_axis.values,
        y=snap.y_axis.values,
        starts=snap.starts,
        positions=snap.positions,
        loss=snap.loss,
        outcome=snap.outcome,
        steps_to=snap.steps_to,
        diverged_at=snap.diverged_at,
        left_at=snap.left_at,
        minima=np.array([[m.x, m.y, m.value] for m in snap.minima]).reshape(-1, 3),
        step=np.array(snap.step),
        tol=np.array(snap.tol),
    )


def summary(snap: MapSnapshot) -> str:
    """Counts per outcome, one line each."""
    n = snap.outcome.size
    lines = [f"{snap.kind} map {snap.shape[1]}x{snap.shape[0]}, {snap.step} steps, {n} runs"]
    for k, m in enumerate(snap.minima):
        c = int(np.sum(snap.outcome == k))
        if c:
            med = int(np.median(snap.steps_to[snap.outcome == k]))
            lines.append(f"  minimum {k} ({m.x:.4g}, {m.y:.4g}): {c} runs, median {med} steps")
    for code, label in OUTCOME_NAMES.items():
        c = int(np.sum(snap.outcome == code))
        if c:
            lines.append(f"  {label}: {c} runs")
    return "\n".join(lines)


def main(argv: Sequence[str]) -> int:
    """Compute a map; 0 on success, 2 on a bad argument (one line on stderr, no file)."""
    try:
        argv = join_negative_values(argv, ("--start", "--window"))
        args = build_parser().parse_args(argv)
        gen = plan(args)
        snap = None
        for snap in gen:  # noqa: B007 - the last snapshot is the map
            pass
        if args.out:
            from engine.map_image import basin_rgb, hyper_rgb, png_bytes

            kind = Path(args.out).suffix.lower()
            if kind == ".csv":
                open_csv(args.out, lambda fh: write_csv(fh, snap))
            elif kind == ".npz":
                buf = io.BytesIO()
                write_npz(buf, snap)
                write_bytes_atomically(args.out, buf.getvalue())
            else:
                rgb = basin_rgb(snap) if snap.kind == "basins" else hyper_rgb(snap)
                write_bytes_atomically(args.out, png_bytes(rgb))
    except CliError as exc:
        print(f"main.py --headless: error: {exc}", file=sys.stderr)
        return 2
    except SaveError as exc:
        print(f"main.py --headless: error: --out: {exc}", file=sys.stderr)
        return 2
    print(summary(snap))
    if args.out:
        print(f"wrote {args.out}")
    return 0


def describe() -> str:
    """The map options for ``--list``."""
    return "\n".join(
        [
            "MAPS (--map basins|hyper; with --landscape or --formula and one --optimizer)",
            "  basins  --grid N|NXxNY (<= 200) --window XMIN,XMAX,YMIN,YMAX --steps N --tol 0.01",
            "          rows: x0,y0,x,y,loss,outcome,steps (outcome = index of the minimum",
            "          reached, none, diverged or left (slid off a bottomless surface);",
            "          steps blank if never)",
            "  hyper   --vary NAME=LO:HI:N[log],NAME=LO:HI:N[log] --start X,Y",
            "          NAME: a float hyperparameter of the optimizer (betas as beta1, beta2)",
            "  --out FILE.csv | FILE.png (a picture) | FILE.npz (the arrays)",
            "FORMULAS (--formula 'x^2 + 3*y^2'; window with --landscape-param xmin=,xmax=,...)",
            "  + - * / ^ ** ( ), pi, e, " + ", ".join(landscapes.expression.FUNCTIONS),
        ]
    )
