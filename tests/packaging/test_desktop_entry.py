"""The Linux desktop entry (freedesktop.org Desktop Entry Specification 1.5) and its installer."""

import configparser
import os
import shutil
import subprocess
import sys

import pytest

from engine.version import APP_ID, APP_NAME
from tests.packaging._helpers import PACKAGING, ROOT

DESKTOP = PACKAGING / "descentlab.desktop"
INSTALLER = PACKAGING / "install-desktop-entry.sh"
REQUIRED = {"Type", "Name", "Exec", "Icon"}


def read_entry(path):
    parser = configparser.ConfigParser(interpolation=None, strict=True)  # strict: no dup keys
    parser.optionxform = str  # keys are case-sensitive in desktop entries
    parser.read_string(path.read_text(encoding="utf-8"))
    assert parser.sections()[0] == "Desktop Entry", "the first group must be [Desktop Entry]"
    return dict(parser["Desktop Entry"])


def test_template_has_the_required_keys_and_names_the_app():
    entry = read_entry(DESKTOP)
    assert REQUIRED <= set(entry)
    assert entry["Type"] == "Application"
    assert entry["Name"] == APP_NAME
    assert entry["Exec"] == APP_ID
    assert entry["Terminal"] == "false"
    # list values end with a semicolon; main category from the registered list
    assert entry["Categories"].endswith(";")
    assert "Education" in entry["Categories"].split(";")
    icon = entry["Icon"]
    assert "/" not in icon and not icon.endswith(".png"), "Icon is a theme name, not a path"
    assert (ROOT / "resources" / "icons" / f"{icon}-256.png").exists()


@pytest.mark.skipif(sys.platform == "win32" or shutil.which("sh") is None, reason="POSIX sh")
def test_installer_writes_an_absolute_entry_and_icons_and_removes_them(tmp_path):
    # a fake unpacked bundle: program, installer, template and icons where the bundle has them
    app = tmp_path / "Descent Lab folder"  # a space, as in real download folders
    icons = app / "_internal" / "resources" / "icons"
    icons.mkdir(parents=True)
    for n in (16, 256):
        shutil.copy2(ROOT / "resources" / "icons" / f"descentlab-{n}.png", icons)
    exe = app / APP_ID
    exe.write_text("#!/bin/sh\nexit 0\n")
    exe.chmod(0o755)
    shutil.copy2(DESKTOP, app / DESKTOP.name)
    shutil.copy2(INSTALLER, app / INSTALLER.name)
    data = tmp_path / "data"
    env = {**os.environ, "XDG_DATA_HOME": str(data), "HOME": str(tmp_path / "home")}
    env["PATH"] = "/usr/bin:/bin"  # no desktop-database tools needed

    before = sorted(p.relative_to(app) for p in app.rglob("*"))
    done = subprocess.run(
        ["sh", str(app / INSTALLER.name)], env=env, capture_output=True, text=True, timeout=30
    )
    assert done.returncode == 0, done.stderr
    entry_path = data / "applications" / "descentlab.desktop"
    entry = read_entry(entry_path)
    assert entry["Exec"] == f'"{exe}"'  # quoted: the path has a space
    assert entry["TryExec"] == str(exe)
    assert entry["Icon"] == "descentlab"
    assert (data / "icons" / "hicolor" / "256x256" / "apps" / "descentlab.png").exists()
    assert (data / "icons" / "hicolor" / "16x16" / "apps" / "descentlab.png").exists()
    assert sorted(p.relative_to(app) for p in app.rglob("*")) == before, "wrote into the app"

    undone = subprocess.run(
        ["sh", str(app / INSTALLER.name), "--remove"],
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert undone.returncode == 0, undone.stderr
    assert not entry_path.exists()
    assert not (data / "icons" / "hicolor" / "256x256" / "apps" / "descentlab.png").exists()


@pytest.mark.skipif(sys.platform == "win32" or shutil.which("sh") is None, reason="POSIX sh")
def test_installer_refuses_a_folder_without_the_program(tmp_path):
    shutil.copy2(INSTALLER, tmp_path / INSTALLER.name)
    env = {**os.environ, "XDG_DATA_HOME": str(tmp_path / "data")}
    done = subprocess.run(
        ["sh", str(tmp_path / INSTALLER.name)], env=env, capture_output=True, text=True
    )
    assert done.returncode == 1
    assert "no DescentLab program" in done.stderr
    assert not (tmp_path / "data").exists()
