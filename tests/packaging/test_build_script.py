"""packaging/build.py without PyInstaller: layout, archive, the blank-screenshot check."""

import os
import sys
import tarfile
import zipfile

import pytest

from engine.version import APP_ID, __version__
from tests.packaging._helpers import load

build = load("build")
winver = load("winver")


def test_version_and_name_come_from_engine_version(tmp_path):
    assert (build.APP_ID, build.VERSION) == (APP_ID, __version__)
    lay = build.layout(tmp_path / "dist", tmp_path / "build", onefile=False)
    assert lay.archive.name.startswith(f"{APP_ID}-{__version__}-")
    assert lay.app_dir == tmp_path / "dist" / APP_ID


def test_one_folder_and_one_file_builds_never_share_folders(tmp_path):
    a = build.layout(tmp_path / "dist", tmp_path / "build", onefile=False)
    b = build.layout(tmp_path / "dist", tmp_path / "build", onefile=True)
    assert a.work != b.work
    assert b.executable.parent != a.app_dir
    assert not b.executable.is_relative_to(a.app_dir)


def test_tree_size_counts_files_once_and_links_not_at_all(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "a").write_bytes(b"x" * 1000)
    (tmp_path / "sub" / "b").write_bytes(b"y" * 234)
    if sys.platform != "win32":
        os.symlink("a", tmp_path / "link")
    assert build.tree_size(tmp_path) == 1234


@pytest.mark.skipif(sys.platform in ("win32", "darwin"), reason="Linux packs a .tar.xz")
def test_linux_archive_keeps_the_executable_bit_and_symlinks(tmp_path):
    lay = build.layout(tmp_path / "dist", tmp_path / "build", onefile=False)
    lay.app_dir.mkdir(parents=True)
    exe = lay.app_dir / APP_ID
    exe.write_bytes(b"\x7fELF pretend")
    exe.chmod(0o755)
    (lay.app_dir / "_internal").mkdir()
    (lay.app_dir / "_internal" / "libx.so.1").write_bytes(b"lib")
    os.symlink("_internal/libx.so.1", lay.app_dir / "libx.so.1")
    out = build.make_archive(lay)
    assert out == lay.archive and out.name.endswith(".tar.xz")
    with tarfile.open(out) as tar:
        members = {m.name: m for m in tar.getmembers()}
    assert members[f"{APP_ID}/{APP_ID}"].mode & 0o111 == 0o111
    assert members[f"{APP_ID}/libx.so.1"].issym()
    assert members[f"{APP_ID}/libx.so.1"].linkname == "_internal/libx.so.1"
    assert all(name.split("/")[0] == APP_ID for name in members), "one top-level folder"


@pytest.mark.skipif(sys.platform != "win32", reason="Windows packs a .zip")
def test_windows_archive_is_a_zip_with_one_top_folder(tmp_path):
    lay = build.layout(tmp_path / "dist", tmp_path / "build", onefile=False)
    lay.app_dir.mkdir(parents=True)
    (lay.app_dir / f"{APP_ID}.exe").write_bytes(b"MZ")
    out = build.make_archive(lay)
    with zipfile.ZipFile(out) as z:
        assert {n.split("/")[0] for n in z.namelist()} == {APP_ID}


def _save(img, path):
    assert img.save(str(path), "PNG")
    return path


def test_png_problem_flags_blank_and_accepts_a_drawing(tmp_path):
    from PySide6.QtCore import QPointF, Qt
    from PySide6.QtGui import QColor, QImage, QLinearGradient, QPainter

    blank = QImage(300, 200, QImage.Format.Format_RGB32)
    blank.fill(QColor("#f0f0f0"))
    problem = build.png_problem(_save(blank, tmp_path / "blank.png"))
    assert problem is not None and "looks blank" in problem

    drawn = QImage(300, 200, QImage.Format.Format_RGB32)
    drawn.fill(Qt.GlobalColor.white)
    p = QPainter(drawn)
    grad = QLinearGradient(QPointF(0, 0), QPointF(300, 200))
    grad.setColorAt(0, QColor("navy"))
    grad.setColorAt(1, QColor("orange"))
    p.fillRect(0, 0, 300, 200, grad)
    p.end()
    assert build.png_problem(_save(drawn, tmp_path / "drawn.png")) is None

    assert "no screenshot" in build.png_problem(tmp_path / "missing.png")
    (tmp_path / "fake.png").write_bytes(b"GIF89a not a png")
    assert "not a PNG" in build.png_problem(tmp_path / "fake.png")


def test_self_test_env_is_offscreen_and_ignores_the_venv(monkeypatch):
    monkeypatch.setenv("PYTHONPATH", "/somewhere")
    monkeypatch.setenv("QT_PLUGIN_PATH", "/elsewhere")
    env = build.self_test_env()
    assert env["QT_QPA_PLATFORM"] == "offscreen"
    assert "PYTHONPATH" not in env and "QT_PLUGIN_PATH" not in env


@pytest.mark.parametrize(
    ("text", "nums"),
    [("0.1.0", (0, 1, 0, 0)), ("2", (2, 0, 0, 0)), ("1.2.3.4.5", (1, 2, 3, 4)),
     ("1.2.0rc1", (1, 2, 0, 0))],
)  # fmt: skip
def test_windows_version_numbers(text, nums):
    assert winver.version_tuple(text) == nums


@pytest.mark.parametrize("text", ["", "x.1", "70000.0"])
def test_windows_version_rejects_what_a_version_resource_cannot_hold(text):
    with pytest.raises(ValueError, match="version"):
        winver.version_tuple(text)
