"""What the Descent Lab bundle leaves out, and the helpers the spec file uses to leave it out.

PyInstaller's hooks collect generously: every Qt plugin a module might load, all Qt
translations, and every shared library those plugins link to. A naive build of the app
(`pyinstaller main.py`) measured 250 MB unpacked and 97 MB as .tar.gz on Linux; with these
rules it is 142.8 MB unpacked, 40.1 MB as .tar.xz, Pillow and imageio for GIF/MP4
export and PyOpenGL for the 3-D view included (0.7 MB of it; before the 3-D view: 141 MB /
39.3 MB / 55 MB as .tar.gz). The lists below cut what the app never loads; each entry says why
it is safe to cut. Nothing here imports PyInstaller, so the rules can be tested without
building. The rules name third-party and standard-library modules only, never the app's own
(engine/, gui/ are collected whole), so new modules there are always bundled.

What stays and why (Linux, 143 MB): OpenBLAS 25 MB (numpy's BLAS, every CPU kernel);
Qt's Gui, Widgets and Core 27 MB and their bindings 15 MB; QtOpenGL's binding 9 MB
(pyqtgraph's PlotCurveItem imports QtOpenGL at import time, and its OpenGLHelpers subclasses
QOpenGLWidget); ICU's code 7 MB (QtCore links it; its 32 MB data is replaced, see
build_icu_stub); numpy 14 MB; libpython 6.5 MB; Pillow's codecs 5 MB (linked by
PIL._imaging). Reaching 100 MB would take dropping one of these. A slimmer OpenBLAS is
not safe: numpy's wheel builds it with DYNAMIC_ARCH, choosing kernels for the CPU it runs
on; one built for the build machine's CPU can stop with an illegal instruction on another.
"""

from __future__ import annotations

import fnmatch
import os
import re
import shutil
import struct
import subprocess
import zlib
from collections.abc import Callable, Iterable
from pathlib import Path, PurePosixPath

# Python modules the frozen app must never contain. Test tools, the optional PyTorch test
# oracle, the build tools themselves, and standard-library parts with large native
# dependencies the app does not use (Tk, TLS/OpenSSL, readline, curses, sqlite).
EXCLUDED_MODULES: tuple[str, ...] = (
    # test and development tools (pulled in by numpy.testing and pytest plugins)
    "pytest",
    "_pytest",
    "pytestqt",
    "py",
    "pluggy",
    "iniconfig",
    "hypothesis",
    "_hypothesis_ftz_detector",
    "_hypothesis_globals",
    "_hypothesis_pytestplugin",
    "sortedcontainers",
    "psutil",
    "ruff",
    "numpy.testing",
    "numpy.f2py",
    "unittest",
    "doctest",
    "pdb",
    # the optional PyTorch test oracle and its dependencies
    "torch",
    "torchgen",
    "functorch",
    "sympy",
    "mpmath",
    "networkx",
    "jinja2",
    "markupsafe",
    "fsspec",
    "filelock",
    # the build tools
    "PyInstaller",
    "_pyinstaller_hooks_contrib",
    "altgraph",
    "pip",
    "setuptools",
    "pkg_resources",
    "_distutils_hack",
    "distutils",
    # standard-library parts the app does not use and that drag in native libraries
    "tkinter",
    "_tkinter",
    "turtle",
    "turtledemo",
    "idlelib",
    "lib2to3",
    "ssl",
    "_ssl",
    "_hashlib",
    "readline",
    "curses",
    "_curses",
    "sqlite3",
    "_sqlite3",
    "dbm",
    "pydoc_data",  # help() topics; pydoc itself stays (pyqtgraph imports it)
    # East Asian multibyte text codecs (1.2 MB of extension modules): no module the app, its
    # export or its libraries import loads them (tests/packaging/test_trim.py imports every
    # GUI, export and engine module and checks); text is UTF-8. The Unicode database
    # (unicodedata) stays: engine/validate.py reads character categories to clean typed input.
    "_codecs_cn",
    "_codecs_hk",
    "_codecs_iso2022",
    "_codecs_jp",
    "_codecs_kr",
    "_codecs_tw",
    "_multibytecodec",
    # Pillow's optional codecs and bindings (imageio's GIF/PNG writers need only PIL._imaging;
    # AVIF alone is 5 MB): AVIF, WebP, colour management, FreeType text, Tk
    "PIL._avif",
    "PIL._webp",
    "PIL._imagingcms",
    "PIL._imagingft",
    "PIL._imagingtk",
    "PIL.ImageTk",
    "PIL.ImageQt",
    # Qt modules nothing in the app imports (pyqtgraph 0.14 needs QtOpenGL, QtSvg, QtTest)
    "PySide6.QtNetwork",
    "PySide6.QtDBus",
    "PySide6.QtQml",
    "PySide6.QtQuick",
    "PySide6.QtQuickWidgets",
    "PySide6.QtQuickControls2",
    "PySide6.QtQuickTest",
    "PySide6.QtSql",
    "PySide6.QtXml",
    "PySide6.QtConcurrent",
    "PySide6.QtDesigner",
    "PySide6.QtHelp",
    "PySide6.QtUiTools",
    "PySide6.QtPrintSupport",
    "PySide6.QtPdf",
    "PySide6.QtPdfWidgets",
    "PySide6.scripts",
    # other Qt bindings qtpy and pyqtgraph would accept
    "PyQt5",
    "PyQt6",
    "PySide2",
    # PyOpenGL parts the 3-D view never loads (it draws with desktop GL through
    # pyqtgraph.opengl, importing OpenGL.GL and OpenGL.GL.shaders): GLUT/GLE/Tk toolkits,
    # OpenGL ES, the off-screen Mesa platform, Windows' WGL bindings
    "OpenGL.GLUT",
    "OpenGL.GLE",
    "OpenGL.Tk",
    "OpenGL.GLES1",
    "OpenGL.GLES2",
    "OpenGL.GLES3",
    "OpenGL.raw.GLES1",
    "OpenGL.raw.GLES2",
    "OpenGL.raw.GLES3",
    "OpenGL.osmesa",
    "OpenGL.raw.osmesa",
    "OpenGL.platform.osmesa",
    "OpenGL.WGL",
    "OpenGL.raw.WGL",
    # pyqtgraph parts that need packages the app does not ship, or that it never opens
    "pyqtgraph.examples",
    "pyqtgraph.jupyter",
    "pyqtgraph.console",
    "pyqtgraph.flowchart",
    "pyqtgraph.canvas",
    "numba",
    "cupy",
    "matplotlib",
    "scipy",
    "pandas",
    "IPython",
    "h5py",
    "metaarray",
    "colorcet",
    "cmap",
)

