"""Scenario files: a ready-made lesson as JSON with a schema version.

A scenario holds a title, the lesson's text, and the configuration of a landscape race
and/or a network comparison (the engine's frozen config dataclasses, which stay the one
source of truth). Loading never trusts the file: it is checked whole (size, nesting, every
field's JSON type and range, the caps of :mod:`engine.limits`, the resource guards) before
a :class:`Scenario` exists, so a lab never holds half of a lesson. Every refusal is a
:class:`ScenarioError` whose one-line message names the file and the field's path
(``lesson.json: race.runs[2].seed: must be a whole number in [0, 4294967295]; got -1``).

Format (schema version 1, unchanged since the first release)::

    {"format": "descent-lab-scenario", "schema_version": 1, "title": "...",
     "lesson": "...", "steps": 1000,
     "race": {"landscape": ..., "landscape_params": {...}, "runs": [{...}, ...],
              "start": [x, y] | null, "tol": 1e-6, "far_bound": 1e6},
     "network": {"task": {...}, "columns": [{...}, ...]},
     "averaging": {"n": 365, "seed": 0, "noise": 4.0, "betas": [0.5, 0.9, 0.98],
                   "bias_correction": false, "momentum_steps": 60}}

The optional ``averaging`` section (the averaging lesson's panel, see
:mod:`engine.averaging`) came later; files without it read as before, and a file with it
still needs a race or a network for the labs to show.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from engine import limits
from engine.atomic import write_text_atomically
from engine.averaging import AveragingConfig
from engine.guards import ResourceError, check_comparison, check_race
from engine.nn.config_io import NetworkConfig
from engine.runs import Race, RaceConfig
from engine.validate import (
    ValidationError,
    check_depth,
    check_int,
    check_list,
    check_number,
    check_text,
    parse_json,
    sanitize_text,
)

SCHEMA_VERSION = 1
FORMAT = "descent-lab-scenario"
SEED_MAX = limits.SEED_MAX

_TOP = ("format", "schema_version", "title", "lesson", "race", "network", "steps", "averaging")
_RACE = ("landscape", "landscape_params", "runs", "start", "tol", "far_bound")
_RUN = (
    "optimizer",
    "hyper",
    "schedule",
    "clip_value",
    "clip_norm",
    "noise_std",
    "batch_size",
    "start",
    "seed",
    "label",
)
_SCHEDULE = ("kind", "params", "warmup_steps", "warmup_start_factor")


class ScenarioError(ValidationError):
    """A lesson that cannot be opened or saved; one line naming the file and the field."""


@dataclass(frozen=True)
class Scenario:
    """A lesson: what to show and what to say about it.

    Attributes
    ----------
    title : str
    lesson : str
        A few sentences for the viewer: what to watch for.
    race : RaceConfig or None
        The landscape-lab set-up, if the lesson uses it.
    network : NetworkConfig or None
        The network-lab set-up (task and columns), if the lesson uses it. A mapping given
        here (the JSON section) is validated and converted.
    steps : int or None
        Suggested number of steps to run.
    averaging : AveragingConfig or None
        The averaging panel's set-up, if the lesson shows it (a mapping is validated and
        converted).
    """

    title: str
    lesson: str = ""
    race: RaceConfig | None = None
    network: NetworkConfig | None = None
    steps: int | None = None
    averaging: AveragingConfig | None = None

    def __post_init__(self) -> None:
        if self.network is not None and not isinstance(self.network, NetworkConfig):
            if not isinstance(self.network, Mapping):
                raise ScenarioError("must be an object", "network")
            object.__setattr__(self, "network", NetworkConfig.from_dict(dict(self.network)))
        if self.averaging is not None and not isinstance(self.averaging, AveragingConfig):
            object.__setattr__(self, "averaging", AveragingConfig.from_dict(self.averaging))

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "format": FORMAT,
            "schema_version": SCHEMA_VERSION,
            "title": self.title,
            "lesson": self.lesson,
        }
        if self.race is not None:
            d["race"] = self.race.to_dict()
        if self.network is not None:
            d["network"] = self.network.to_dict()
        if self.steps is not None:
            d["steps"] = self.steps
        if self.averaging is not None:
            d["averaging"] = self.averaging.to_dict()
        return d


# ------------------------------------------------------------------------------ checks


def _object(d: Any, known: tuple[str, ...], where: str) -> dict:
    if not isinstance(d, dict):
        raise ValidationError(f"must be an object; got {_type(d)}", where)
    unknown = sorted(k for k in d if k not in known)
    if unknown:
        raise ValidationError(
            f"unknown field {sanitize_text(repr(unknown[0]), 40)} (known: {', '.join(known)})",
            where,
        )
    return d


def _type(v: Any) -> str:
    return {list: "a list", dict: "an object", str: "text", bool: "true/false"}.get(
        type(v), "null" if v is None else "a number"
    )


def _point(v: Any, where: str) -> tuple[float, float] | None:
    if v is None:
        return None
    check_list(v, where, 2, 2)
    return (check_number(v[0], f"{where}[0]"), check_number(v[1], f"{where}[1]"))


def _scalars(d: Any, where: str) -> dict:
    """An object of parameter values: numbers, text, true/false or short lists of those."""
    if not isinstance(d, dict):
        raise ValidationError(f"must be an object; got {_type(d)}", where)
    for k, v in d.items():
        w = f"{where}.{sanitize_text(k, 40, keep_empty=True)}"
        items = v if isinstance(v, list) else [v]
        if isinstance(v, list):
            check_list(v, w, 8)
        for x in items:
            if isinstance(x, str):
                check_text(x, w, limits.MAX_TEXT_CHARS)
            elif isinstance(x, (int, float)) and not isinstance(x, bool):
                check_number(x, w)
            elif not isinstance(x, bool):
                raise ValidationError(f"must be a number, text or true/false; got {_type(x)}", w)
    return d


def _optional_positive(v: Any, where: str) -> None:
    if v is not None:
        check_number(v, where, 0.0, lo_open=True)


def _check_run(r: Any, where: str) -> None:
    r = _object(r, _RUN, where)
    if "optimizer" in r:
        check_text(r["optimizer"], f"{where}.optimizer", 40, allow_empty=False)
    if "hyper" in r:
        _scalars(r["hyper"], f"{where}.hyper")
    s = r.get("schedule")
    if s is not None:
        s = _object(s, _SCHEDULE, f"{where}.schedule")
        if "kind" in s:
            check_text(s["kind"], f"{where}.schedule.kind", 40, allow_empty=False)
        if "params" in s:
            _scalars(s["params"], f"{where}.schedule.params")
        if "warmup_steps" in s:
            check_int(s["warmup_steps"], f"{where}.schedule.warmup_steps", 0, limits.MAX_STEPS)
        if "warmup_start_factor" in s:
            check_number(s["warmup_start_factor"], f"{where}.schedule.warmup_start_factor", 0, 1)
    _optional_positive(r.get("clip_value"), f"{where}.clip_value")
    _optional_positive(r.get("clip_norm"), f"{where}.clip_norm")
    if "noise_std" in r:
        check_number(r["noise_std"], f"{where}.noise_std", 0.0)
    if "batch_size" in r:
        check_int(r["batch_size"], f"{where}.batch_size", 0, limits.MAX_POINTS)
    _point(r.get("start"), f"{where}.start")
    if "seed" in r:
        check_int(r["seed"], f"{where}.seed", 0, SEED_MAX)
    if "label" in r:
        check_text(r["label"], f"{where}.label", limits.MAX_LABEL_CHARS)


def _race(d: Any, where: str = "race") -> RaceConfig:
    """Check the race section's JSON types and caps, then build and dry-run the race."""
    d = _object(d, _RACE, where)
    if "landscape" in d:
        check_text(d["landscape"], f"{where}.landscape", 40, allow_empty=False)
    if "landscape_params" in d:
        _scalars(d["landscape_params"], f"{where}.landscape_params")
    if "runs" in d:
        check_list(d["runs"], f"{where}.runs", limits.MAX_RUNS, 1)
        for i, r in enumerate(d["runs"]):
            _check_run(r, f"{where}.runs[{i}]")
    _point(d.get("start"), f"{where}.start")
    if "tol" in d:
        check_number(d["tol"], f"{where}.tol", 0.0)
    if "far_bound" in d:
        check_number(d["far_bound"], f"{where}.far_bound", 0.0, lo_open=True)
    runs = [dict(r) for r in d.get("runs", ())]
    for r in runs:
        if r.get("schedule") is None:
            r.pop("schedule", None)  # null means the default (constant) schedule
        if isinstance(r.get("label"), str):
            r["label"] = sanitize_text(r["label"], limits.MAX_LABEL_CHARS, keep_empty=True)
    clean = {**d, "runs": runs} if "runs" in d else dict(d)
    try:
        config = RaceConfig.from_dict(clean)
        config.validate()
        check_race(config)
        # Building the race is cheap (runs and data are capped) and runs every check the
        # lab's reset would, so a lesson that loads also plays.
        Race(config)
    except ResourceError as exc:
        raise ValidationError(str(exc), where) from None
    except (ValueError, TypeError, OverflowError) as exc:
        raise ValidationError(str(exc), where) from None
    return config


