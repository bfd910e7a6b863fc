"""Scenario files: a ready-made lesson as JSON with a schema version.

A scenario holds a title, the lesson's text, and the configuration of a landscape race
and/or a network comparison (the engine's frozen config dataclasses, which stay the one
source of truth). Loading never trusts the file: every problem becomes a ValueError whose
message names the file and the field, so the app and the CLI can show it and carry on.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from engine.atomic import write_atomically
from engine.runs import RaceConfig

SCHEMA_VERSION = 1
FORMAT = "descent-lab-scenario"


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
    network : mapping or None
        The network-lab set-up (see :mod:`engine.nn.training`), as its JSON dictionary.
    steps : int or None
        Suggested number of steps to run.
    """

    title: str
    lesson: str = ""
    race: RaceConfig | None = None
    network: Mapping[str, Any] | None = None
    steps: int | None = None

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
            d["network"] = dict(self.network)
        if self.steps is not None:
            d["steps"] = self.steps
        return d


def scenario_from_dict(d: Any, source: str = "scenario") -> Scenario:
    """Validate and convert a parsed JSON document.

    Raises
    ------
    ValueError
        Naming ``source`` and the offending field.
    """
    if not isinstance(d, dict):
        raise ValueError(f"{source}: expected a JSON object at the top level")
    if d.get("format") != FORMAT:
        raise ValueError(f"{source}: not a Descent Lab scenario (missing 'format': '{FORMAT}')")
    version = d.get("schema_version")
    if not isinstance(version, int) or isinstance(version, bool):
        raise ValueError(f"{source}: 'schema_version' must be a whole number")
    if version > SCHEMA_VERSION:
        raise ValueError(
            f"{source}: written by a newer Descent Lab (schema {version}; "
            f"this version reads up to {SCHEMA_VERSION})"
        )
    if version < 1:
        raise ValueError(f"{source}: unknown schema version {version}")
    known = {"format", "schema_version", "title", "lesson", "race", "network", "steps"}
    unknown = sorted(set(d) - known)
    if unknown:
        raise ValueError(f"{source}: unknown field {unknown[0]!r}")
    title = d.get("title")
    if not isinstance(title, str) or not title.strip():
        raise ValueError(f"{source}: 'title' must be a non-empty string")
    lesson = d.get("lesson", "")
    if not isinstance(lesson, str):
        raise ValueError(f"{source}: 'lesson' must be a string")
    steps = d.get("steps")
    if steps is not None and (not isinstance(steps, int) or isinstance(steps, bool) or steps < 0):
        raise ValueError(f"{source}: 'steps' must be a whole number >= 0")
    race = None
    if d.get("race") is not None:
        try:
            race = RaceConfig.from_dict(d["race"])
            race.validate()
        except (ValueError, TypeError, KeyError) as exc:
            raise ValueError(f"{source}: race: {exc}") from None
    network = d.get("network")
    if network is not None:
        if not isinstance(network, dict):
            raise ValueError(f"{source}: 'network' must be an object")
        try:
            from engine.nn.config_io import comparison_from_dict

            comparison_from_dict(network)
        except ImportError:  # pragma: no cover - the network engine ships with the app
            pass
        except (ValueError, TypeError, KeyError) as exc:
            raise ValueError(f"{source}: network: {exc}") from None
    if race is None and network is None:
        raise ValueError(f"{source}: a scenario needs a 'race' or a 'network' section")
    return Scenario(title.strip(), lesson, race, network, steps)


def load_scenario(path: str | os.PathLike) -> Scenario:
    """Read a scenario file; ValueError (or OSError) with a message naming the file."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise ValueError(f"{p.name}: not a text file") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(
            f"{p.name}: not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})"
        ) from None
    return scenario_from_dict(data, p.name)


def save_scenario(scenario: Scenario, path: str | os.PathLike) -> None:
    """Write atomically: the old file stays intact if anything fails midway."""
    text = json.dumps(scenario.to_dict(), indent=2, allow_nan=False) + "\n"
    write_atomically(path, lambda fh: fh.write(text))


def builtin_dir() -> Path:
    """Folder of the scenarios shipped with the app (also inside a PyInstaller bundle)."""
    import sys

    base = Path(getattr(sys, "_MEIPASS", Path(__file__).resolve().parents[1]))
    return base / "resources" / "scenarios"


def builtin_scenarios() -> list[tuple[Path, Scenario]]:
    """Every shipped scenario, sorted by file name; a broken one raises (tests catch it)."""
    return [(p, load_scenario(p)) for p in sorted(builtin_dir().glob("*.json"))]
