"""Ready-made network comparisons, "vary one thing" builders and short column descriptions.

Qt-free: the network lab, its editor and the tests share these. A column's *description* is
the list of its settings in a fixed order (network, activation, init, bias, batch norm,
optimizer, learning rate, schedule, batch size, clipping, seed); a column's *headline* keeps
only the settings in which the columns of a comparison differ, so each column is headed by
what makes it different.

The two lessons were tuned with the real engine (see ``tests/gui/test_network_lab.py``):

* initialisation: a 10-layer tanh net of width 32 on two spirals, SGD with momentum
  (lr 0.05), four initializers. N(0, 0.01^2) makes the activations vanish layer by layer
  (and the gradients with them): the loss stays at ln 2. N(0, 1) saturates the units from
  the third layer on; the gradients explode towards the input and the net does not learn.
  Xavier and He keep the variances level and reach ~99 % training accuracy within ~1000
  steps.
* batch norm: the same Xavier tanh net trained with plain SGD at lr 1.0: without batch norm
  the loss jumps around at chance accuracy; with batch norm before the activation it
  trains.
"""

from __future__ import annotations

import dataclasses
import functools
import math
from collections.abc import Sequence

from engine.datasets import TASKS, TaskConfig
from engine.nn.initializers import INITIALIZERS
from engine.nn.mlp import MLPConfig
from engine.nn.muon import NET_OPTIMIZERS as OPTIMIZERS
from engine.nn.training import TrainConfig
from engine.schedules import SCHEDULES

MAX_COLUMNS = 6

# Initializers of the initialisation lesson (also "vary the initializer").
INIT_VARIANTS: tuple[tuple[str, dict], ...] = (
    ("normal", {"std": 0.01}),
    ("normal", {"std": 1.0}),
    ("xavier_normal", {}),
    ("he_normal", {}),
)
BATCHNORM_VARIANTS = ("off", "before", "after")
LR_FACTORS = (0.1, 1.0, 10.0, 100.0)


#: The network lab's built-in comparisons: key -> (short title, shipped lesson file). The
#: files in resources/scenarios are the one source of these set-ups; the lab's lesson chooser
#: and the session's default read them through :func:`network_lesson`.
LESSON_FILES = {
    "init": ("Initialization", "11_init_lesson.json"),
    "batchnorm": ("Batch norm", "12_batchnorm_lesson.json"),
}


@functools.cache
def network_lesson(key: str) -> tuple[TaskConfig, tuple[TrainConfig, ...]]:
    """The task and columns of built-in lesson ``key`` (:data:`LESSON_FILES`), read from
    its shipped file (once: the configs are frozen).

    Raises
    ------
    ValueError
        Unknown key, or the shipped file is missing, unreadable or has no network section.
    """
    from engine.scenario import builtin_dir, load_scenario  # the scenario module reads nn

    if key not in LESSON_FILES:
        raise ValueError(f"no built-in network lesson {key!r}; choose {', '.join(LESSON_FILES)}")
    try:
        scenario = load_scenario(builtin_dir() / LESSON_FILES[key][1])
    except OSError as exc:
        raise ValueError(f"built-in lesson {LESSON_FILES[key][1]} unreadable: {exc}") from None
    if scenario.network is None:
        raise ValueError(f"built-in lesson {LESSON_FILES[key][1]} has no network section")
    return scenario.network.task, scenario.network.columns


def init_lesson() -> tuple[TaskConfig, tuple[TrainConfig, ...]]:
    """Four initializers of one 10-layer tanh net on spirals (the lab's first picture)."""
    return network_lesson("init")


def batchnorm_lesson() -> tuple[TaskConfig, tuple[TrainConfig, ...]]:
    """The Xavier tanh net at a learning rate only its batch-normalised twin survives."""
    return network_lesson("batchnorm")


#: key -> (title, function giving the task and columns), for the lab's lesson chooser.
LESSONS = {
    "init": (LESSON_FILES["init"][0], init_lesson),
    "batchnorm": (LESSON_FILES["batchnorm"][0], batchnorm_lesson),
}