# Modules the GIF/MP4/PNG export needs that are imported lazily (gui/recorder.py imports
# them when a recording starts) or by name at run time (imageio's plugins, Pillow's format
# plugins), so the spec names them. PNG screenshots go through Qt (PNG is built into QtGui).
EXPORT_MODULES: tuple[str, ...] = (
    "PIL.Image",
    "PIL.GifImagePlugin",
    "PIL.PngImagePlugin",
    "imageio",
    "imageio.v2",
    "imageio.plugins.ffmpeg",
    "imageio.plugins.pillow",
    "imageio_ffmpeg",
)

# The 3-D view (gui/panels/surface3d_panel.py, imported when first asked for): PyOpenGL
# picks its platform module by name at run time (PyInstaller's hook adds the OS's usual one,
# GLX on Linux); a Wayland session makes it pick EGL, so that one is named too.
GL_MODULES: tuple[str, ...] = (
    "pyqtgraph.opengl",
    "OpenGL.GL",
    "OpenGL.GL.shaders",
    "OpenGL.platform.egl",
    "OpenGL.raw.EGL",
    "OpenGL.EGL",
)

# Qt plugin folders the app never needs: networking, TLS, printing, SQL, QML tooling,
# embedded-Linux (eglfs, evdev) back-ends and, on Linux, Wayland and GTK. Without the Wayland
# plugins a Wayland session runs the app through XWayland; without the GTK theme plugin Qt
# draws its own (Fusion) dialogs instead of loading the whole GTK stack.
DROPPED_PLUGIN_DIRS: frozenset[str] = frozenset(
    {
        "designer",
        "egldeviceintegrations",
        "generic",
        "networkinformation",
        "platformthemes",
        "position",
        "printsupport",
        "qmllint",
        "qmltooling",
        "sqldrivers",
        "tls",
        "vectorimageformats",
        "wayland-decoration-client",
        "wayland-graphics-integration-client",
        "wayland-graphics-integration-server",
        "wayland-shell-integration",
    }
)

