"""The rules that decide what the bundle leaves out (packaging/trim.py), without building."""

import ctypes
import os
import shutil
import struct
import sys
from pathlib import Path

import pytest

from tests.packaging._helpers import load

trim = load("trim")


@pytest.mark.parametrize(
    ("dest", "kept"),
    [
        ("PySide6/Qt/plugins/platforms/libqxcb.so", True),
        ("PySide6/Qt/plugins/platforms/libqoffscreen.so", True),
        ("PySide6/Qt/plugins/platforms/libqwayland.so", False),
        ("PySide6/Qt/plugins/platforms/libqvnc.so", False),
        ("PySide6/Qt/plugins/platformthemes/libqgtk3.so", False),
        ("PySide6/Qt/plugins/tls/libqopensslbackend.so", False),
        ("PySide6/Qt/plugins/wayland-shell-integration/libxdg-shell.so", False),
        ("PySide6/Qt/plugins/imageformats/libqsvg.so", True),
        ("PySide6/Qt/plugins/imageformats/libqtiff.so", False),
        ("PySide6/Qt/plugins/xcbglintegrations/libqxcb-glx-integration.so", True),
        ("PySide6/Qt/plugins/platforminputcontexts/libibusplatforminputcontextplugin.so", True),
        # Windows and macOS layouts
        ("PySide6\\plugins\\platforms\\qwindows.dll", True),
        ("PySide6\\plugins\\platforms\\qdirect2d.dll", False),
        ("PySide6\\plugins\\styles\\qmodernwindowsstyle.dll", True),
        ("PySide6/Qt/plugins/platforms/libqcocoa.dylib", True),
        ("PySide6/Qt/plugins/styles/libqmacstyle.dylib", True),
        # not plugins at all
        ("PySide6/Qt/lib/libQt6Core.so.6", True),
        ("numpy/_core/_multiarray_umath.cpython-311-x86_64-linux-gnu.so", True),
    ],
)
def test_keep_plugin(dest, kept):
    assert trim.keep_plugin(dest) is kept


def test_plugin_parts_names_folder_and_plugin():
    assert trim.plugin_parts("PySide6/Qt/plugins/platforms/libqxcb.so") == ("platforms", "qxcb")
    assert trim.plugin_parts("PySide6\\plugins\\imageformats\\qico.dll") == ("imageformats", "qico")
    assert trim.plugin_parts("pyqtgraph/plugins/x.py") is None


@pytest.mark.parametrize(
    ("dest", "expected"),
    [
        ("PySide6/Qt/translations/qtbase_de.qm", True),
        ("PySide6\\translations\\qt_fr.qm", True),
        ("resources/translations/x.qm", False),
        ("PySide6/Qt/lib/libQt6Core.so.6", False),
    ],
)
def test_is_translation(dest, expected):
    assert trim.is_translation(dest) is expected


@pytest.mark.parametrize(
    ("dest", "kept"),
    [
        ("PySide6/Qt/lib/libQt6Network.so.6", False),
        ("PySide6/Qt6Network.dll", False),
        ("PySide6/Qt/lib/libQt6WaylandClient.so.6", False),
        ("PySide6/Qt/lib/libQt6QuickControls2.so.6", False),
        ("PySide6/opengl32sw.dll", False),
        ("PySide6/Qt/lib/libQt6Widgets.so.6", True),
        ("PySide6/Qt/lib/libQt6OpenGL.so.6", True),  # pyqtgraph imports QtOpenGL at load
        ("numpy.libs/libscipy_openblas64_-32a4b2a6.so", True),
    ],
)
def test_keep_library(dest, kept):
    assert trim.keep_library(dest) is kept


@pytest.mark.parametrize(
    ("dest", "dropped"),
    [
        ("imageio_ffmpeg/binaries/ffmpeg-linux-x86_64-v9.0.2", True),
        ("imageio_ffmpeg\\binaries\\ffmpeg-win-x86_64-v7.1.exe", True),
        ("imageio_ffmpeg/binaries/__init__.py", False),
        ("imageio/resources/shipped_resources_go_here", False),
    ],
)
def test_is_bundled_ffmpeg(dest, dropped):
    assert trim.is_bundled_ffmpeg(dest) is dropped


