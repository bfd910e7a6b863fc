"""``main.py --headless --task NAME ...``: train networks side by side without a window.

One base configuration comes from the options; ``--compare`` adds columns that differ from
it in a few settings and ``--vary`` expands every column over a list of values, so a run
compares configurations that share data, batches and seeds and differ only in what was
asked. Every argument is validated before a step is taken; the CSV is written to a
temporary file that replaces the target only when complete.
"""

from __future__ import annotations

import argparse
import csv
import itertools
import math
import textwrap
from collections.abc import Callable, Sequence
from typing import Any

from engine import datasets, limits, optimizers, schedules
from engine.cli.common import SaveError, clean_label, error, open_csv, say
from engine.guards import ResourceError, check_comparison
from engine.nn.activations import ACTIVATIONS
from engine.nn.initializers import INITIALIZERS
from engine.nn.mlp import BATCHNORM_PLACEMENTS, MLPConfig
from engine.nn.muon import MUON_SPEC
from engine.nn.training import Comparison, NetSnapshot, TrainConfig
from engine.params import parse_assignments

MAX_COLUMNS = limits.MAX_HEADLESS_COLUMNS

# keys accepted by --compare and --vary, mapped to the option they override
KEYS = (
    "layers",
    "activation",
    "init",
    "bias-init",
    "batchnorm",
    "optimizer",
    "schedule",
    "clip-norm",
    "batch-size",
    "seed",
    "label",
)

CSV_HEADER = (
    "label",
    "step",
    "status",
    "diverged_at",
    "train_loss",
    "val_loss",
    "train_acc",
    "val_acc",
    "lr",
    "grad_norm",
    "layer",
    "width",
    "act_mean",
    "act_var",
    "pre_mean",
    "pre_var",
    "dead_fraction",
    "saturated_fraction",
    "grad_act_var",
    "grad_pre_var",
    "grad_w_var",
    "weight_norm",
    "update_ratio",
    "theory_var",
    "theory_act_var",
)
_LAYER_FIELDS = CSV_HEADER[12:]


class CliError(ValueError):
    """A bad command-line argument; the message names it."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # argparse would sys.exit(2) from deep inside
        raise CliError(message)


_EPILOG = """\
items:   NAME[:key=value,...], e.g. --init normal:std=0.01, --activation leaky_relu:
         negative_slope=0.1, --optimizer sgd:lr=0.1,momentum=0.9. An --optimizer item may
         also carry schedule=NAME, the schedule's parameters, warmup_steps and clip_norm.
         An init gain may be a number, a nonlinearity (gain=tanh) or auto (the activation's
         PyTorch gain).
layers:  8x64 (eight layers of 64), 64,32,16, 4x64,16, or none (a linear model).
compare: --compare "KEY=VALUE [KEY=VALUE ...]" adds a column: the base configuration with
         those changes (separate changes with spaces or ';'). Repeat for more columns.
%(keys)s
vary:    --vary KEY=V1,V2,... turns every column into one column per value (a comma
         followed by key=value without ':' continues the previous item's parameters, so
         --vary init=normal:std=1,xavier_normal works; '|' may separate values instead).
         Several --vary options combine as a grid.
output:  a summary on stdout; with --out a CSV with one row per (snapshot, column, layer):
%(header)s
         Statistics are described by `main.py --list`.
