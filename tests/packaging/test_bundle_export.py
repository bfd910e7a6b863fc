"""Freeze a recording probe with the app's spec and check it writes a GIF and an MP4 (~1 min).

The GUI's --self-test does not record, so tests/packaging/export_probe.py stands in for the
app: it is built with packaging/descentlab.spec (`--entry`), which gives it the app's exact
module set and trimming, and drives gui.recorder.Recorder over a solid-colour widget. The
GIF is decoded with Qt's GIF reader (not Pillow, which wrote it) and must hold the recorded
colours; the MP4 is written with the ffmpeg binary the venv has (the bundle ships none) and
counted by ffmpeg. The frozen tree is also checked for the export modules themselves.
"""

import faulthandler
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.packaging._helpers import PACKAGING, ROOT, load

build = load("build")
trim = load("trim")

pytestmark = pytest.mark.slow

BUILD_TIMEOUT = 600
RUN_TIMEOUT = 120
PROBE = Path(__file__).with_name("export_probe.py")
# what export_probe.COLOURS records, written out again: the test's own statement of truth
EXPECTED_COLOURS = [(213, 94, 0), (0, 114, 178), (240, 228, 66)]


def _ffmpeg() -> str | None:
    try:
        import imageio_ffmpeg

        exe = imageio_ffmpeg.get_ffmpeg_exe()
    except Exception:
        return None
    return exe if exe and Path(exe).is_file() else None


@pytest.fixture(scope="module")
def probe(tmp_path_factory):
    faulthandler.cancel_dump_traceback_later()  # the build outlasts faulthandler_timeout
    tmp = tmp_path_factory.mktemp("export-probe")
    dist, work = tmp / "dist", tmp / "build"
    cmd = [sys.executable, "-m", "PyInstaller", str(PACKAGING / "descentlab.spec"),
           "--noconfirm", "--distpath", str(dist), "--workpath", str(work),
           "--log-level", "WARN", "--", "--entry", str(PROBE)]  # fmt: skip
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=BUILD_TIMEOUT)
    assert proc.returncode == 0, f"PyInstaller failed:\n{proc.stderr[-4000:]}"
    lay = build.layout(dist, work, onefile=False)
    exe = lay.app_dir / (build.APP_ID + (".exe" if sys.platform == "win32" else ""))
    out = tmp / "out"
    env = build.self_test_env()
    args = [str(exe), str(out)]
    ffmpeg = _ffmpeg()
    if ffmpeg is not None:
        env["IMAGEIO_FFMPEG_EXE"] = ffmpeg
        args.append("mp4")
    run = subprocess.run(args, env=env, capture_output=True, text=True, timeout=RUN_TIMEOUT)
    error = out / "error.txt"
    assert run.returncode == 0, (
        f"frozen probe exited {run.returncode}\n"
        f"{error.read_text() if error.exists() else run.stderr[-4000:]}"
    )
    return {"out": out, "exe": exe, "app_dir": lay.app_dir, "ffmpeg": ffmpeg}


def test_frozen_recorder_writes_a_gif_with_the_recorded_frames(probe):
    from PySide6.QtGui import QImageReader

    path = probe["out"] / "probe.gif"
    reader = QImageReader(str(path))
    assert bytes(reader.format().data()) == b"gif"
    colours = []
    while reader.canRead():
        img = reader.read()
        if img.isNull():
            break
        assert (img.width(), img.height()) == (64, 48)
        c = img.pixelColor(img.width() // 2, img.height() // 2)
        colours.append((c.red(), c.green(), c.blue()))
    assert colours == EXPECTED_COLOURS
    assert path.read_bytes()[-1:] == b";", "GIF trailer missing"


def test_frozen_recorder_writes_an_mp4_when_ffmpeg_is_given(probe):
    if probe["ffmpeg"] is None:
        pytest.skip("no ffmpeg binary in this environment")
    import imageio_ffmpeg

    path = probe["out"] / "probe.mp4"
    assert path.read_bytes()[4:8] == b"ftyp", "not an MP4 (ISO base media) file"
    frames, _secs = imageio_ffmpeg.count_frames_and_secs(str(path))
    assert frames == len(EXPECTED_COLOURS)


def test_frozen_tree_holds_the_export_modules_and_no_ffmpeg(probe):
    from PyInstaller.archive.readers import CArchiveReader

    modules = set(CArchiveReader(str(probe["exe"])).open_embedded_archive("PYZ.pyz").toc)
    missing = set(trim.EXPORT_MODULES) - modules
    assert not missing, f"export modules missing from the bundle: {sorted(missing)}"
    # imageio's other plugins and Pillow's other formats are cut by packaging/hooks
    assert not {"imageio.plugins.tifffile", "imageio.plugins.opencv", "PIL.WebPImagePlugin",
                "PIL.AvifImagePlugin", "PIL.ImageQt"} & modules  # fmt: skip
    files = [p.relative_to(probe["app_dir"]).as_posix() for p in probe["app_dir"].rglob("*")]
    assert any(p.split("/")[-1].startswith("_imaging.") for p in files), "PIL._imaging missing"
    assert not any(p.split("/")[-1].startswith("ffmpeg") for p in files), "ffmpeg bundled"
    assert not any(n in p for p in files for n in ("_avif", "_webp", "libavif", "libwebp"))
    # imageio reads its own version from its metadata at import
    assert any(re.fullmatch(r"imageio-[\d.]+\.dist-info", p.split("/")[-1]) for p in files)
