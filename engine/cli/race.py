"""``main.py --headless --landscape NAME --optimizer NAME:k=v,... --steps N --out race.csv``.

Every argument is parsed and validated before a step is taken, and the CSV is written to a
temporary file that replaces the target only when complete, so a bad argument or an
interrupted run never leaves a half-written file behind.
"""

from __future__ import annotations

import argparse
import csv
import math
from collections.abc import Sequence
from dataclasses import replace

from engine import landscapes, limits, optimizers, schedules
from engine.cli.common import SaveError, clean_label, error, open_csv, say
from engine.guards import ResourceError, check_race
from engine.params import parse_assignments, validate_params
from engine.run_fields import RUN_FIELD_SPECS
from engine.runs import Race, RaceConfig, RunConfig, ScheduleConfig
from engine.schedules import WARMUP_PARAMS

# Keys of an --optimizer item that configure the run rather than the optimizer.
RUN_KEYS = tuple(RUN_FIELD_SPECS)
SCHEDULE_KEYS = ("schedule", "warmup_steps", "warmup_start_factor")


# How the run settings of an --optimizer item are read: the engine's one list of run
# fields (ranges as in a lesson file), the warm-up of the schedule, and the free-text label.
_RUN_SPECS = {
    **RUN_FIELD_SPECS,
    **{p.name: p for p in WARMUP_PARAMS},
}


class _Label:
    """Labels are free text: validate() passes them through (cleaned by clean_label)."""

    @staticmethod
    def validate(value: str, owner: str = "") -> str:
        return value


_RUN_SPECS["label"] = _Label  # type: ignore[assignment]