example: main.py --headless --task spirals --layers 8x64 --activation tanh
         --init xavier_normal --vary init=normal:std=1,xavier_normal --steps 2000
         --out net.csv"""


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (errors raise :class:`CliError` instead of exiting)."""
    p = _Parser(
        prog="main.py --headless",
        description="Train networks side by side on toy data without opening a window.",
        epilog=_EPILOG
        % {
            "keys": textwrap.fill(
                ", ".join(KEYS) + ".",
                88,
                initial_indent=" " * 9 + "KEY is one of: ",
                subsequent_indent=" " * 9,
                break_on_hyphens=False,
            ),
            "header": textwrap.fill(
                ", ".join(CSV_HEADER) + ".", 88, initial_indent=" " * 9, subsequent_indent=" " * 9
            ),
        },
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--headless", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--list", action="store_true", help="describe every choice and exit")
    d = p.add_argument_group("data")
    d.add_argument(
        "--task",
        default="spirals",
        metavar="NAME[:k=v,...]",
        help=f"data set: {', '.join(datasets.TASKS)} (default spirals)",
    )
    d.add_argument("--n", type=int, default=600, help="points in total (default 600)")
    d.add_argument("--noise", type=float, default=0.1, help="noise std (default 0.1)")
    d.add_argument(
        "--val-fraction",
        type=float,
        default=0.2,
        help="share held out for validation (default 0.2)",
    )
    d.add_argument("--data-seed", type=int, default=0, help="seed of data and batches")
    n = p.add_argument_group("network")
    n.add_argument("--layers", default="4x64", help="hidden layers (default 4x64)")
    n.add_argument(
        "--activation",
        default="relu",
        metavar="NAME[:k=v]",
        help=f"{', '.join(ACTIVATIONS)} (default relu)",
    )
    n.add_argument(
        "--init",
        default="he_normal",
        metavar="NAME[:k=v,...]",
        help="weight initializer (default he_normal; see --list)",
    )
    n.add_argument("--bias-init", type=float, default=0.0, help="bias constant (default 0)")
    n.add_argument(
        "--batchnorm",
        default="off",
        choices=BATCHNORM_PLACEMENTS,
        help="batch norm before or after the activation (default off)",
    )
    t = p.add_argument_group("training")
    t.add_argument(
        "--optimizer",
        default="adam:lr=1e-3",
        metavar="NAME[:k=v,...]",
        help="optimizer and hyperparameters (default adam:lr=1e-3)",
    )
    t.add_argument(
        "--schedule",
        default=None,
        metavar="NAME[:k=v,...]",
        help="learning-rate schedule (default constant)",
    )
    t.add_argument("--clip-norm", type=float, default=None, help="clip the gradient norm")
    t.add_argument("--batch-size", type=int, default=64, help="mini-batch size (default 64)")
    t.add_argument(
        "--steps",
        type=int,
        default=1000,
        help=f"updates (default 1000, at most {limits.MAX_STEPS:,})",
    )
    t.add_argument("--seed", type=int, default=0, help="seed of the initial weights")
    t.add_argument("--label", default=None, help="name of the base column")
    c = p.add_argument_group("comparison")
    c.add_argument(
        "--compare",
        action="append",
        default=[],
        metavar="'KEY=V ...'",
        help="add a column differing from the base (repeatable)",
    )
    c.add_argument(
        "--vary",
        action="append",
        default=[],
        metavar="KEY=V1,V2,...",
        help="one column per value (repeatable: a grid)",
    )
    o = p.add_argument_group("output")
    o.add_argument(
        "--every",
        type=int,
        default=None,
        help="snapshot (CSV rows) every N steps (default steps/100, at least 1)",
    )
    o.add_argument(
        "--out",
        default=None,
        metavar="FILE.csv",
        help="write the statistics CSV ('-': standard output, the summary then goes to stderr)",
    )
    return p


# ------------------------------------------------------------------------------- parsing


def _item(text: str, what: str) -> tuple[str, dict[str, str]]:
    """``"name:k=v,..."`` -> ``(name, {k: v})``."""
    name, _, rest = str(text).strip().partition(":")
    name = name.strip()
    if not name:
        raise CliError(f"{what}: empty name in {text!r}")
    try:
        return name, parse_assignments(rest, what)
    except ValueError as exc:
        raise CliError(str(exc)) from None


def parse_layers(text: str) -> tuple[int, ...]:
    """``"8x64"`` -> (64,)*8, ``"64,32"`` -> (64, 32), ``"none"`` -> ()."""
    text = str(text).strip().lower()
    if text in ("none", "0", ""):
        return ()
    out: list[int] = []
    try:
        for part in text.split(","):
            part = part.strip()
            if "x" in part:
                k, w = part.split("x")
                k = int(k)
                if k < 0:
                    raise ValueError
                if len(out) + k > limits.MAX_DEPTH:  # before making the list
                    raise CliError(
                        f"argument --layers: at most {limits.MAX_DEPTH} hidden layers; "
                        f"got {len(out) + k:,}"
                    )
                out += [int(w)] * k
            else:
                out.append(int(part))
    except CliError:
        raise
    except ValueError:
        raise CliError(f"argument --layers: expected e.g. 8x64 or 64,32,16; got {text!r}") from None
    if len(out) > limits.MAX_DEPTH:
        raise CliError(
            f"argument --layers: at most {limits.MAX_DEPTH} hidden layers; got {len(out)}"
        )
    return tuple(out)


