"""Process life, as subprocesses of the real app (``main.main``): a close during a long
training step, SIGINT and SIGTERM each exit 0 in time, without Qt's thread abort, and the
signals save the session first (tests/gui/life_probe.py drives each)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

PROBE = Path(__file__).with_name("life_probe.py")


def run_probe(mode: str, state_dir: Path) -> dict:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", DESCENTLAB_STATE_DIR=str(state_dir))
    proc = subprocess.Popen(
        [sys.executable, str(PROBE), mode],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    act = None
    busy = None
    lines = []
    # Read line by line so the exit is timed from the moment the probe struck.
    for line in proc.stdout:
        lines.append(line)
        if line.startswith("ACT "):
            _, t, b = line.split()
            act, busy = float(t), b == "1"
            break
    try:
        out, err = proc.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
        pytest.fail(f"{mode}: the process did not exit within 60 s\n{err[-2000:]}")
    ended = time.time()
    return {
        "code": proc.returncode,
        "stdout": "".join(lines) + out,
        "stderr": err,
        "seconds": None if act is None else ended - act,
        "busy": busy,
    }


def check_clean(r: dict, limit_s: float) -> None:
    assert "REFUSED" not in r["stdout"], "the heavy comparison was refused: nothing tested"
    assert r["seconds"] is not None, f"the probe never struck:\n{r['stderr'][-2000:]}"
    assert r["busy"], "the worker was not inside a step when the probe struck"
    assert r["code"] == 0, r["stderr"][-2000:]
    assert "QThread: Destroyed" not in r["stderr"]
    assert "Traceback" not in r["stderr"], r["stderr"][-2000:]
    assert r["seconds"] < limit_s, f"exit took {r['seconds']:.2f} s"


def test_a_close_during_a_long_step_exits_0_within_a_second(tmp_path):
    r = run_probe("close-heavy", tmp_path)
    check_clean(r, 1.0)


@pytest.mark.parametrize("mode", ["sigint", "sigterm"])
def test_a_signal_saves_the_session_and_exits_0_within_two_seconds(tmp_path, mode):
    r = run_probe(mode, tmp_path)
    check_clean(r, 2.0)
    assert ("SIGINT" if mode == "sigint" else "SIGTERM") in r["stderr"]
    state = json.loads((tmp_path / "session.json").read_text(encoding="utf-8"))
    # The edit made just before the signal is in the saved session.
    assert state["landscape"]["config"]["landscape"] == "himmelblau"
    assert state["current_lab"] == 1
