"""Print the desktop bundle's sizes and its time to the first painted frame, frozen vs source.

    python bench/bundle_bench.py               build both variants afresh (temp folder), measure
    python bench/bundle_bench.py --dist dist   measure builds already in dist/ (make bundle,
                                               make bundle-onefile)
    python bench/bundle_bench.py --source-only start-up from source vs a bare window only

Start-up is measured on the X server in $DISPLAY when there is one (start one with
`Xvfb :97 -screen 0 1920x1080x24 &` and DISPLAY=:97), else offscreen (then said so).
Every variant is compared with a bare PySide6 window (bench/bare_window.py: QApplication,
an empty QMainWindow, first paint), started the same way in the same run: the ratios are
what issue 16's target (<= 3x) is about, and they hold on a busy machine where the seconds
do not. Python writes bytecode caches during the warm-up start (PYTHONDONTWRITEBYTECODE is
unset for the app), as it does on a user's machine after the first start.

Figures: the one-folder app unpacked, the archive users download, the one-file app, and the
seconds from launching the process to the first painted frame for `python main.py` and for
the frozen app, measured in the same run, alternating, after one warm-up start each.

First frame: the bench sets DESCENTLAB_FIRST_FRAME_FILE=<path> and starts the app with
--self-test; the GUI (gui/app.py install_first_frame_stamp) writes time.time() of its first
paint there, then the CPU seconds its process had used by then (builds older than that
write the time alone). A start that writes no stamp counts as "no frame measured".
The CPU figure is printed beside the wall-clock one because on a busy machine the latter
swings with other programs' load while the former barely moves; the one-file app's CPU
figure leaves out the unpacking, which its launcher process does.
Targets (issue 16): one-folder <= 100 MB, archive <= 40 MB, first frame <= 3x a bare window.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("descentlab_build", ROOT / "packaging" / "build.py")
build = importlib.util.module_from_spec(_spec)
sys.modules[_spec.name] = build  # dataclasses look their module up while the class is made
_spec.loader.exec_module(build)

FIRST_FRAME_VAR = "DESCENTLAB_FIRST_FRAME_FILE"
TIMEOUT = 120.0


BARE = ROOT / "bench" / "bare_window.py"


def _env() -> dict[str, str]:
    env = build.self_test_env()
    env.pop(FIRST_FRAME_VAR, None)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    if os.environ.get("DISPLAY"):
        env["QT_QPA_PLATFORM"] = "xcb"  # a real X server: what users see
    return env


def first_frame_protocol(cmd: list[str], tmp: Path) -> tuple[float, float | None] | None:
    """The first paint as the GUI reports it, or None if it reports none.

    Returns (seconds from launch, CPU seconds the app had used by then); the CPU part is
    None from builds that do not report it.
    """
    stamp, png = tmp / "first-frame.txt", tmp / "shot.png"
    stamp.unlink(missing_ok=True)
    env = _env()
    env[FIRST_FRAME_VAR] = str(stamp)
    t0 = time.time()
    subprocess.run([*cmd, "--self-test", str(png)], env=env, capture_output=True, timeout=TIMEOUT)
    if not stamp.exists():
        return None
    fields = stamp.read_text().split()
    cpu = float(fields[1]) if len(fields) > 1 else None
    return float(fields[0]) - t0, cpu


def measure(
    commands: dict[str, list[str]], runs: int
) -> tuple[dict[str, list[float]], dict[str, list[float]], str]:
    """Time every command `runs` times, interleaved.

    Returns the wall-clock samples, the CPU samples (where reported) and the method used.
    """
    with tempfile.TemporaryDirectory(prefix="descentlab-bench-") as d:
        tmp = Path(d)
        method, fn = "GUI-reported first paint", first_frame_protocol
        for cmd in commands.values():  # warm-up: fill the disk cache, unpack .pyc once
            fn(cmd, tmp)
        samples: dict[str, list[float]] = {k: [] for k in commands}
        cpu: dict[str, list[float]] = {k: [] for k in commands}
        for _ in range(runs):
            for name, cmd in commands.items():
                got = fn(cmd, tmp)
                if got is not None:
                    samples[name].append(got[0])
                    if got[1] is not None:
                        cpu[name].append(got[1])
    return samples, cpu, method


def gzip_size(app_dir: Path) -> int:
    """Bytes of the folder packed as .tar.gz (level 6), the archive format used before xz."""
    import tarfile

    with tempfile.TemporaryDirectory(prefix="descentlab-gz-") as d:
        out = Path(d) / "app.tar.gz"
        with tarfile.open(out, "w:gz", compresslevel=6) as tar:
            tar.add(app_dir, arcname=app_dir.name)
        return out.stat().st_size


def report_start_up(commands: dict[str, list[str]], runs: int) -> None:
    """Print each command's time to first paint beside a bare PySide6 window's, and ratios."""
    bare = "bare PySide6 window"
    commands = {bare: [sys.executable, str(BARE)], **commands}
    where = f"X server {os.environ['DISPLAY']}" if os.environ.get("DISPLAY") else "offscreen"
    samples, cpu, method = measure(commands, runs)
    print(f"time from launch to the first painted frame ({method}, {where}), {runs} runs:")
    base = statistics.median(samples[bare]) if samples[bare] else float("nan")
    for name, ts in samples.items():
        if not ts:
            print(f"  {name:<26} no frame measured")
            continue
        med = statistics.median(ts)
        ratio = "" if name == bare else f"   {med / base:4.1f}x bare (target <= 3x)"
        print(
            f"  {name:<26} median {med:5.2f} s   min {min(ts):5.2f} s   max {max(ts):5.2f} s{ratio}"
        )
    if any(cpu.values()):
        print("CPU seconds the app's process had used by its first frame:")
        for name, cs in cpu.items():
            if cs:
                print(f"  {name:<26} median {statistics.median(cs):5.2f} s   min {min(cs):5.2f} s")
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"  (load average at the end: {load:.2f} on {os.cpu_count()} CPUs)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dist", type=Path, help="measure existing builds here (no build)")
    parser.add_argument("--runs", type=int, default=5, help="timed starts per variant")
    parser.add_argument("--no-onefile", action="store_true", help="skip the one-file variant")
    parser.add_argument(
        "--source-only", action="store_true", help="no bundle: start-up from source vs bare"
    )
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    if args.source_only:
        report_start_up(
            {"source (python main.py)": [sys.executable, str(ROOT / "main.py")]}, args.runs
        )
        return 0

    tmp_build = None
    if args.dist is None:
        tmp_build = tempfile.TemporaryDirectory(prefix="descentlab-bundle-bench-")
        dist, work = Path(tmp_build.name) / "dist", Path(tmp_build.name) / "build"
        build.build(build.layout(dist, work, onefile=False))
        if not args.no_onefile:
            build.build(build.layout(dist, work, onefile=True))
    else:
        dist, work = args.dist.resolve(), ROOT / "build"
    onedir = build.layout(dist, work, onefile=False)
    onefile = build.layout(dist, work, onefile=True)

    import PyInstaller

    print(
        f"Descent Lab {build.VERSION} bundle: {sys.platform} {platform.machine()}, "
        f"Python {platform.python_version()}, PyInstaller {PyInstaller.__version__}"
    )
    if not onedir.executable.exists():
        print(f"no one-folder build at {onedir.app_dir}")
        return 1
    folder = build.tree_size(onedir.app_dir)
    print(f"one-folder app   {build.mb(folder):>9}   (target <= 100 MB)  {onedir.app_dir}")
    if onedir.archive.exists():
        size = onedir.archive.stat().st_size
        print(f"archive          {build.mb(size):>9}   (target <= 40 MB)   {onedir.archive}")
        if onedir.archive.name.endswith(".tar.xz"):
            print(f"  same as .tar.gz {build.mb(gzip_size(onedir.app_dir)):>8}   (for comparison)")
    else:
        print("archive          (none built)")
    commands = {
        "source (python main.py)": [sys.executable, str(ROOT / "main.py")],
        "frozen one-folder": [str(onedir.executable)],
    }
    if onefile.executable.exists() and not args.no_onefile:
        print(f"one-file app     {build.mb(onefile.executable.stat().st_size):>9}")
        commands["frozen one-file"] = [str(onefile.executable)]
    else:
        print("one-file app     (none built)")

    report_start_up(commands, args.runs)
    if tmp_build is not None:
        tmp_build.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