def _split_values(text: str) -> list[str]:
    """Values of a --vary list; ``k=v`` without ``:`` continues the previous item."""
    if "|" in text:
        return [v.strip() for v in text.split("|") if v.strip()]
    vals: list[str] = []
    for tok in text.split(","):
        tok = tok.strip()
        if not tok:
            continue
        if vals and "=" in tok and ":" not in tok and ":" in vals[-1]:
            vals[-1] += "," + tok
        else:
            vals.append(tok)
    return vals


def _norm_key(key: str, what: str) -> str:
    k = key.strip().lower().replace("_", "-")
    if k not in KEYS:
        raise CliError(f"{what}: unknown key {key!r} (accepted: {', '.join(KEYS)})")
    return k


def _apply(settings: dict[str, Any], key: str, value: str) -> dict[str, Any]:
    out = dict(settings)
    out[key] = value
    return out


def _num(value: Any, kind: Callable, what: str) -> Any:
    if value is None or isinstance(value, (int, float)):
        return value
    if str(value).strip().lower() in ("none", "off", ""):
        return None
    try:
        return kind(value)
    except ValueError:
        raise CliError(f"{what}: expected a number; got {value!r}") from None


def column_config(s: dict[str, Any], label: str, where: str) -> TrainConfig:
    """Build and validate one column from its settings (option-name keys)."""

    def fail(opt: str, exc: Exception) -> CliError:
        return CliError(f"{where}argument --{opt}: {exc}")

    layers = s["layers"]
    if isinstance(layers, str):
        try:
            layers = parse_layers(layers)
        except CliError as exc:
            raise CliError(f"{where}{exc}") from None
    act, act_p = _item(s["activation"], f"{where}argument --activation")
    init, init_p = _item(s["init"], f"{where}argument --init")
    bias = _num(s["bias-init"], float, f"{where}argument --bias-init")
    mlp_kw = {
        "hidden": layers,
        "activation": act,
        "activation_params": act_p,
        "init": init,
        "init_params": init_p,
        "bias_init": bias,
        "batchnorm": s["batchnorm"],
    }
    try:
        mlp = MLPConfig(**mlp_kw)
    except ValueError as exc:
        msg = str(exc)
        opt = (
            "activation"
            if msg.startswith("activation")
            else "init"
            if msg.startswith("init")
            else "batchnorm"
            if "batchnorm" in msg
            else "bias-init"
            if "bias_init" in msg
            else "layers"
        )
        raise fail(opt, exc) from None

    opt_name, opt_items = _item(s["optimizer"], f"{where}argument --optimizer")
    key = opt_name.strip().lower()
    if key not in optimizers.OPTIMIZERS:
        raise fail(
            "optimizer",
            ValueError(
                f"unknown optimizer {opt_name!r} (known: {', '.join(optimizers.OPTIMIZERS)})"
            ),
        )
    hyper_names = {p.name for p in optimizers.OPTIMIZERS[key].params}
    hyper = {k: v for k, v in opt_items.items() if k in hyper_names}
    extra = {k: v for k, v in opt_items.items() if k not in hyper_names}
    sched_name, sched_p = "constant", {}
    if s["schedule"]:
        sched_name, sched_p = _item(s["schedule"], f"{where}argument --schedule")
    clip = _num(s["clip-norm"], float, f"{where}argument --clip-norm")
    if "clip_norm" in extra:
        clip = _num(extra.pop("clip_norm"), float, f"{where}argument --optimizer clip_norm")
    if "schedule" in extra:
        sched_name = extra.pop("schedule")
    sched_p = {**sched_p, **extra}
    try:
        batch = int(_num(s["batch-size"], int, f"{where}argument --batch-size"))
        seed = int(_num(s["seed"], int, f"{where}argument --seed"))
    except TypeError:
        raise CliError(f"{where}argument --batch-size/--seed: a whole number is needed") from None
    try:
        schedules.make_schedule(sched_name, **sched_p)
    except ValueError as exc:
        opt = "optimizer" if extra else "schedule"
        raise fail(opt, exc) from None
    try:
        return TrainConfig(
            label=label,
            mlp=mlp,
            optimizer=key,
            hyper=hyper,
            schedule=sched_name,
            schedule_params=sched_p,
            clip_norm=clip,
            batch_size=batch,
            seed=seed,
        )
    except ValueError as exc:
        msg = str(exc)
        opt = (
            "batch-size"
            if "batch_size" in msg
            else "seed"
            if "seed" in msg
            else "clip-norm"
            if "clip_norm" in msg
            else "optimizer"
        )
        raise fail(opt, exc) from None


