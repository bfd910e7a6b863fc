"""The settings of a :class:`~engine.runs.RunConfig` beyond its optimizer and schedule.

One list, read by everything that checks or edits a run: :meth:`RunConfig.validate`, the
GUI's run editor (a control per spec, labelled and explained by it) and the ``race``
command line (``--optimizer adam:lr=0.05,clip_norm=1``). Ranges come from
:mod:`engine.limits`.
"""

from __future__ import annotations

from engine.limits import MAX_POINTS, SEED_MAX
from engine.params import ParamSpec

__all__ = ["RUN_FIELD_OFF", "RUN_FIELD_SPECS", "STRUCTURED_RUN_FIELDS"]

#: Every RunConfig field that is neither the optimizer, its hyperparameters nor the
#: schedule. The default is what an editor shows when the setting is first switched on.
RUN_FIELD_SPECS: dict[str, ParamSpec] = {
    "clip_value": ParamSpec(
        "clip_value",
        1.0,
        min=0.0,
        min_exclusive=True,
        log=True,
        label="clip by value",
        help="Clamp each gradient component to [-c, c] before the optimizer sees it.",
    ),
    "clip_norm": ParamSpec(
        "clip_norm",
        1.0,
        min=0.0,
        min_exclusive=True,
        log=True,
        label="clip by norm",
        help="Rescale the gradient so its length is at most c.",
    ),
    "noise_std": ParamSpec(
        "noise_std",
        1.0,
        min=0.0,
        log=True,
        label="gradient noise σ",
        help="Standard deviation of Gaussian noise added to every gradient component.",
    ),
    "batch_size": ParamSpec(
        "batch_size",
        0,
        kind="int",
        min=0,
        max=MAX_POINTS,
        label="batch size",
        help="Data points per mini-batch; 0 uses the whole data set (exact gradient).",
    ),
    "start": ParamSpec(
        "start",
        (0.0, 0.0),
        kind="pair",
        label="own start (x, y)",
        help="This run's own start point; unticked, it starts where the race starts.",
    ),
    "seed": ParamSpec(
        "seed",
        0,
        kind="int",
        min=0,
        max=SEED_MAX,
        label="seed",
        help="Seed of this run's gradient noise and mini-batch order.",
    ),
    # Free text: no range to check (the spec names and explains it).
    "label": ParamSpec("label", "", kind="choice", label="label", help="Name in the legend."),
}

#: Fields that can be switched off, and the value that means "off".
RUN_FIELD_OFF: dict[str, object] = {
    "clip_value": None,
    "clip_norm": None,
    "noise_std": 0.0,
    "start": None,
}

#: Fields with their own structure (the optimizer and its hyperparameters, the schedule).
STRUCTURED_RUN_FIELDS = ("optimizer", "hyper", "schedule")