def _network(d: Any, where: str = "network") -> NetworkConfig:
    d = _object(d, ("task", "columns"), where)
    if "columns" in d:
        check_list(d["columns"], f"{where}.columns", limits.MAX_COLUMNS, 1)
        for i, c in enumerate(d["columns"]):
            if isinstance(c, dict) and "label" in c:
                check_text(c["label"], f"{where}.columns[{i}].label", limits.MAX_LABEL_CHARS)
    try:
        net = NetworkConfig.from_dict(d)
        check_comparison(net.task, net.columns)
    except (ValueError, TypeError, OverflowError) as exc:
        raise ValidationError(str(exc), where) from None
    return net


def scenario_from_dict(d: Any, source: str = "scenario") -> Scenario:
    """Validate a parsed JSON document whole and convert it.

    Raises
    ------
    ScenarioError
        One line naming ``source`` and the offending field; nothing is half-built.
    """
    try:
        return _scenario(d)
    except ValidationError as exc:
        raise ScenarioError(str(exc), source) from None


def _scenario(d: Any) -> Scenario:
    check_depth(d)
    if not isinstance(d, dict):
        raise ValidationError("expected a JSON object at the top level")
    if d.get("format") != FORMAT:
        raise ValidationError(f"not a Descent Lab scenario (missing 'format': '{FORMAT}')")
    version = d.get("schema_version")
    if not isinstance(version, int) or isinstance(version, bool):
        raise ValidationError("must be a whole number", "schema_version")
    if version > SCHEMA_VERSION:
        shown = version if version < 10**6 else "?"
        raise ValidationError(
            f"written by a newer Descent Lab (schema {shown}; "
            f"this version reads up to {SCHEMA_VERSION})"
        )
    if version < 1:
        raise ValidationError(f"unknown schema version {max(version, -(10**6))}")
    _object(d, _TOP, "document")
    title = check_text(d.get("title"), "title", limits.MAX_TITLE_CHARS, allow_empty=False)
    lesson = check_text(d.get("lesson", ""), "lesson", limits.MAX_LESSON_CHARS)
    steps = d.get("steps")
    if steps is not None:
        steps = check_int(steps, "steps", 0, limits.MAX_STEPS)
    race = _race(d["race"]) if d.get("race") is not None else None
    network = _network(d["network"]) if d.get("network") is not None else None
    if race is None and network is None:
        raise ValidationError("a scenario needs a 'race' or a 'network' section")
    averaging = d.get("averaging")
    if averaging is not None:
        averaging = AveragingConfig.from_dict(averaging)
    return Scenario(
        sanitize_text(title, limits.MAX_TITLE_CHARS),
        _clean_lesson(lesson),
        race,
        network,
        steps,
        averaging,
    )