class CliError(ValueError):
    """A bad command-line argument; the message names it."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # argparse would sys.exit(2) from deep inside
        raise CliError(message)


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(
        prog="main.py --headless",
        description="Race optimizers over a 2-D loss surface without opening a window.",
        epilog=(
            "Optimizer items: NAME[:key=value,...]. Keys are the optimizer's hyperparameters "
            "(PyTorch names; betas as 0.9/0.999), or run settings: clip_value, clip_norm, "
            "noise_std, batch_size (regression landscape; 0 = full batch), seed, label, "
            "start (x/y), schedule (a schedule name), warmup_steps, warmup_start_factor and "
            "the schedule's own parameters. Example: --optimizer adam:lr=0.05,schedule=cosine,"
            "T_max=500. See --list for every name and default."
        ),
    )
    p.add_argument("--landscape", default="rosenbrock", help="landscape name (see --list)")
    p.add_argument(
        "--formula",
        default=None,
        metavar="F(X,Y)",
        help="race on a surface typed as a formula, e.g. 'x^2 + 3*y^2' (window with "
        "--landscape-param xmin=-3,xmax=3,ymin=-3,ymax=3)",
    )
    p.add_argument(
        "--landscape-param",
        default="",
        metavar="K=V,...",
        help="landscape parameters, e.g. condition=50,angle=30",
    )
    p.add_argument(
        "--optimizer",
        action="append",
        default=[],
        metavar="NAME:K=V,...",
        help="a run; repeat for a race (default: the app's opening race)",
    )
    p.add_argument("--start", default=None, metavar="X,Y", help="start point of every run")
    p.add_argument(
        "--steps",
        type=int,
        default=2000,
        help=f"number of updates (default 2000, at most {limits.MAX_STEPS:,})",
    )
    p.add_argument("--every", type=int, default=1, help="record a CSV row every N steps")
    p.add_argument("--tol", type=float, default=1e-6, help="gradient norm counted as converged")
    p.add_argument(
        "--out",
        default=None,
        metavar="FILE.csv",
        help="write the trajectory CSV ('-': standard output, the summary then goes to stderr)",
    )
    p.add_argument("--scenario", default=None, metavar="FILE.json", help="race from a scenario")
    return p


def _parse_point(text: str, what: str) -> tuple[float, float]:
    parts = text.replace("/", ",").split(",")
    try:
        x, y = (float(v) for v in parts)
    except ValueError:
        raise CliError(f"{what} must be two numbers like -1.5,2; got {text!r}") from None
    if not (math.isfinite(x) and math.isfinite(y)):
        raise CliError(f"{what} must be finite; got {text!r}")
    return x, y


def parse_run(item: str) -> RunConfig:
    """Turn ``"adam:lr=0.01,clip_norm=1"`` into a validated :class:`RunConfig`."""
    name, _, rest = item.partition(":")
    name = name.strip().lower()
    if name not in optimizers.OPTIMIZERS:
        known = ", ".join(optimizers.OPTIMIZERS)
        raise CliError(f"--optimizer: unknown optimizer {name!r} (known: {known})")
    try:
        kv = parse_assignments(rest, owner=f"--optimizer {name}")
    except ValueError as exc:
        raise CliError(str(exc)) from None
    opt_names = {s.name for s in optimizers.OPTIMIZERS[name].params}
    hyper = {k: v for k, v in kv.items() if k in opt_names}
    run_kw: dict = {}
    sched_kind = kv.get("schedule", "constant").strip().lower()
    if sched_kind not in schedules.SCHEDULES:
        known = ", ".join(schedules.SCHEDULES)
        raise CliError(f"--optimizer {name}: unknown schedule {sched_kind!r} (known: {known})")
    sched_names = {s.name for s in schedules.SCHEDULES[sched_kind].params}
    sched_params = {}
    warm: dict = {}
    for k, v in kv.items():
        if k in opt_names or k == "schedule":
            continue
        if k in sched_names:
            sched_params[k] = v
        elif k in ("warmup_steps", "warmup_start_factor"):
            warm[k] = v
        elif k in RUN_KEYS:
            run_kw[k] = v
        else:
            allowed = sorted(opt_names | set(RUN_KEYS) | set(SCHEDULE_KEYS) | sched_names)
            raise CliError(
                f"--optimizer {name}: unknown key {k!r} (accepted: {', '.join(allowed)})"
            )
    try:
        hyper = {
            k: v
            for k, v in validate_params(
                optimizers.OPTIMIZERS[name].params, hyper, f"--optimizer {name}"
            ).items()
            if k in hyper
        }
        sched_params = validate_params(
            schedules.SCHEDULES[sched_kind].params, sched_params, f"schedule {sched_kind}"
        )
        schedule = ScheduleConfig(
            sched_kind,
            sched_params,
            _RUN_SPECS["warmup_steps"].validate(warm.get("warmup_steps", 0), "schedule"),
            _RUN_SPECS["warmup_start_factor"].validate(
                warm.get("warmup_start_factor", 0.1), "schedule"
            ),
        )
        kwargs: dict = {}
        for k, v in run_kw.items():
            if k == "start":
                kwargs[k] = _parse_point(v, f"--optimizer {name}: start")
            else:
                kwargs[k] = _RUN_SPECS[k].validate(v, f"--optimizer {name}")
        if "label" in kwargs:
            kwargs["label"] = clean_label(kwargs["label"])
        run = RunConfig(name, hyper, schedule, **kwargs)
        run.validate()
    except ValueError as exc:
        raise CliError(f"--optimizer {name}: {exc}" if name not in str(exc) else str(exc)) from None
    return run


def config_from_args(args: argparse.Namespace) -> RaceConfig:
    """Build and validate the race the arguments describe; raises CliError."""
    if args.scenario:
        from engine.scenario import load_scenario

        try:
            config = load_scenario(args.scenario).race
        except (OSError, ValueError) as exc:
            raise CliError(f"--scenario: {exc}") from None
        if config is None:
            raise CliError(f"--scenario: {args.scenario} holds no landscape race")
    elif getattr(args, "formula", None) is not None:
        config = RaceConfig(
            landscape=landscapes.FORMULA_NAME,
            landscape_params=formula_params(args.formula, args.landscape_param),
            runs=tuple(parse_run(item) for item in args.optimizer) or RaceConfig().runs,
        )
    else:
        name = args.landscape.strip().lower()
        if name not in landscapes.LANDSCAPES:
            known = ", ".join(landscapes.LANDSCAPES)
            raise CliError(f"--landscape: unknown landscape {name!r} (known: {known})")
        try:
            lp = parse_assignments(args.landscape_param, owner="--landscape-param")
            lp = validate_params(landscapes.LANDSCAPES[name].params, lp, f"landscape {name}")
        except ValueError as exc:
            raise CliError(str(exc)) from None
        runs = tuple(parse_run(item) for item in args.optimizer) or RaceConfig().runs
        config = RaceConfig(landscape=name, landscape_params=lp, runs=runs)
    if args.start is not None:
        config = replace(
            config,
            start=_parse_point(args.start, "--start"),
            runs=tuple(replace(r, start=None) for r in config.runs),
        )
    config = replace(config, tol=args.tol)
    if not 0 <= args.steps <= limits.MAX_STEPS:
        raise CliError(
            f"--steps must be a whole number in [0, {limits.MAX_STEPS}]; got {args.steps}"
        )
    if not 1 <= args.every <= limits.MAX_STEPS:
        raise CliError(
            f"--every must be a whole number in [1, {limits.MAX_STEPS}]; got {args.every}"
        )
    if len(config.runs) > limits.MAX_RUNS:
        raise CliError(f"--optimizer: {len(config.runs)} runs; at most {limits.MAX_RUNS}")
    try:
        config.validate()
        check_race(config)
    except (ValueError, ResourceError) as exc:
        raise CliError(str(exc)) from None
    return config


def formula_params(expr: str, landscape_param: str) -> dict:
    """``landscape_params`` of a formula surface, the formula checked first; raises CliError."""
    try:
        lp = parse_assignments(landscape_param, owner="--landscape-param")
        return {"expr": expr, **landscapes.make_landscape("formula", expr=expr, **lp).params}
    except landscapes.FormulaError as exc:
        raise CliError(f"--formula: {exc}") from None
    except ValueError as exc:
        raise CliError(str(exc)) from None


CSV_HEADER = ("step", "run", "optimizer", "x", "y", "loss", "grad_norm", "status")


def build_race(config: RaceConfig) -> Race:
    """The race, or CliError if the engine refuses it (before any file is opened)."""
    try:
        return Race(config)
    except (ValueError, TypeError) as exc:
        raise CliError(str(exc)) from None


def run_race(config: RaceConfig | Race, steps: int, every: int, writer=None) -> Race:
    """Step the race, writing CSV rows every ``every`` steps (and the last step)."""
    race = config if isinstance(config, Race) else build_race(config)

    def emit() -> None:
        if writer is None:
            return
        snap = race.snapshot()
        gn = snap.grad_norms
        for i in range(snap.n_runs):
            x, y = snap.positions[i]
            writer.writerow(
                (
                    snap.step,
                    i + 1,
                    snap.labels[i],
                    repr(float(x)),
                    repr(float(y)),
                    repr(float(snap.losses[i])),
                    repr(float(gn[i])),
                    snap.status[i],
                )
            )

    emit()
    while race.step_count < steps and race.active.any():
        race.step(min(every, steps - race.step_count))
        emit()
    return race


def summary_table(race: Race) -> str:
    """Final loss, steps to tolerance, distance to the nearest known minimum, diverged at."""
    snap = race.snapshot()
    head = (
        "run",
        "optimizer",
        "final loss",
        "grad norm",
        "converged at",
        "to nearest min",
        "diverged at",
    )
    rows = [head]
    gn = snap.grad_norms
    for i in range(snap.n_runs):
        m, dist = landscapes.nearest_minimum(race.landscape, snap.positions[i])
        conv = snap.event_step[i] if snap.status[i] == "converged" else None
        div = snap.event_step[i] if snap.status[i] == "diverged" else None
        rows.append(
            (
                str(i + 1),
                snap.labels[i],
                f"{snap.losses[i]:.6g}",
                f"{gn[i]:.3g}",
                "-" if conv is None else str(conv),
                "-" if m is None else f"{dist:.4g}",
                "-" if div is None else str(div),
            )
        )
    widths = [max(len(r[c]) for r in rows) for c in range(len(head))]
    lines = ["  ".join(v.ljust(w) for v, w in zip(r, widths, strict=True)).rstrip() for r in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def join_negative_values(argv: Sequence[str], options: Sequence[str]) -> list[str]:
    """Write ``--start -1.5,2`` as ``--start=-1.5,2`` so argparse does not take the value
    for an option (its negative-number rule does not cover pairs)."""
    out: list[str] = []
    it = iter(argv)
    for a in it:
        if a in options:
            nxt = next(it, None)
            out.append(a if nxt is None else f"{a}={nxt}")
        else:
            out.append(a)
    return out


def main(argv: Sequence[str]) -> int:
    """Run a headless race; 0 on success, 2 on a bad argument or an unwritable ``--out``
    (one line on stderr; no file is left behind)."""
    try:
        argv = join_negative_values(argv, ("--start",))
        args = build_parser().parse_args(argv)
        config = config_from_args(args)
        race = build_race(config)
        if args.out:

            def fill(fh) -> None:
                w = csv.writer(fh)
                w.writerow(CSV_HEADER)
                run_race(race, args.steps, args.every, w)

            open_csv(args.out, fill)
        else:
            run_race(race, args.steps, args.every)
    except CliError as exc:
        return error(exc)
    except SaveError as exc:
        return error(f"--out: {exc}")
    # With the CSV on standard output, the summary goes to stderr to keep the CSV clean.
    to_err = args.out == "-"
    title = race.landscape.title
    say(f"{title}: {race.step_count} steps, {len(config.runs)} runs", err=to_err)
    say(summary_table(race), err=to_err)
    if args.out and not to_err:
        say(f"wrote {args.out}")
    return 0


def describe() -> str:
    """Landscapes, optimizers and schedules with their parameters and defaults."""
    out = ["LANDSCAPES (--landscape NAME --landscape-param k=v,...)"]
    for spec in landscapes.LANDSCAPES.values():
        out.append(f"  {spec.name:<18} {spec.title}")
        out.extend(f"      {p.describe()}" for p in spec.params)
    out.append("")
    out.append("OPTIMIZERS (--optimizer NAME:k=v,...; PyTorch names and defaults)")
    for spec in optimizers.OPTIMIZERS.values():
        out.append(f"  {spec.name:<18} {spec.title}")
        out.extend(f"      {p.describe()}" for p in spec.params)
    out.append("")
    out.append("SCHEDULES (in an optimizer item: schedule=NAME plus its parameters)")
    for spec in schedules.SCHEDULES.values():
        out.append(f"  {spec.name:<18} {spec.title}")
        out.extend(f"      {p.describe()}" for p in spec.params)
    out.append("  any schedule: warmup_steps=0, warmup_start_factor=0.1 (linear warm-up first)")
    out.append("")
    out.append("RUN SETTINGS (in an optimizer item)")
    out.append("  clip_value, clip_norm (off by default), noise_std=0, batch_size=0 (full),")
    out.append("  seed=0, label, start=x/y")
    return "\n".join(out)
