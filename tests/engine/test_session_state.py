"""The autosave file: atomic writes, and unusable files set aside with a one-line reason."""

from __future__ import annotations

import json
import os

import pytest

from engine.session import LandscapeSession
from engine.session.race_session import SetLandscape
from engine.session.state import STATE_SCHEMA, read_state, write_state


def test_round_trip_with_a_session(tmp_path):
    s = LandscapeSession()
    s.apply(SetLandscape("beale"))
    path = tmp_path / "sub" / "session.json"
    write_state(path, {"landscape": s.to_json(), "speed": 200})
    state, message = read_state(path)
    assert message == ""
    assert state["schema"] == STATE_SCHEMA and state["speed"] == 200
    assert LandscapeSession.from_json(state["landscape"]).config == s.config


def test_missing_file_is_a_first_start(tmp_path):
    assert read_state(tmp_path / "none.json") == (None, "")


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"{not json", "unusable"),
        (b"\xff\xfe\x00", "could not be read"),
        (json.dumps({"kind": "descent-lab-state", "schema": STATE_SCHEMA + 1}).encode(), "newer"),
        (json.dumps({"kind": "other", "schema": 1}).encode(), "not a Descent Lab session"),
        (json.dumps([1, 2]).encode(), "not a JSON object"),
    ],
)
def test_unusable_files_are_set_aside(tmp_path, content, reason):
    path = tmp_path / "session.json"
    path.write_bytes(content)
    state, message = read_state(path)
    assert state is None
    assert reason in message and "\n" not in message
    assert not path.exists()
    (aside,) = [p for p in tmp_path.iterdir() if p.name.startswith("session.json.unusable-")]
    assert aside.read_bytes() == content  # kept as it was
    assert aside.name in message


def test_a_failed_write_keeps_the_old_file(tmp_path):
    path = tmp_path / "session.json"
    write_state(path, {"speed": 1})
    with pytest.raises(ValueError):
        write_state(path, {"speed": float("nan")})  # not JSON: refused before writing
    assert read_state(path)[0]["speed"] == 1
    assert sorted(os.listdir(tmp_path)) == ["session.json"]