# In the plugin folders that stay, the plugins that stay (all others in that folder go).
# platforms: the native window system per OS, plus offscreen for --self-test.
# imageformats: PNG is built into QtGui; SVG/ICO/ICNS for icons, GIF/JPEG for exports.
KEPT_PLUGINS: dict[str, frozenset[str]] = {
    "platforms": frozenset({"qxcb", "qoffscreen", "qwindows", "qcocoa"}),
    "imageformats": frozenset({"qsvg", "qico", "qicns", "qgif", "qjpeg"}),
}

# Shared libraries never needed once the plugins above are gone (Linux names; a pattern that
# matches nothing on another system costs nothing). The orphan pruning below finds most of
# these by itself on Linux; the list keeps the other systems lean too.
DROPPED_LIBRARY_PATTERNS: tuple[str, ...] = (
    "*Qt6Network*",
    "*Qt6Qml*",
    "*Qt6Quick*",
    "*Qt6Pdf*",
    "*Qt6Wayland*",
    "*Qt6WlShell*",
    "*Qt6EglFS*",
    "*Qt6EglFs*",
    "*Qt6Designer*",
    "*Qt6Labs*",
    "libgtk-3*",
    "libgdk-3*",
    "opengl32sw.dll",  # Windows software OpenGL (20 MB); the app draws with the raster engine
)


def is_bundled_ffmpeg(dest: str) -> bool:
    """True for imageio-ffmpeg's ffmpeg executable, which the bundle leaves out.

    It is 173 MB (68 MB compressed) on Linux, more than the rest of the app together.
    Without it imageio-ffmpeg looks for IMAGEIO_FFMPEG_EXE, then ``ffmpeg`` on the PATH, so
    MP4 export still works wherever ffmpeg is installed.
    """
    parts = PurePosixPath(dest.replace("\\", "/")).parts
    return (
        len(parts) >= 3
        and parts[0] == "imageio_ffmpeg"
        and parts[1] == "binaries"
        and parts[-1].startswith("ffmpeg")
    )


def plugin_parts(dest: str) -> tuple[str, str] | None:
    """Split a Qt plugin's destination path into (folder, plugin name).

    Parameters
    ----------
    dest : str
        Destination path inside the bundle, e.g. ``PySide6/Qt/plugins/platforms/libqxcb.so``.

    Returns
    -------
    tuple of (str, str) or None
        ``("platforms", "qxcb")``; None when `dest` is not a Qt plugin.
    """
    parts = PurePosixPath(dest.replace("\\", "/")).parts
    if len(parts) < 4 or parts[0] != "PySide6" or "plugins" not in parts[1:-2]:
        return None
    folder = parts[-2]
    stem = parts[-1].split(".", 1)[0]
    if stem.startswith("lib"):
        stem = stem[3:]
    return folder, stem


def keep_plugin(dest: str) -> bool:
    """True unless `dest` is a Qt plugin the app does not need (see the lists above)."""
    parsed = plugin_parts(dest)
    if parsed is None:
        return True
    folder, name = parsed
    if folder in DROPPED_PLUGIN_DIRS:
        return False
    kept = KEPT_PLUGINS.get(folder)
    return kept is None or name in kept


def is_translation(dest: str) -> bool:
    """True for Qt's translation catalogues (the app's text is English only)."""
    parts = PurePosixPath(dest.replace("\\", "/")).parts
    return len(parts) >= 2 and parts[0] == "PySide6" and "translations" in parts[1:-1]


def keep_library(dest: str) -> bool:
    """False for shared libraries matching DROPPED_LIBRARY_PATTERNS."""
    name = PurePosixPath(dest.replace("\\", "/")).name
    return not any(fnmatch.fnmatch(name, pat) for pat in DROPPED_LIBRARY_PATTERNS)


def reachable_libraries(
    roots: Iterable[str], imports_of: Callable[[str], Iterable[str]]
) -> set[str]:
    """Names of every library reachable from `roots` through `imports_of` (depth first).

    Parameters
    ----------
    roots : iterable of str
        Library basenames loaded directly (extension modules, plugins, libpython).
    imports_of : callable
        Maps a basename to the basenames it links against (empty for unknown names).

    Returns
    -------
    set of str
        The roots and everything they need, transitively.
    """
    seen: set[str] = set()
    stack = list(roots)
    while stack:
        name = stack.pop()
        if name in seen:
            continue
        seen.add(name)
        stack.extend(n for n in imports_of(name) if n not in seen)
    return seen