# ------------------------------------------------------------------------ vary one thing


def _automatic_labels(cols: list[TrainConfig]) -> tuple[TrainConfig, ...]:
    # An empty label makes the header say what differs (see headlines).
    return tuple(dataclasses.replace(c, label="") for c in cols)


def vary_init(base: TrainConfig) -> tuple[TrainConfig, ...]:
    """``base`` with each initializer of the initialisation lesson."""
    return _automatic_labels(
        [
            dataclasses.replace(
                base, mlp=dataclasses.replace(base.mlp, init=name, init_params=dict(params))
            )
            for name, params in INIT_VARIANTS
        ]
    )


def vary_batchnorm(base: TrainConfig) -> tuple[TrainConfig, ...]:
    """``base`` without batch norm, with it before and with it after the activation."""
    bs = max(base.batch_size, 2)
    return _automatic_labels(
        [
            dataclasses.replace(
                base, mlp=dataclasses.replace(base.mlp, batchnorm=bn), batch_size=bs
            )
            for bn in BATCHNORM_VARIANTS
        ]
    )


def vary_lr(base: TrainConfig) -> tuple[TrainConfig, ...]:
    """``base`` at a tenth, once, ten and a hundred times its learning rate."""
    lr = float(dict(base.hyper).get("lr", OPTIMIZERS[base.optimizer].params[0].default))
    out = []
    for f in LR_FACTORS:
        new = float(f"{lr * f:.3g}")
        out.append(dataclasses.replace(base, hyper={**dict(base.hyper), "lr": new}))
    return _automatic_labels(out)


VARIATIONS = {
    "init": ("the initializer", vary_init),
    "batchnorm": ("batch norm", vary_batchnorm),
    "lr": ("the learning rate", vary_lr),
}


# ------------------------------------------------------------------------ descriptions


def _g(v: float) -> str:
    return f"{v:g}"


def init_text(mlp: MLPConfig) -> str:
    """``N(0, 0.01²)``, ``Xavier normal``, ``He normal ×1.5`` ..."""
    name = mlp.init
    p = dict(mlp.init_params)
    if name == "normal":
        std = float(p.get("std", 1.0))
        return f"N(0, {_g(std)}²)"
    if name == "uniform":
        return f"U(±{_g(float(p.get('a', 1.0)))})"
    if name == "constant":
        return f"all {_g(float(p.get('value', 0.1)))}"
    if name == "zeros":
        return "all zero"
    titles = {
        "xavier_uniform": "Xavier uniform",
        "xavier_normal": "Xavier",
        "he_uniform": "He uniform",
        "he_normal": "He",
        "lecun_normal": "LeCun",
        "orthogonal": "orthogonal",
    }
    text = titles.get(name, name)
    spec = INITIALIZERS[name]
    defaults = {s.name: s.default for s in spec.params}
    extra = []
    gain = p.get("gain")
    if gain is not None and not (
        isinstance(gain, int | float) and math.isclose(gain, defaults.get("gain", 1.0))
    ):
        extra.append(f"gain {gain:g}" if isinstance(gain, int | float) else f"gain {gain}")
    if p.get("mode", "fan_in") != "fan_in":
        extra.append(str(p["mode"]).replace("_", "-"))
    return f"{text} ({', '.join(extra)})" if extra else text


def activation_text(mlp: MLPConfig) -> str:
    names = {
        "relu": "ReLU",
        "leaky_relu": "leaky ReLU",
        "elu": "ELU",
        "gelu": "GELU",
        "gelu_tanh": "GELU (tanh)",
    }
    text = names.get(mlp.activation, mlp.activation)
    p = dict(mlp.activation_params)
    if p:
        text += " " + ", ".join(f"{k.replace('_', ' ')} {_g(float(v))}" for k, v in p.items())
    return text