def columns_from_args(args: argparse.Namespace) -> list[TrainConfig]:
    """Every column the arguments ask for (validated)."""
    base = {
        "layers": args.layers,
        "activation": args.activation,
        "init": args.init,
        "bias-init": args.bias_init,
        "batchnorm": args.batchnorm,
        "optimizer": args.optimizer,
        "schedule": args.schedule,
        "clip-norm": args.clip_norm,
        "batch-size": args.batch_size,
        "seed": args.seed,
        "label": args.label,
    }
    rows: list[tuple[dict[str, Any], list[str], str]] = [(base, [], "")]
    for text in args.compare:
        what = f"argument --compare {text!r}"
        s, parts = dict(base), []
        tokens = [t for t in text.replace(";", " ").split() if t]
        if not tokens:
            raise CliError(f"{what}: expected KEY=VALUE changes")
        for tok in tokens:
            if "=" not in tok:
                raise CliError(f"{what}: expected KEY=VALUE; got {tok!r}")
            k, v = tok.split("=", 1)
            k = _norm_key(k, what)
            s[k] = v
            if k != "label":
                parts.append(f"{k}={v}")
        if "label" not in {_norm_key(t.split("=", 1)[0], what) for t in tokens}:
            s["label"] = None
        rows.append((s, parts, f"{what}: "))
    grids: list[tuple[str, list[str]]] = []
    for text in args.vary:
        what = f"argument --vary {text!r}"
        if "=" not in text:
            raise CliError(f"{what}: expected KEY=V1,V2,...")
        k, v = text.split("=", 1)
        k = _norm_key(k, what)
        vals = _split_values(v)
        if not vals:
            raise CliError(f"{what}: no values")
        grids.append((k, vals))
    n_cols = len(rows) * math.prod(len(v) for _, v in grids)
    if n_cols > MAX_COLUMNS:
        raise CliError(f"argument --compare/--vary: {n_cols} columns; at most {MAX_COLUMNS}")
    out: list[TrainConfig] = []
    labels: dict[str, int] = {}
    for s, parts, where in rows:
        for combo in itertools.product(*[[(k, v) for v in vals] for k, vals in grids]):
            s2, parts2 = dict(s), list(parts)
            for k, v in combo:
                s2[k] = v
                if k != "label":
                    parts2.append(f"{k}={v}")
            if s2["label"]:
                label = " ".join([s2["label"], *(f"{k}={v}" for k, v in combo if k != "label")])
            else:
                label = " ".join(parts2) or "base"
            label = clean_label(label)
            if label in labels:
                labels[label] += 1
                label = f"{label} #{labels[label]}"
            else:
                labels[label] = 1
            w = where or (f"argument --vary {' '.join(parts2)!r}: " if combo else "")
            out.append(column_config(s2, label, w))
    return out


def task_from_args(args: argparse.Namespace) -> datasets.TaskConfig:
    name, params = _item(args.task, "argument --task")
    for opt, val in (
        ("n", args.n),
        ("noise", args.noise),
        ("val-fraction", args.val_fraction),
        ("data-seed", args.data_seed),
    ):
        if val is None or (isinstance(val, float) and not math.isfinite(val)):
            raise CliError(f"argument --{opt}: must be finite; got {val!r}")
    try:
        return datasets.TaskConfig(
            name=name,
            n=args.n,
            noise=args.noise,
            val_fraction=args.val_fraction,
            seed=args.data_seed,
            params=params,
        )
    except ValueError as exc:
        msg = str(exc)
        opt = next(
            (
                o
                for o, k in (
                    ("n", "task: n "),
                    ("noise", "noise"),
                    ("val-fraction", "val_fraction"),
                    ("data-seed", "seed"),
                )
                if k in msg
            ),
            "task",
        )
        raise CliError(f"argument --{opt}: {exc}") from None