def test_excluded_modules_cover_the_test_and_build_tools():
    must = {"torch", "pytest", "_pytest", "hypothesis", "PyInstaller", "tkinter", "_tkinter"}
    assert must <= set(trim.EXCLUDED_MODULES)
    # what pyqtgraph 0.14 and the app import at load must never be excluded
    for needed in ("PySide6.QtOpenGL", "PySide6.QtSvg", "PySide6.QtTest", "pydoc", "numpy"):
        assert needed not in trim.EXCLUDED_MODULES


def test_reachable_libraries_follows_links_transitively():
    graph = {
        "ext.so": ["libA.so", "libc.so.6"],
        "libA.so": ["libB.so"],
        "libB.so": ["libA.so"],  # a cycle must not loop
        "plugin.so": ["libC.so"],
        "orphan.so": ["libD.so"],
    }
    got = trim.reachable_libraries(["ext.so", "plugin.so"], lambda n: graph.get(n, []))
    assert got == {"ext.so", "libA.so", "libB.so", "libc.so.6", "plugin.so", "libC.so"}


def _elf64(section_names: list[bytes]) -> bytes:
    """A minimal little-endian ELF64 file with the given section names (System V gABI)."""
    shstrtab = b"\0" + b"".join(n + b"\0" for n in [*section_names, b".shstrtab"])
    offsets, pos = [], 1
    for n in [*section_names, b".shstrtab"]:
        offsets.append(pos)
        pos += len(n) + 1
    ehsize, shentsize = 64, 64
    strtab_off = ehsize
    shoff = strtab_off + len(shstrtab)
    shnum = 1 + len(section_names) + 1  # null section first
    header = (
        b"\x7fELF\x02\x01\x01" + b"\0" * 9
        + struct.pack("<HHIQQQIHHHHHH", 3, 62, 1, 0, 0, shoff, 0, ehsize, 0, 0,
                      shentsize, shnum, shnum - 1)
    )  # fmt: skip
    sections = [b"\0" * shentsize]
    for off in offsets[:-1]:
        sections.append(struct.pack("<IIQQQQIIQQ", off, 1, 0, 0, 0, 0, 0, 0, 1, 0))
    sections.append(
        struct.pack("<IIQQQQIIQQ", offsets[-1], 3, 0, 0, strtab_off, len(shstrtab), 0, 0, 1, 0)
    )
    return header + shstrtab + b"".join(sections)


def test_elf_debug_detection(tmp_path):
    with_debug = tmp_path / "a.so"
    with_debug.write_bytes(_elf64([b".text", b".debug_info", b".symtab"]))
    without = tmp_path / "b.so"
    without.write_bytes(_elf64([b".text", b".symtab", b".dynsym"]))
    not_elf = tmp_path / "c.txt"
    not_elf.write_bytes(b"hello, this is not an ELF file at all")
    truncated = tmp_path / "d.so"
    truncated.write_bytes(_elf64([b".debug_line"])[:80])
    assert trim.elf_has_debug_info(with_debug)
    assert not trim.elf_has_debug_info(without)
    assert not trim.elf_has_debug_info(not_elf)
    assert not trim.elf_has_debug_info(truncated)
    assert not trim.elf_has_debug_info(tmp_path / "missing.so")


def test_icu_major_from_library_name():
    assert trim.icu_major("libicudata.so.73") == 73
    assert trim.icu_major("libicudata.so.73.2") == 73
    assert trim.icu_major("libicuuc.so.73") is None
    assert trim.icu_major("icudt73.dll") is None


