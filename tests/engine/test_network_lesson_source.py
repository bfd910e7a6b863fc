"""The network lab's built-in lessons are the shipped lesson files, read (not copied) by
engine.nn.presets: the file is the one source of each set-up."""

from __future__ import annotations

import json
import shutil

import pytest

import engine.scenario
from engine.nn import presets
from engine.nn.config_io import comparison_from_dict
from engine.scenario import builtin_dir


@pytest.fixture(autouse=True)
def _fresh_cache():
    presets.network_lesson.cache_clear()
    yield
    presets.network_lesson.cache_clear()


@pytest.mark.parametrize("key", list(presets.LESSON_FILES))
def test_each_built_in_lesson_is_its_files_network_section(key):
    raw = json.loads((builtin_dir() / presets.LESSON_FILES[key][1]).read_text(encoding="utf-8"))
    assert presets.network_lesson(key) == comparison_from_dict(raw["network"])
    assert presets.LESSONS[key][1]() == presets.network_lesson(key)


def test_the_lesson_follows_an_edit_of_its_file(tmp_path, monkeypatch):
    for name in ("11_init_lesson.json", "12_batchnorm_lesson.json"):
        shutil.copy(builtin_dir() / name, tmp_path / name)
    path = tmp_path / "12_batchnorm_lesson.json"
    d = json.loads(path.read_text(encoding="utf-8"))
    d["network"]["columns"][0]["hyper"]["lr"] = 0.25
    path.write_text(json.dumps(d), encoding="utf-8")
    monkeypatch.setattr(engine.scenario, "builtin_dir", lambda: tmp_path)
    _task, cols = presets.batchnorm_lesson()
    assert cols[0].hyper["lr"] == 0.25


def test_unknown_or_missing_lessons_are_one_line_errors(tmp_path, monkeypatch):
    with pytest.raises(ValueError, match="no built-in network lesson 'nope'"):
        presets.network_lesson("nope")
    monkeypatch.setattr(engine.scenario, "builtin_dir", lambda: tmp_path)
    with pytest.raises(ValueError, match=r"11_init_lesson\.json"):
        presets.init_lesson()