# ------------------------------------------------------------------------------- running


def _fmt(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, float):
        return repr(v)  # shortest string that reads back to the same double
    return str(v)


def csv_rows(snap: NetSnapshot) -> list[list[str]]:
    """Rows of the CSV for one snapshot (one per column and layer)."""
    rows = []
    for c in snap.columns:
        head = [
            c.label,
            c.step,
            c.status,
            c.diverged_at,
            c.train_loss,
            c.val_loss,
            c.train_acc,
            c.val_acc,
            c.lr,
            c.grad_norm,
        ]
        for layer in c.layers:
            vals = [layer.name, layer.width] + [getattr(layer, f) for f in _LAYER_FIELDS]
            rows.append([_fmt(v) for v in head + vals])
    return rows


def run(
    task: datasets.TaskConfig,
    columns: Sequence[TrainConfig],
    steps: int,
    every: int,
    writer: Any = None,
) -> tuple[NetSnapshot, NetSnapshot]:
    """Train; write CSV rows every ``every`` steps; return the first and last snapshot."""
    comp = Comparison(task, columns)
    first = last = comp.snapshot(boundary=False)
    if writer is not None:
        writer.writerows(csv_rows(first))
    done = 0
    while done < steps:
        k = min(every, steps - done)
        comp.step(k)
        done += k
        last = comp.snapshot(boundary=False)
        if writer is not None:
            writer.writerows(csv_rows(last))
    return first, last


def _g(v: float) -> str:
    return "nan" if v is None or (isinstance(v, float) and math.isnan(v)) else f"{v:.4g}"


def summary(task: datasets.TaskConfig, first: NetSnapshot, last: NetSnapshot) -> str:
    """Final losses and accuracies, and per-layer activation variance at step 0 and at the end."""
    lines = []
    w = max(12, *(len(c.label) for c in last.columns)) + 2
    lines.append(
        f"{'column':<{w}}{'status':<20}{'step':>7}{'train loss':>12}{'val loss':>12}"
        f"{'train acc':>11}{'val acc':>9}"
    )
    for c in last.columns:
        st = c.status if c.diverged_at is None else f"diverged at {c.diverged_at}"
        lines.append(
            f"{c.label:<{w}}{st:<20}{c.step:>7}{_g(c.train_loss):>12}"
            f"{_g(c.val_loss):>12}{_g(c.train_acc):>11}{_g(c.val_acc):>9}"
        )
    lines.append("")
    lines.append("activation variance per layer, step 0 -> end")
    for c0, c1 in zip(first.columns, last.columns, strict=True):
        cells = [
            f"{a.name} {_g(a.act_var)} -> {_g(b.act_var)}"
            for a, b in zip(c0.layers, c1.layers, strict=True)
        ]
        lines.append(f"  {c1.label}:")
        for i in range(0, len(cells), 3):
            lines.append("    " + "   ".join(cells[i : i + 3]))
    return "\n".join(lines)


