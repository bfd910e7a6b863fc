"""Words for runs and edits: legend titles, table names, hyperparameter summaries.

Qt-free, so the session's messages and every view (heading, table row, legend, CSV) use
the same text.
"""

from __future__ import annotations

from typing import Any

from engine.optimizers import OPTIMIZERS
from engine.runs import RunConfig

__all__ = ["KEY_HYPER", "format_hyper", "hyper_label", "run_hyper_text", "run_name", "run_title"]

# Hyperparameters that define how an optimizer behaves: shown even at their default
# (unless zero: plain SGD's momentum of 0 says nothing).
KEY_HYPER = ("lr", "momentum", "betas", "alpha", "rho", "sgd_lr", "switch_step")


def format_hyper(v: Any) -> str:
    """``0.001``, ``0.9/0.999``, ``on``: a hyperparameter value as the user typed it."""
    if isinstance(v, bool):
        return "on" if v else "off"
    if isinstance(v, float):
        return f"{v:g}"
    if isinstance(v, tuple | list):
        return "/".join(format_hyper(x) for x in v)
    return str(v)


def hyper_label(optimizer: str, name: str) -> str:
    """Human name of hyperparameter ``name`` of ``optimizer`` ("learning rate")."""
    spec = OPTIMIZERS.get(optimizer)
    if spec is not None:
        for p in spec.params:
            if p.name == name:
                return p.label or name
    return name.replace("_", " ")


def run_title(run: RunConfig) -> str:
    """Legend name: the run's own label, else the optimizer's title and learning rate."""
    if run.label:
        return run.label
    spec = OPTIMIZERS[run.optimizer]
    lr = run.resolved_hyper().get("lr")
    return f"{spec.title} lr={lr:g}" if lr is not None else spec.title


def run_name(run: RunConfig) -> str:
    """Table name: the optimizer's title, after the run's own label if it has one."""
    title = OPTIMIZERS[run.optimizer].title
    return f"{run.label} ({title})" if run.label else title


def run_hyper_text(run: RunConfig) -> str:
    """Key hyperparameters (lr, momentum, betas...), then whatever differs from the defaults."""
    spec = OPTIMIZERS[run.optimizer]
    hyper = run.resolved_hyper()
    parts = []
    for p in spec.params:
        v = hyper[p.name]
        if p.name == "lr" or (p.name in KEY_HYPER and v) or v != p.default:
            parts.append(f"{p.name}={format_hyper(v)}")
    if run.schedule.kind != "constant":
        parts.append(f"schedule={run.schedule.kind}")
    if run.schedule.warmup_steps:
        parts.append(f"warm-up={run.schedule.warmup_steps}")
    if run.clip_value is not None:
        parts.append(f"clip={run.clip_value:g}")
    if run.clip_norm is not None:
        parts.append(f"clip‖g‖={run.clip_norm:g}")
    if run.noise_std > 0:
        parts.append(f"noise σ={run.noise_std:g}")
    if run.batch_size:
        parts.append(f"batch={run.batch_size}")
    return ", ".join(parts)