@pytest.mark.skipif(
    not sys.platform.startswith("linux") or not (shutil.which("cc") or shutil.which("gcc")),
    reason="the ICU stub is built on Linux with a C compiler",
)
def test_icu_stub_is_an_empty_icu_common_data_package(tmp_path):
    lib = trim.build_icu_stub(73, tmp_path)
    assert lib is not None and lib.name == "libicudata.so.73"
    assert lib.stat().st_size < 100_000
    data = ctypes.CDLL(str(lib))
    raw = bytes((ctypes.c_uint8 * 40).in_dll(data, "icudt73_dat"))
    # ICU udata.cpp: MappedData header (headerSize, magic 0xda 0x27), then UDataInfo with
    # dataFormat "ToCP" (a common-data table of contents); the entry count follows at 32.
    header_size, magic1, magic2 = struct.unpack("<HBB", raw[:4])
    assert (header_size, magic1, magic2) == (32, 0xDA, 0x27)
    info_size, _reserved, big_endian, charset, sizeof_uchar = struct.unpack("<HHBBB", raw[4:11])
    assert (info_size, big_endian, charset, sizeof_uchar) == (20, 0, 0, 2)
    assert raw[12:16] == b"ToCP"
    assert struct.unpack("<I", raw[32:36]) == (0,)


def _lazy_imports(path) -> set[str]:
    """Modules `path` imports from Pillow and imageio (at any depth, lazily or not)."""
    import ast

    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            # `from PIL import GifImagePlugin` imports the submodule PIL.GifImagePlugin
            names.update(f"{node.module}.{a.name}" for a in node.names if a.name[:1].isupper())
    return {n for n in names if n.split(".")[0] in {"PIL", "imageio", "imageio_ffmpeg"}}


def test_export_modules_cover_what_the_recorder_imports():
    from tests.packaging._helpers import ROOT

    used = _lazy_imports(ROOT / "gui" / "recorder.py")
    assert used, "gui/recorder.py no longer imports Pillow or imageio: update EXPORT_MODULES"
    # a package (PIL) is covered by any of its modules listed (PIL.Image)
    listed = set(trim.EXPORT_MODULES)
    missing = {
        m for m in used if m not in listed and not any(x.startswith(m + ".") for x in listed)
    }
    assert not missing, f"imported by gui/recorder.py but not named in EXPORT_MODULES: {missing}"


def test_export_modules_are_not_excluded():
    for name in trim.EXPORT_MODULES:
        assert not any(name == ex or name.startswith(ex + ".") for ex in trim.EXCLUDED_MODULES), (
            name
        )


def test_symbol_tables_count_as_strippable(tmp_path):
    symtab = tmp_path / "a.so"
    symtab.write_bytes(_elf64([b".text", b".symtab", b".dynsym"]))
    dynamic_only = tmp_path / "b.so"
    dynamic_only.write_bytes(_elf64([b".text", b".dynsym", b".dynstr"]))
    assert trim.elf_strippable(symtab) and not trim.elf_has_debug_info(symtab)
    assert not trim.elf_strippable(dynamic_only)
    assert trim.elf_section_names(dynamic_only)[1:4] == [".text", ".dynsym", ".dynstr"]
    assert trim.elf_section_names(tmp_path / "missing.so") == []


def test_strip_unneeded_copy_still_loads_and_runs(tmp_path):
    import subprocess

    cc = shutil.which("cc") or shutil.which("gcc")
    if cc is None or shutil.which("strip") is None:
        pytest.skip("needs a C compiler and binutils' strip")
    src = tmp_path / "twice.c"
    src.write_text(
        "static int helper(int x) { return 2 * x; }\nint twice(int x) { return helper(x); }\n"
    )
    lib = tmp_path / "libtwice.so"
    subprocess.run([cc, "-shared", "-fPIC", "-g", "-o", str(lib), str(src)], check=True)
    assert trim.elf_strippable(lib)
    out = trim.stripped_copy(str(lib), tmp_path / "cache", unneeded=True)
    assert out != str(lib) and not trim.elf_strippable(out)
    assert type(lib)(out).stat().st_size < lib.stat().st_size
    assert ctypes.CDLL(out).twice(21) == 42