def main(argv: Sequence[str]) -> int:
    """Run the network CLI; 0 on success, 2 on a bad argument (message on stderr)."""
    try:
        try:
            args = build_parser().parse_args(list(argv))
        except SystemExit as exc:  # --help
            return int(exc.code or 0)
        if args.list:
            print(describe())
            return 0
        task = task_from_args(args)
        columns = columns_from_args(args)
        if args.steps is None or not 0 <= args.steps <= limits.MAX_STEPS:
            raise CliError(
                f"argument --steps: must be a whole number in [0, {limits.MAX_STEPS}]; "
                f"got {args.steps}"
            )
        every = args.every if args.every is not None else max(1, args.steps // 100)
        if not 1 <= every <= limits.MAX_STEPS:
            raise CliError(f"argument --every: must be in [1, {limits.MAX_STEPS}]; got {every}")
        try:
            # Estimated from the shapes before anything is allocated: 8x4096 layers or
            # 100,000-point batches are refused here, not after filling the memory.
            check_comparison(task, columns)
            Comparison(task, columns[:1], grid_size=2, stats_size=2)
        except (ValueError, ResourceError) as exc:
            raise CliError(str(exc)) from None
    except CliError as exc:
        return error(exc)
    holder: dict[str, Any] = {}
    if args.out:

        def fill(fh: Any) -> None:
            wr = csv.writer(fh)
            wr.writerow(CSV_HEADER)
            holder["snaps"] = run(task, columns, args.steps, every, wr)

        try:
            open_csv(args.out, fill)
        except SaveError as exc:
            return error(f"argument --out: {exc}")
        first, last = holder["snaps"]
    else:
        first, last = run(task, columns, args.steps, every)
    to_err = args.out == "-"  # keep a CSV on standard output clean
    data = datasets.make_dataset(task)
    say(
        f"task {task.name}: {data.x_train.shape[0]} training / {data.x_val.shape[0]} "
        f"validation points; {len(columns)} column(s), {args.steps} steps",
        err=to_err,
    )
    say(summary(task, first, last), err=to_err)
    if args.out and not to_err:
        say(f"wrote {args.out}")
    return 0


def _params_line(params: Sequence[Any]) -> list[str]:
    return [f"      {p.describe()}" for p in params]


def describe() -> str:
    """Tasks, activations, initializers (with parameters) and what the statistics mean."""
    out = ["TASKS (--task NAME[:k=v,...]; --n, --noise, --val-fraction, --data-seed)"]
    for spec in datasets.TASKS.values():
        out.append(f"  {spec.name:<18} {spec.help} [{spec.kind}]")
        out += _params_line(spec.params)
    out += ["", "ACTIVATIONS (--activation NAME[:k=v])"]
    for a in ACTIVATIONS.values():
        out.append(f"  {a.name:<18} {a.help}")
        out += _params_line(a.params)
    out += ["", "INITIALIZERS (--init NAME[:k=v,...]; weights are (fan_in, fan_out))"]
    for i in INITIALIZERS.values():
        out.append(f"  {i.name:<18} {i.help}")
        out += _params_line(i.params)
    out += [
        "  gain may be a number, a nonlinearity name (calculate_gain: linear 1, sigmoid 1,",
        "  tanh 5/3, relu sqrt 2, leaky_relu sqrt(2/(1+slope^2)), selu 3/4) or auto (the",
        "  network's activation; elu and gelu use sqrt 2). Biases: --bias-init constant.",
        "",
        "BATCH NORM (--batchnorm off|before|after): PyTorch's BatchNorm1d, momentum 0.1,",
        "  eps 1e-5, unbiased running variance; evaluation uses the running statistics.",
        "",
        *textwrap.wrap(
            "OPTIMIZERS: "
            + ", ".join(optimizers.OPTIMIZERS)
            + " (their parameters: the OPTIMIZERS list of main.py --list)",
            88,
            subsequent_indent="  ",
        ),
        "SCHEDULES: " + ", ".join(schedules.SCHEDULES),
        "",
        f"NETWORK LAB ONLY (the GUI's network lab, not --optimizer): {MUON_SPEC.name}, "
        + MUON_SPEC.title,
        *(f"      {p.describe()}" for p in MUON_SPEC.params),
        "",
        "STATISTICS (per layer, on a fixed batch of up to 256 training points, training mode):",
        "  pre = input of the activation, act = its output; mean/variance over all entries;",
        "  dead_fraction = ReLU units <= 0 on every point; saturated_fraction = tanh",
        "  |a| > 0.99 or sigmoid outside [0.01, 0.99]; grad_*_var = variance of per-example",
        "  gradients; update_ratio = |W_t - W_t-1| / |W_t-1|; theory_var = mean-field",
        "  prediction at init: fan_in * Var(W) * E[x^2] per layer, E[phi(z)^2] under a Gaussian.",
        "  Losses and accuracies: full training and validation sets, evaluation mode.",
    ]
    return "\n".join(out)
