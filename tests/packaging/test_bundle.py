"""Build the one-folder desktop app into a temporary folder and start it (about 1.5 minutes).

This is `make bundle-test` inside `make test`: PyInstaller builds the bundle with
packaging/build.py, then the frozen program runs --self-test offscreen; it must exit 0 and
save a non-blank screenshot. The built folder is then checked for what must (app code,
resources, the BLAS runtime hook) and must not (test and build tools, PyTorch, Tk, unused
Qt parts) be inside. Building into tmp_path keeps parallel runs apart.
"""

import faulthandler
import subprocess
import sys
from pathlib import Path

import pytest

from tests.packaging._helpers import PACKAGING, load

build = load("build")

pytestmark = pytest.mark.slow

BUILD_TIMEOUT = 900  # seconds for PyInstaller plus the self-test; a normal run takes ~90
SELF_TEST_TIMEOUT = 180


def _tail(text: str, n: int = 60) -> str:
    lines = (text or "").splitlines()
    return "\n".join(lines[-n:])


@pytest.fixture(scope="module")
def bundle(tmp_path_factory):
    # The build legitimately outlasts pytest's faulthandler_timeout; the subprocess timeouts
    # below are this test's guard against hanging.
    faulthandler.cancel_dump_traceback_later()
    tmp = tmp_path_factory.mktemp("bundle")
    shot = tmp / "self-test.png"
    cmd = [
        sys.executable,
        str(PACKAGING / "build.py"),
        "--dist", str(tmp / "dist"),
        "--work", str(tmp / "build"),
        "--no-archive",
        "--test",
        "--screenshot", str(shot),
        "--timeout", str(SELF_TEST_TIMEOUT),
    ]  # fmt: skip
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=BUILD_TIMEOUT)
    except subprocess.TimeoutExpired as exc:
        pytest.fail(
            f"building and self-testing the bundle took over {BUILD_TIMEOUT} s\n"
            f"--- stdout (end) ---\n{_tail(exc.stdout)}\n"
            f"--- stderr (end) ---\n{_tail(exc.stderr)}"
        )
    if proc.returncode != 0:
        pytest.fail(
            f"packaging/build.py --test exited {proc.returncode}\n"
            f"--- stdout (end) ---\n{_tail(proc.stdout)}\n"
            f"--- stderr (end) ---\n{_tail(proc.stderr)}"
        )
    lay = build.layout(tmp / "dist", tmp / "build", onefile=False)
    files = [p for p in lay.app_dir.rglob("*") if p.is_file() or p.is_symlink()]
    return {"layout": lay, "shot": shot, "stdout": proc.stdout, "files": files}


def test_frozen_app_passes_its_self_test(bundle):
    assert "self-test passed" in bundle["stdout"]
    assert build.png_problem(bundle["shot"]) is None


def _rel(bundle) -> list[str]:
    root = bundle["layout"].app_dir
    return [p.relative_to(root).as_posix() for p in bundle["files"]]


def test_bundle_leaves_out_tools_torch_tk_and_unused_qt(bundle):
    paths = _rel(bundle)
    forbidden_dirs = {"torch", "pytest", "_pytest", "hypothesis", "PyInstaller", "tkinter",
                      "_tcl_data", "_tk_data", "sympy", "translations", "tls",
                      "platformthemes", "wayland-shell-integration", "sqldrivers"}  # fmt: skip
    hits = [p for p in paths if forbidden_dirs & set(p.split("/")[:-1])]
    assert not hits, f"left in the bundle: {hits[:10]}"
    forbidden_names = ("Qt6Network", "Qt6Qml", "Qt6Quick", "Qt6Wayland", "libtk", "libtcl",
                       "libssl", "libcrypto", "libgtk", "ffmpeg-", "opengl32sw")  # fmt: skip
    hits = [p for p in paths if any(f in p.rsplit("/", 1)[-1] for f in forbidden_names)]
    assert not hits, f"left in the bundle: {hits[:10]}"


def test_bundle_keeps_what_the_app_needs(bundle):
    paths = _rel(bundle)
    names = {p.rsplit("/", 1)[-1] for p in paths}
    assert any(n.startswith(("libqoffscreen", "qoffscreen")) for n in names)
    native = {"linux": "libqxcb", "win32": "qwindows", "darwin": "libqcocoa"}
    key = "linux" if sys.platform.startswith("linux") else sys.platform
    assert any(n.startswith(native[key]) for n in names), "no native platform plugin"
    assert any(p.endswith("resources/icons/descentlab-256.png") for p in paths)
    assert any("pyqtgraph/colors/maps/" in p for p in paths), "pyqtgraph colormaps"


def test_bundle_holds_app_code_and_runs_the_blas_hook_first(bundle):
    from PyInstaller.archive.readers import CArchiveReader

    exe = bundle["layout"].executable
    if sys.platform == "darwin":  # the .app's program; the folder build has the same archive
        exe = bundle["layout"].app_dir / build.APP_ID
    pkg = CArchiveReader(str(exe))
    order = list(pkg.toc)
    assert "rthook_blas" in order and "main" in order
    assert order.index("rthook_blas") < order.index("main")
    modules = set(pkg.open_embedded_archive("PYZ.pyz").toc)
    assert {"engine", "engine.version", "gui", "gui.app"} <= modules
    roots = {m.split(".")[0] for m in modules}
    assert not roots & {"torch", "pytest", "_pytest", "hypothesis", "PyInstaller", "tkinter",
                        "psutil", "setuptools", "pip"}  # fmt: skip


def test_bundle_holds_the_labs_imported_on_first_use(bundle):
    # gui.app imports the network lab only when its tab first shows (start-up time), so
    # the self-test never loads it: the archive must hold it all the same.
    from PyInstaller.archive.readers import CArchiveReader

    exe = bundle["layout"].executable
    if sys.platform == "darwin":
        exe = bundle["layout"].app_dir / build.APP_ID
    modules = set(CArchiveReader(str(exe)).open_embedded_archive("PYZ.pyz").toc)
    lazy = {"gui.network_lab", "gui.panels.net_column_panel", "gui.controls.net_editor"}
    assert lazy | {"engine.nn.training", "engine.nn.config_io"} <= modules


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="budget measured on Linux")
def test_linux_bundle_stays_within_the_size_budget(bundle):
    size = build.tree_size(bundle["layout"].app_dir)
    assert size <= 150e6, f"one-folder app is {size / 1e6:.1f} MB, budget 150 MB"


def test_nothing_is_written_beside_the_program_by_the_self_test(bundle):
    # the self-test saved its screenshot where it was told; the app folder got no user files
    root = bundle["layout"].app_dir
    top = sorted(p.name for p in Path(root).iterdir())
    expected = {build.APP_ID, build.APP_ID + ".exe", "_internal", "descentlab.desktop",
                "install-desktop-entry.sh"}  # fmt: skip
    assert set(top) <= expected, f"unexpected files beside the program: {set(top) - expected}"