def _elf64_load(offset: int, vaddr: int) -> bytes:
    """An ELF64 header with one PT_LOAD program header at ``offset``/``vaddr``."""
    header = (
        b"\x7fELF\x02\x01\x01" + b"\0" * 9
        + struct.pack("<HHIQQQIHHHHHH", 3, 62, 1, 0, 64, 0, 0, 64, 56, 1, 64, 0, 0)
    )  # fmt: skip
    return header + struct.pack("<IIQQQQQQ", 1, 5, offset, vaddr, vaddr, 16, 16, 4096)


def test_load_segment_alignment_as_the_loader_checks_it(tmp_path):
    good, bad = tmp_path / "good.so", tmp_path / "bad.so"
    good.write_bytes(_elf64_load(0x1000, 0x201000))
    bad.write_bytes(_elf64_load(0x1000, 0x201010))
    assert trim.elf_loads_aligned(good, page=4096)
    assert not trim.elf_loads_aligned(bad, page=4096)
    assert trim.elf_loads_aligned(tmp_path / "missing.so")


def test_a_stripped_patchelf_library_is_never_used_broken(tmp_path):
    # numpy's OpenBLAS comes from an auditwheel-repaired wheel; strip --strip-unneeded
    # leaves it unloadable ("ELF load command address/offset not page-aligned")
    import glob

    import numpy

    libs = glob.glob(os.path.join(os.path.dirname(numpy.__file__) + ".libs", "*openblas*"))
    if not libs or shutil.which("strip") is None:
        pytest.skip("needs numpy's bundled OpenBLAS and binutils' strip")
    out = trim.stripped_copy(libs[0], tmp_path, unneeded=True)
    ctypes.CDLL(out)  # the real loader accepts whatever stripped_copy returns


def test_a_misaligned_copy_left_in_the_cache_is_not_reused(tmp_path):
    import subprocess

    cc = shutil.which("cc") or shutil.which("gcc")
    if cc is None or shutil.which("strip") is None:
        pytest.skip("needs a C compiler and binutils' strip")
    src = tmp_path / "one.c"
    src.write_text("int one(void) { return 1; }\n")
    lib = tmp_path / "libone.so"
    subprocess.run([cc, "-shared", "-fPIC", "-o", str(lib), str(src)], check=True)
    cached = Path(trim.stripped_copy(str(lib), tmp_path / "cache", unneeded=True))
    assert cached != lib
    cached.write_bytes(_elf64_load(0x1000, 0x201010))  # what a broken strip leaves behind
    again = trim.stripped_copy(str(lib), tmp_path / "cache", unneeded=True)
    assert again == str(lib)
    assert ctypes.CDLL(again).one() == 1


_IMPORT_ALL = """
import importlib, pkgutil, sys
import engine, gui
for pkg in (engine, gui):
    for info in pkgutil.walk_packages(pkg.__path__, pkg.__name__ + "."):
        if ".tests" not in info.name:
            importlib.import_module(info.name)
import gui.recorder, PIL.Image, imageio.v2  # the export's lazy imports
print("\\n".join(sorted(sys.modules)))
"""


def test_nothing_the_app_imports_is_excluded():
    # A frozen app missing one of these fails at start (engine/validate.py once needed the
    # excluded unicodedata: ModuleNotFoundError, self-test red). Test tools are imported by
    # nothing in engine/ or gui/, so any overlap is a module the bundle must keep.
    import os
    import subprocess
    import sys

    from tests.packaging._helpers import ROOT

    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    proc = subprocess.run(
        [sys.executable, "-c", _IMPORT_ALL],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    bare = subprocess.run(
        [sys.executable, "-c", "import sys; print('\\n'.join(sys.modules))"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    # what the interpreter loads before any app code (site's .pth hooks), and imports that
    # fall back by design: hashlib uses its built-in digests without OpenSSL's _hashlib
    optional = set(bare.stdout.split()) | {"_hashlib"}
    loaded = set(proc.stdout.split()) - optional
    clash = sorted(
        m for m in loaded if any(m == ex or m.startswith(ex + ".") for ex in trim.EXCLUDED_MODULES)
    )
    assert not clash, f"imported by the app but excluded from the bundle: {clash}"
