"""Both headless commands under hostile input: every reproduction of issue 15, a fuzz of
the argument lists, unwritable targets, undecodable bytes, and SIGTERM mid-run.

Every bad command line must end with exit status 2 and ONE line on stderr (no traceback,
no Python internals), and leave no file behind.
"""

from __future__ import annotations

import contextlib
import errno
import io
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine import atomic
from engine.cli import main as cli_main

ROOT = Path(__file__).resolve().parents[2]
PYTHON_INTERNALS = ("Traceback", "invalid literal", "could not convert", "object has no attr")


def run_cli(argv: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        rc = cli_main(argv)
    return rc, out.getvalue(), err.getvalue()


def assert_refused(rc: int, err: str, *fragments: str) -> None:
    assert rc == 2, err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("main.py --headless: error: ")
    assert not any(s in err for s in PYTHON_INTERNALS), err
    for f in fragments:
        assert f in err, err


# ------------------------------------------------------------------ reproductions


def test_negative_seed_with_noise_is_a_message_not_a_traceback():
    rc, _, err = run_cli(["--optimizer", "sgd:noise_std=0.1,seed=-1", "--steps", "5"])
    assert_refused(rc, err, "seed must be in [0, 4294967295]; got -1")


def test_seed_abc_does_not_show_python_internals():
    rc, _, err = run_cli(["--optimizer", "sgd:seed=abc", "--steps", "5"])
    assert_refused(rc, err, "--optimizer sgd: seed must be a whole number in [0, 4294967295]")
    rc, _, err = run_cli(["--optimizer", "sgd:clip_norm=abc", "--steps", "5"])
    assert_refused(rc, err, "clip_norm must be a number")
    rc, _, err = run_cli(["--task", "spirals", "--seed", "abc"])
    assert_refused(rc, err, "--seed")


@pytest.mark.parametrize("net", [False, True], ids=["race", "network"])
def test_out_naming_a_folder_or_a_missing_folder(tmp_path, net):
    base = ["--task", "spirals", "--layers", "2x4"] if net else []
    rc, _, err = run_cli([*base, "--steps", "2", "--out", str(tmp_path)])
    assert_refused(rc, err, "that is a folder")
    rc, _, err = run_cli([*base, "--steps", "2", "--out", str(tmp_path / "no" / "x.csv")])
    assert_refused(rc, err, "does not exist")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("net", [False, True], ids=["race", "network"])
@pytest.mark.parametrize(
    ("code", "words"), [(errno.EROFS, "read-only"), (errno.ENOSPC, "disk is full")]
)
def test_out_on_a_read_only_or_full_disk(tmp_path, monkeypatch, net, code, words):
    base = ["--task", "spirals", "--layers", "2x4"] if net else []
    target = tmp_path / "run.csv"
    target.write_text("old")

    def fail(*_a, **_k):
        raise OSError(code, os.strerror(code))

    # a read-only medium refuses creating the file; a full disk fails when data is flushed
    monkeypatch.setattr(atomic.os, "open" if code == errno.EROFS else "fsync", fail)
    rc, _, err = run_cli([*base, "--steps", "2", "--out", str(target)])
    monkeypatch.undo()
    assert_refused(rc, err, words)
    assert target.read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run.csv"]


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
@pytest.mark.parametrize("net", [False, True], ids=["race", "network"])
def test_out_on_dev_full(net):
    base = ["--task", "spirals", "--layers", "2x4"] if net else []
    rc, _, err = run_cli([*base, "--steps", "2", "--out", "/dev/full"])
    assert_refused(rc, err, "disk is full")


@pytest.mark.parametrize("net", [False, True], ids=["race", "network"])
def test_out_dash_means_standard_output(tmp_path, monkeypatch, net):
    monkeypatch.chdir(tmp_path)
    base = ["--task", "spirals", "--layers", "2x4"] if net else []
    rc, out, err = run_cli([*base, "--steps", "2", "--every", "1", "--out", "-"])
    assert rc == 0, err
    assert list(tmp_path.iterdir()) == []  # no file named "-"
    header = "label,step,status" if net else "step,run,optimizer,x,y"
    lines = out.splitlines()
    assert lines[0].startswith(header) and len(lines) > 2
    assert all(line.count(",") == lines[0].count(",") for line in lines if '"' not in line)
    assert "steps" in err  # the summary went to stderr


def test_steps_upper_bound():
    rc, _, err = run_cli(["--steps", "1000000000"])
    assert_refused(rc, err, "--steps must be a whole number in [0, 1000000]")
    rc, _, err = run_cli(["--task", "spirals", "--steps", "1000000000"])
    assert_refused(rc, err, "--steps: must be a whole number in [0, 1000000]")


@pytest.mark.parametrize(
    "argv",
    [
        ["--layers", "64x4096"],
        ["--layers", "8x4096"],
        ["--n", "100000", "--batch-size", "100000", "--layers", "4x1024"],
    ],
    ids=["64x4096", "8x4096", "n100000"],
)
def test_huge_networks_are_refused_before_allocating(argv):
    import tracemalloc

    tracemalloc.start()
    try:
        rc, _, err = run_cli(["--task", "spirals", *argv, "--steps", "1"])
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert_refused(rc, err, "too big: about", "GB of memory (budget 1.61 GB)")
    assert peak < 50_000_000


def test_layer_counts_are_capped_before_the_list_is_made():
    rc, _, err = run_cli(["--task", "spirals", "--layers", "99999999999x8"])
    assert_refused(rc, err, "at most 64 hidden layers")


def test_labels_are_sanitized_in_both_commands():
    rc, out, err = run_cli(["--optimizer", "sgd:label=a\tb\x1b[31m\udcff", "--steps", "1"])
    assert rc == 0, err
    assert "a b [31m\ufffd" in out and "\x1b" not in out
    rc, out, err = run_cli(
        ["--task", "spirals", "--layers", "2x4", "--steps", "1", "--label", "\udcff" + "x" * 200]
    )
    assert rc == 0, err
    assert "\ufffd" + "x" * 50 in out and "x" * 100 not in out


# ------------------------------------------------------------------ real processes


def _spawn(args: list[str], **kw) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "OPENBLAS_NUM_THREADS": "1"}
    return subprocess.Popen(
        [sys.executable, str(ROOT / "main.py"), "--headless", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        cwd=kw.get("cwd", ROOT),
    )


@pytest.mark.skipif(os.name != "posix", reason="bytes in argv and SIGTERM are POSIX")
@pytest.mark.parametrize(
    "args",
    [
        [b"--optimizer", b"sgd:label=\xff", b"--steps", b"1"],
        [b"--task", b"spirals", b"--layers", b"2x4", b"--steps", b"1", b"--label", b"\xff"],
        [b"--landscape", b"\xff\xfe"],
        [b"--task", b"spirals", b"--activation", b"\xff"],
    ],
    ids=["race-label", "net-label", "race-landscape", "net-activation"],
)
def test_undecodable_bytes_in_arguments(args, tmp_path):
    env = {**os.environ, "PYTHONPATH": str(ROOT), "LC_ALL": "C.UTF-8"}
    p = subprocess.run(
        [sys.executable.encode(), str(ROOT / "main.py").encode(), b"--headless", *args],
        capture_output=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
    )
    assert b"Traceback" not in p.stderr and b"UnicodeEncodeError" not in p.stderr
    assert p.returncode in (0, 2), p.stderr
    if p.returncode == 2:
        assert len(p.stderr.strip().splitlines()) == 1
    else:
        assert "\ufffd".encode() in p.stdout


@pytest.mark.skipif(os.name != "posix", reason="SIGTERM")
@pytest.mark.parametrize(
    "args",
    [["--steps", "1000000", "--every", "1"], ["--task", "spirals", "--steps", "1000000"]],
    ids=["race", "network"],
)
def test_sigterm_mid_run_leaves_no_partial_file(tmp_path, args):
    out = tmp_path / "run.csv"
    proc = _spawn([*args, "--out", str(out)])
    try:
        deadline = time.monotonic() + 60
        while not any(p.name.endswith(".part.csv") for p in tmp_path.iterdir()):
            assert proc.poll() is None, proc.stderr.read()
            assert time.monotonic() < deadline, "the run never started writing"
            time.sleep(0.05)
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 143, err
    assert b"interrupted; no file written" in err and b"Traceback" not in err
    assert list(tmp_path.iterdir()) == []


@pytest.mark.skipif(os.name != "posix", reason="SIGINT")
def test_ctrl_c_mid_run_leaves_no_partial_file(tmp_path):
    out = tmp_path / "run.csv"
    proc = _spawn(["--steps", "1000000", "--every", "1", "--out", str(out)])
    try:
        deadline = time.monotonic() + 60
        while not any(p.name.endswith(".part.csv") for p in tmp_path.iterdir()):
            assert proc.poll() is None and time.monotonic() < deadline
            time.sleep(0.05)
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 130 and b"Traceback" not in err, err
    assert list(tmp_path.iterdir()) == []


@pytest.mark.skipif(os.name != "posix", reason="pipes")
def test_out_dash_into_a_closed_pipe_stops_quietly():
    proc = _spawn(["--steps", "1000000", "--every", "1", "--out", "-"])
    try:
        first = proc.stdout.readline()
        proc.stdout.close()  # `| head -1`
        err = proc.stderr.read()
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        proc.stderr.close()
    assert first.startswith(b"step,run,optimizer")
    assert proc.returncode == 141 and b"Traceback" not in err, err


# ------------------------------------------------------------------ fuzz

_NUMBERS = [
    "0",
    "1",
    "-1",
    "0.5",
    "1e-3",
    "abc",
    "",
    "nan",
    "inf",
    "-inf",
    "1e999",
    "1e-320",
    "99999999999999999999",
    "0x10",
    "1/2",
    "\ufffd",
    "\udcff",
    "3,5",
    "-0",
]
_OPT_NAMES = ["sgd", "adam", "momentum", "rmsprop", "adagrad", "nadam", "amsgrad", "nope", ""]
_RUN_KEYS = [
    "lr",
    "momentum",
    "betas",
    "eps",
    "weight_decay",
    "clip_value",
    "clip_norm",
    "noise_std",
    "batch_size",
    "seed",
    "label",
    "start",
    "schedule",
    "warmup_steps",
    "warmup_start_factor",
    "T_max",
    "gamma",
    "step_size",
    "bogus",
    "lr=1",
    "",
]
_SCHEDS = ["constant", "cosine", "step", "exponential", "nope", "\udcff"]


@st.composite
def optimizer_items(draw):
    name = draw(st.sampled_from(_OPT_NAMES))
    pairs = []
    for _ in range(draw(st.integers(0, 4))):
        k = draw(st.sampled_from(_RUN_KEYS))
        v = draw(st.sampled_from(_SCHEDS if k == "schedule" else _NUMBERS))
        pairs.append(f"{k}={v}" if draw(st.booleans()) or not k else k)
    sep = draw(st.sampled_from([":", ":", "", "::"]))
    return name + (sep + ",".join(pairs) if pairs else "")


def _race_tokens(out_choices):
    opt = st.tuples(st.just("--optimizer"), optimizer_items())
    other = st.one_of(
        st.tuples(
            st.just("--landscape"),
            st.sampled_from(["rosenbrock", "regression", "beale", "moon", "", "\udcff"]),
        ),
        st.tuples(
            st.just("--landscape-param"),
            st.sampled_from(
                [
                    "n=50",
                    "n=0",
                    "n=100001",
                    "condition=50,angle=30",
                    "condition=abc",
                    "x",
                    "=",
                    "n=1e9",
                ]
            ),
        ),
        st.tuples(st.just("--start"), st.sampled_from(["-1.5,2", "1", "a,b", "1e999,0", ""])),
        st.tuples(
            st.just("--steps"),
            st.sampled_from(["0", "3", "-1", "abc", "1000001", "10000000000000000000"]),
        ),
        st.tuples(st.just("--every"), st.sampled_from(["1", "0", "-5", "2", "x"])),
        st.tuples(st.just("--tol"), st.sampled_from(["1e-6", "nan", "-1", "inf", "x"])),
        st.tuples(st.just("--out"), st.sampled_from(out_choices)),
        st.tuples(st.just("--bogus"), st.just("1")),
    )
    return st.lists(st.one_of(opt, other), max_size=6)


def _net_tokens(out_choices):
    return st.lists(
        st.one_of(
            st.tuples(
                st.just("--task"),
                st.sampled_from(
                    ["spirals", "moons", "sine", "blobs:k=4", "blobs:k=99", "nope", "\udcff"]
                ),
            ),
            st.tuples(
                st.just("--layers"),
                st.sampled_from(
                    [
                        "2x8",
                        "4,8",
                        "none",
                        "0",
                        "8x4096",
                        "64x4096",
                        "99999999999x2",
                        "-1x4",
                        "4x-1",
                        "x",
                        "3x",
                        "65x2",
                        "2x4097",
                    ]
                ),
            ),
            st.tuples(st.just("--n"), st.sampled_from(["20", "100", "19", "100000", "abc"])),
            st.tuples(
                st.just("--batch-size"), st.sampled_from(["1", "16", "0", "100000", "100001", "x"])
            ),
            st.tuples(
                st.just("--activation"),
                st.sampled_from(
                    ["relu", "tanh", "leaky_relu:negative_slope=2", "nope", "relu:x=1"]
                ),
            ),
            st.tuples(
                st.just("--init"),
                st.sampled_from(
                    [
                        "he_normal",
                        "normal:std=0.01",
                        "normal:std=-1",
                        "xavier_normal:gain=tanh",
                        "nope",
                    ]
                ),
            ),
            st.tuples(st.just("--optimizer"), optimizer_items()),
            st.tuples(st.just("--schedule"), st.sampled_from(["cosine:T_max=5", "nope", "step"])),
            st.tuples(st.just("--seed"), st.sampled_from(["0", "-1", "1e30", "abc"])),
            st.tuples(st.just("--label"), st.sampled_from(["a", "\udcff", "x" * 300, ""])),
            st.tuples(st.just("--batchnorm"), st.sampled_from(["after", "middle"])),
            st.tuples(
                st.just("--vary"),
                st.sampled_from(
                    [
                        "init=normal:std=1,xavier_normal",
                        "seed=0,1,2,3,4,5,6",
                        "batchnorm=off,after",
                        "bogus=1",
                        "seed=",
                    ]
                ),
            ),
            st.tuples(st.just("--compare"), st.sampled_from(["seed=1", "x", "layers=2x4 seed=2"])),
            st.tuples(st.just("--every"), st.sampled_from(["1", "0", "x"])),
            st.tuples(st.just("--steps"), st.sampled_from(["0", "2", "-1", "1000001"])),
            st.tuples(st.just("--out"), st.sampled_from(out_choices)),
        ),
        max_size=6,
    )


OUTS = ["FILE", "FOLDER", "MISSING/x.csv", "-"]
RACE_CASES, NET_CASES = 300, 100


def _fuzz_one(prefix: list[str], tokens: list[tuple[str, str]]) -> None:
    with tempfile.TemporaryDirectory() as d:
        folder = Path(d)
        subs = {"FILE": str(folder / "o.csv"), "FOLDER": d, "MISSING/x.csv": f"{d}/m/x.csv"}
        argv = list(prefix)
        for opt, val in tokens:
            argv += [opt, subs.get(val, val)]
        rc, out, err = run_cli(argv)
        assert rc in (0, 2), (argv, err)
        assert not any(s in err for s in PYTHON_INTERNALS), (argv, err)
        made = sorted(p.name for p in folder.iterdir())
        if rc == 2:
            assert len(err.strip().splitlines()) == 1, (argv, err)
            assert made == [], (argv, made)
        else:
            assert made in ([], ["o.csv"]), (argv, made)
        (out + err).encode("utf-8")


@settings(
    max_examples=RACE_CASES,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(_race_tokens(OUTS))
def test_fuzz_race_command_line(tokens):
    _fuzz_one(["--steps", "3"], tokens)


@settings(
    max_examples=NET_CASES,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(_net_tokens(OUTS))
def test_fuzz_network_command_line(tokens):
    _fuzz_one(["--task", "spirals", "--layers", "2x8", "--n", "100", "--steps", "2"], tokens)