def elf_section_names(path: str | os.PathLike[str]) -> list[str]:
    """Names of the sections of the ELF file `path` (empty for any other or truncated file).

    Reads the section header table directly (ELF spec, System V gABI), so it needs no
    binutils.
    """
    try:
        with open(path, "rb") as fh:
            ident = fh.read(16)
            if len(ident) < 16 or ident[:4] != b"\x7fELF":
                return []
            is64 = ident[4] == 2
            endian = "<" if ident[5] == 1 else ">"
            if is64:
                fh.seek(0x28)
                (shoff,) = struct.unpack(endian + "Q", fh.read(8))
                fh.seek(0x3A)
            else:
                fh.seek(0x20)
                (shoff,) = struct.unpack(endian + "I", fh.read(4))
                fh.seek(0x2E)
            shentsize, shnum, shstrndx = struct.unpack(endian + "HHH", fh.read(6))
            if shoff == 0 or shnum == 0 or shstrndx >= shnum:
                return []
            fh.seek(shoff)
            table = fh.read(shentsize * shnum)
            if len(table) < shentsize * shnum:
                return []
            fmt = endian + ("IIQQQQ" if is64 else "IIIIII")
            width = struct.calcsize(fmt)

            def header(i: int) -> tuple[int, ...]:
                return struct.unpack(fmt, table[i * shentsize : i * shentsize + width])

            # fields: name offset, type, flags, addr, file offset, size
            strtab = header(shstrndx)
            fh.seek(strtab[4])
            names = fh.read(strtab[5])
            out = []
            for i in range(shnum):
                off = header(i)[0]
                end = names.find(b"\0", off)
                out.append(names[off:end].decode("ascii", "replace"))
            return out
    except (OSError, struct.error):
        return []


def elf_has_debug_info(path: str | os.PathLike[str]) -> bool:
    """True when `path` is an ELF file that carries ``.debug_*`` sections."""
    return any(n.startswith(".debug_") for n in elf_section_names(path))


def elf_strippable(path: str | os.PathLike[str]) -> bool:
    """True when `path` is an ELF file with debug sections or a static symbol table
    (``.symtab``): neither is read when a shared library is loaded (the dynamic loader uses
    ``.dynsym``), so ``strip --strip-unneeded`` removes both. 5 MB of the Linux bundle
    (OpenBLAS 2 MB, ICU 1.4 MB, libpython 0.7 MB, numpy 0.5 MB)."""
    return any(n.startswith(".debug_") or n == ".symtab" for n in elf_section_names(path))


def elf_loads_aligned(path: str | os.PathLike[str], page: int | None = None) -> bool:
    """True unless `path` is an ELF file with a loadable segment the dynamic loader refuses.

    glibc's loader maps each ``PT_LOAD`` segment by pages and rejects one whose address and
    file offset differ modulo the page size ("ELF load command address/offset not
    page-aligned"). ``strip`` can produce exactly that from a library whose layout
    ``patchelf`` rewrote (auditwheel's repaired wheels: numpy's OpenBLAS), so every stripped
    copy is checked. Files that are not ELF, or truncated, give True (nothing to check).
    """
    page = page or (os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096)
    try:
        with open(path, "rb") as fh:
            ident = fh.read(16)
            if len(ident) < 16 or ident[:4] != b"\x7fELF":
                return True
            is64 = ident[4] == 2
            e = "<" if ident[5] == 1 else ">"
            if is64:
                fh.seek(0x20)
                (phoff,) = struct.unpack(e + "Q", fh.read(8))
                fh.seek(0x36)
                fmt = e + "IIQQQQQQ"  # type, flags, offset, vaddr, paddr, filesz, memsz, align
            else:
                fh.seek(0x1C)
                (phoff,) = struct.unpack(e + "I", fh.read(4))
                fh.seek(0x2A)
                fmt = e + "IIIIIIII"  # type, offset, vaddr, paddr, filesz, memsz, flags, align
            phentsize, phnum = struct.unpack(e + "HH", fh.read(4))
            fh.seek(phoff)
            table = fh.read(phentsize * phnum)
            width = struct.calcsize(fmt)
            for i in range(phnum):
                f = struct.unpack(fmt, table[i * phentsize : i * phentsize + width])
                ptype, offset, vaddr = (f[0], f[2], f[3]) if is64 else (f[0], f[1], f[2])
                if ptype == 1 and (vaddr - offset) % page != 0:  # PT_LOAD
                    return False
    except (OSError, struct.error):
        return True
    return True