def batchnorm_text(mlp: MLPConfig) -> str:
    return {"off": "no BN", "before": "BN before act", "after": "BN after act"}[mlp.batchnorm]


def layers_text(mlp: MLPConfig) -> str:
    h = mlp.hidden
    if not h:
        return "linear model"
    if len(set(h)) == 1:
        return f"{len(h)}×{h[0]}"
    return "-".join(str(w) for w in h)


def lr_of(col: TrainConfig) -> float:
    spec = OPTIMIZERS[col.optimizer]
    default = next((p.default for p in spec.params if p.name == "lr"), math.nan)
    return float(dict(col.hyper).get("lr", default))


def aspects(col: TrainConfig) -> list[tuple[str, str]]:
    """``(key, text)`` of every setting a headline may mention, in a fixed order."""
    mlp = col.mlp
    out = [
        ("layers", layers_text(mlp)),
        ("activation", activation_text(mlp)),
        ("init", init_text(mlp)),
        ("bias", f"bias {_g(mlp.bias_init)}"),
        ("batchnorm", batchnorm_text(mlp)),
        ("optimizer", OPTIMIZERS[col.optimizer].title),
        ("lr", f"lr {_g(lr_of(col))}"),
    ]
    other = {k: v for k, v in dict(col.hyper).items() if k != "lr"}
    defaults = {p.name: p.default for p in OPTIMIZERS[col.optimizer].params}
    hyper_bits = [
        f"{k} {'/'.join(_g(x) for x in v) if isinstance(v, tuple | list) else v}"
        for k, v in sorted(other.items())
        if defaults.get(k) != v
    ]
    out.append(("hyper", ", ".join(hyper_bits)))
    sched = SCHEDULES[col.schedule].title.lower() if col.schedule != "constant" else ""
    out.append(("schedule", f"{sched} schedule" if sched else ""))
    out.append(("batch", f"batch {col.batch_size}"))
    out.append(("clip", f"clip {_g(col.clip_norm)}" if col.clip_norm is not None else ""))
    out.append(("seed", f"seed {col.seed}"))
    return out


# Shown in a column's summary line even when every column shares them.
SUMMARY_KEYS = ("layers", "activation", "init", "batchnorm", "optimizer", "lr")


def headlines(columns: Sequence[TrainConfig]) -> list[str]:
    """For each column, what sets it apart from the others (its label, if it has one).

    A single column, or columns that are all alike, get their main settings instead.
    """
    described = [dict(aspects(c)) for c in columns]
    keys = [k for k, _ in aspects(columns[0])] if columns else []
    differing = [k for k in keys if len({d[k] for d in described}) > 1]
    out = []
    for col, d in zip(columns, described, strict=True):
        if col.label:
            out.append(col.label)
            continue
        if differing:
            parts = [d[k] for k in differing if d[k]]
            if not parts:  # the setting differs by being absent here (no schedule ...)
                parts = [f"no {differing[0]}"]
        else:
            parts = [d[k] for k in SUMMARY_KEYS if d[k]]
        out.append(", ".join(parts))
    return out


def shared_text(columns: Sequence[TrainConfig]) -> str:
    """What every column has in common (for the lab's subtitle)."""
    if not columns:
        return ""
    described = [dict(aspects(c)) for c in columns]
    parts = []
    for k, v in aspects(columns[0]):
        if (
            v
            and k in (*SUMMARY_KEYS, "batch", "schedule", "hyper")
            and all(d[k] == v for d in described)
        ):
            parts.append(v)
    return ", ".join(parts)


def task_text(task: TaskConfig) -> str:
    spec = TASKS[task.name]
    n_val = round(task.n * task.val_fraction)
    bits = [f"{task.name}", f"{task.n - n_val} train / {n_val} val points"]
    if task.noise:
        bits.append(f"noise {_g(task.noise)}")
    for p in spec.params:
        v = dict(task.params).get(p.name, p.default)
        if v != p.default:
            bits.append(f"{p.display.lower()} {v}")
    return ", ".join(bits)
