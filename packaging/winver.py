"""The Windows version resource (Explorer's Properties > Details) for the Descent Lab executable."""

from __future__ import annotations


def version_tuple(version: str) -> tuple[int, int, int, int]:
    """``"0.1.0"`` -> ``(0, 1, 0, 0)``: the four 16-bit numbers a version resource holds.

    Raises ValueError when `version` does not start with up to four dot-separated integers
    in 0..65535 (a suffix such as ``"1.2.0rc1"`` keeps its numeric part, 1.2.0).
    """
    parts = []
    for piece in version.split(".")[:4]:
        digits = ""
        for ch in piece:
            if not ch.isdigit():
                break
            digits += ch
        if not digits:
            break
        parts.append(int(digits))
        if digits != piece:
            break
    if not parts or any(p > 0xFFFF for p in parts):
        raise ValueError(f"version: {version!r} is not N[.N[.N[.N]]] with N in 0..65535")
    return tuple(parts + [0] * (4 - len(parts)))  # type: ignore[return-value]


def version_info(app_name: str, app_id: str, version: str):
    """A PyInstaller VSVersionInfo for `app_id`.exe (PyInstaller imported lazily)."""
    from PyInstaller.utils.win32 import versioninfo as vi

    nums = version_tuple(version)
    strings = [
        vi.StringStruct("FileDescription", app_name),
        vi.StringStruct("FileVersion", version),
        vi.StringStruct("InternalName", app_id),
        vi.StringStruct("OriginalFilename", f"{app_id}.exe"),
        vi.StringStruct("ProductName", app_name),
        vi.StringStruct("ProductVersion", version),
    ]
    return vi.VSVersionInfo(
        ffi=vi.FixedFileInfo(filevers=nums, prodvers=nums),
        kids=[
            # 0409 = U.S. English, 04B0 = 1200 = Unicode (UTF-16) strings
            vi.StringFileInfo([vi.StringTable("040904B0", strings)]),
            vi.VarFileInfo([vi.VarStruct("Translation", [0x0409, 1200])]),
        ],
    )