def _clean_lesson(text: str) -> str:
    # Paragraph breaks are kept; every other control character and lone surrogate goes.
    paragraphs = text.replace("\r\n", "\n").split("\n")
    return "\n".join(sanitize_text(p, limits.MAX_LESSON_CHARS, keep_empty=True) for p in paragraphs)


def validate_scenario(scenario: Scenario, source: str = "scenario") -> Scenario:
    """Check a Scenario built in memory (e.g. from a lab) by the rules a file must meet.

    Returns the scenario as it would load back from its file.

    Raises
    ------
    ScenarioError
    """
    if not isinstance(scenario, Scenario):
        raise ScenarioError(f"expected a Scenario; got {type(scenario).__name__}", source)
    try:
        d = json.loads(json.dumps(scenario.to_dict(), allow_nan=False))
    except (ValueError, TypeError) as exc:
        raise ScenarioError(f"cannot be written as JSON ({exc})", source) from None
    return scenario_from_dict(d, source)


def load_scenario(path: str | os.PathLike) -> Scenario:
    """Read and validate a lesson file.

    Raises
    ------
    ScenarioError
        One line naming the file: unreadable, too large, not UTF-8 JSON, nested too deep,
        or any field invalid.
    """
    p = Path(path)
    name = sanitize_text(p.name or str(p), 80)
    try:
        with open(p, "rb") as fh:
            data = fh.read(limits.MAX_LESSON_FILE_BYTES + 1)
    except IsADirectoryError:
        raise ScenarioError("is a folder, not a lesson file", name) from None
    except FileNotFoundError:
        raise ScenarioError("no such file", name) from None
    except OSError as exc:
        raise ScenarioError(f"cannot read ({exc.strerror or exc})", name) from None
    try:
        doc = parse_json(data, name)
    except ValidationError as exc:
        raise ScenarioError(str(exc)) from None
    return scenario_from_dict(doc, name)


def save_scenario(scenario: Scenario, path: str | os.PathLike) -> None:
    """Validate, then write atomically: the old file stays intact if anything fails.

    Raises
    ------
    ScenarioError
        If the scenario would not load back (the message names the field).
    engine.atomic.SaveError
        If the file cannot be written (read-only, full disk, folder...); an OSError.
    """
    validate_scenario(scenario, sanitize_text(Path(path).name or "scenario", 80))
    text = json.dumps(scenario.to_dict(), indent=2, allow_nan=False) + "\n"
    write_text_atomically(path, text)


def builtin_dir() -> Path:
    """Folder of the scenarios shipped with the app (also inside a PyInstaller bundle)."""
    import sys

    base = Path(getattr(sys, "_MEIPASS", Path(__file__).resolve().parents[1]))
    return base / "resources" / "scenarios"


def builtin_scenarios() -> list[tuple[Path, Scenario]]:
    """Every shipped scenario, sorted by file name; a broken one raises (tests catch it)."""
    return [(p, load_scenario(p)) for p in sorted(builtin_dir().glob("*.json"))]