def stripped_copy(src: str, cache_dir: Path, unneeded: bool = False) -> str:
    """Return a copy of `src` with debug sections removed (``strip --strip-debug``), or
    with ``unneeded`` every symbol the dynamic loader does not use (``--strip-unneeded``).

    Symbols used by the dynamic loader stay either way. A copy whose loadable segments
    ``strip`` left misaligned (:func:`elf_loads_aligned`; it happens to libraries patched by
    auditwheel) is not used: the debug-only strip is tried instead, else `src` is kept.
    The copy lives in `cache_dir` (the build's work folder); if ``strip`` is missing or
    fails, `src` itself is returned.
    """
    strip = shutil.which("strip")
    if strip is None:
        return src
    mode = "--strip-unneeded" if unneeded else "--strip-debug"
    # one folder per source path and mode, so equal basenames never collide
    key = os.fsencode(os.path.abspath(src) + mode)
    out_dir = cache_dir / f"{zlib.crc32(key):08x}"
    out_dir.mkdir(parents=True, exist_ok=True)
    out = out_dir / Path(src).name
    fresh = out.exists() and out.stat().st_mtime >= Path(src).stat().st_mtime
    if not fresh:
        proc = subprocess.run([strip, mode, "-o", str(out), src], capture_output=True, text=True)
        if proc.returncode != 0:
            return src
        shutil.copymode(src, out)
    if not elf_loads_aligned(out):  # strip broke a patchelf'd layout (cached copies too)
        out.unlink()
        return stripped_copy(src, cache_dir) if unneeded and elf_has_debug_info(src) else src
    return str(out)


# ICU's "stubdata": the table of contents of an ICU common-data package with no entries,
# laid out as ICU's own source/stubdata/stubdata.cpp does (DataHeader, UDataInfo, count 0).
_ICU_STUB_SOURCE = r"""
#include <stdint.h>
typedef struct {
    uint16_t headerSize;
    uint8_t magic1, magic2;
    struct {
        uint16_t size, reservedWord;
        uint8_t isBigEndian, charsetFamily, sizeofUChar, reservedByte;
        uint8_t dataFormat[4], formatVersion[4], dataVersion[4];
    } info;
    char padding[8];
    uint32_t count, reserved;
    uint32_t toc[2];
} IcuCommonData;

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
#define ICU_BIG_ENDIAN 1
#else
#define ICU_BIG_ENDIAN 0
#endif

__attribute__((visibility("default"))) const IcuCommonData icudt@MAJOR@_dat = {
    32, 0xda, 0x27,
    {20, 0, ICU_BIG_ENDIAN, 0, 2, 0, {0x54, 0x6f, 0x43, 0x50}, {1, 0, 0, 0}, {0, 0, 0, 0}},
    {0}, 0, 0, {0, 0}};
"""


def icu_major(name: str) -> int | None:
    """ICU's major version from a data library name (``libicudata.so.73`` gives 73)."""
    m = re.fullmatch(r"libicudata\.so\.(\d+)(?:\.\d+)*", name)
    return int(m.group(1)) if m else None


def build_icu_stub(major: int, out_dir: Path) -> Path | None:
    """Compile an empty ICU data library ``libicudata.so.<major>`` into `out_dir`.

    PySide6's Linux wheels link Qt to ICU, whose data library is 32 MB (12 MB compressed):
    collation tables, legacy text encodings, and locale data that Qt itself does not read
    (QLocale, case mapping, time zones and text boundaries use Qt's own tables). With the
    empty library, QCollator falls back to code-point order and non-Unicode codecs such as
    Shift-JIS are unavailable; nothing in Descent Lab uses either. Returns None (keep the
    real library) when no C compiler is found or compiling fails.
    """
    cc = os.environ.get("CC") or shutil.which("cc") or shutil.which("gcc")
    if cc is None:
        return None
    out_dir.mkdir(parents=True, exist_ok=True)
    src = out_dir / "icudata_stub.c"
    src.write_text(_ICU_STUB_SOURCE.replace("@MAJOR@", str(int(major))))
    name = f"libicudata.so.{int(major)}"
    out = out_dir / name
    cmd = [cc, "-shared", "-fPIC", "-O2", "-s", f"-Wl,-soname,{name}", "-o", str(out), str(src)]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0 or not out.exists():
        return None
    return out
