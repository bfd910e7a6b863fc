"""bench/bundle_bench.py reads the first-frame stamp the GUI writes (gui/app.py)."""

from __future__ import annotations

import importlib.util
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _bench():
    name = "descentlab_bundle_bench"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, ROOT / "bench" / "bundle_bench.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


def _fake_app(tmp_path: Path, text: str) -> list[str]:
    """A command that, like the app, writes ``text`` to $DESCENTLAB_FIRST_FRAME_FILE."""
    script = tmp_path / "fake_app.py"
    script.write_text(
        "import os, sys, time\n"
        "path = os.environ.get('DESCENTLAB_FIRST_FRAME_FILE')\n"
        f"text = {text!r}\n"
        "if path and text:\n"
        "    open(path, 'w').write(text.replace('NOW', repr(time.time())))\n"
    )
    return [sys.executable, str(script)]


def test_stamp_with_cpu_seconds(tmp_path):
    bench = _bench()
    t0 = time.time()
    wall, cpu = bench.first_frame_protocol(_fake_app(tmp_path, "NOW 0.75"), tmp_path)
    assert 0.0 <= wall <= time.time() - t0
    assert cpu == 0.75


def test_stamp_of_older_builds_has_no_cpu_seconds(tmp_path):
    wall, cpu = _bench().first_frame_protocol(_fake_app(tmp_path, "NOW"), tmp_path)
    assert wall >= 0.0 and cpu is None


def test_no_stamp_is_no_frame(tmp_path):
    assert _bench().first_frame_protocol(_fake_app(tmp_path, ""), tmp_path) is None


def test_measure_keeps_wall_and_cpu_samples_apart(tmp_path):
    (tmp_path / "old").mkdir()
    cmds = {"new": _fake_app(tmp_path, "NOW 0.5"), "old": _fake_app(tmp_path / "old", "NOW")}
    samples, cpu, method = _bench().measure(cmds, runs=2)
    assert len(samples["new"]) == 2 and len(samples["old"]) == 2
    assert cpu == {"new": [0.5, 0.5], "old": []}
    assert "first paint" in method
