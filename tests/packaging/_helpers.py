"""Shared helpers for the packaging tests: load packaging/*.py by path, parse a YAML subset."""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[2]
PACKAGING = ROOT / "packaging"


def load(name: str) -> ModuleType:
    """Import packaging/<name>.py under a private module name.

    packaging/ is deliberately not a Python package: the name would shadow the PyPI
    `packaging` library that pytest and PyInstaller import.
    """
    mod_name = f"descentlab_packaging_{name}"
    if mod_name in sys.modules:
        return sys.modules[mod_name]
    spec = importlib.util.spec_from_file_location(mod_name, PACKAGING / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[mod_name] = module
    spec.loader.exec_module(module)
    return module


# --- a parser for the block-style YAML subset GitHub workflow files use -----------------
# Mappings, sequences, plain and quoted scalars, flow lists of scalars, `|` literal blocks,
# comments. Every scalar stays a string (GitHub reads `on` as a key, not YAML 1.1's True).
# Anything outside the subset (tabs, anchors, flow mappings, bad indentation) raises
# ValueError, so a malformed file fails the test instead of parsing to something else.

_KEY = re.compile(r"^([A-Za-z0-9_][A-Za-z0-9_.\-/]*)\s*:(?:\s+(.*))?$")


def _strip_comment(text: str) -> str:
    quote = None
    for i, ch in enumerate(text):
        if quote:
            if ch == quote:
                quote = None
        elif ch in "\"'":
            quote = ch
        elif ch == "#" and (i == 0 or text[i - 1] in " \t"):
            return text[:i].rstrip()
    if quote:
        raise ValueError(f"unterminated quote in {text!r}")
    return text.rstrip()


def _scalar(text: str) -> object:
    text = _strip_comment(text).strip()
    if text[:1] in "&*!{>" or text.startswith("<<"):
        raise ValueError(f"unsupported YAML: {text!r}")
    if text.startswith("["):
        if not text.endswith("]"):
            raise ValueError(f"unterminated flow list: {text!r}")
        inner = text[1:-1].strip()
        return [_scalar(x) for x in inner.split(",")] if inner else []
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "\"'":
        return text[1:-1]
    if text[:1] in "\"'":
        raise ValueError(f"bad quoting: {text!r}")
    return text


def parse_yaml_subset(source: str) -> object:
    """Parse `source` (see the subset above) into dicts, lists and strings."""
    raw = source.splitlines()
    for n, line in enumerate(raw, 1):
        if "\t" in line[: len(line) - len(line.lstrip())]:
            raise ValueError(f"line {n}: tab in indentation")
    lines = [(len(ln) - len(ln.lstrip(" ")), ln.strip(), n) for n, ln in enumerate(raw)]

    def significant(i: int) -> int:
        while i < len(lines) and (not lines[i][1] or lines[i][1].startswith("#")):
            i += 1
        return i

    def block(i: int, min_indent: int) -> tuple[object, int]:
        i = significant(i)
        if i >= len(lines) or lines[i][0] < min_indent:
            return None, i
        indent, text, _ = lines[i]
        if text == "-" or text.startswith("- "):
            return sequence(i, indent)
        return mapping(i, indent)

    def literal(i: int, parent_indent: int) -> tuple[str, int]:
        body = []
        while i < len(lines) and (not lines[i][1] or lines[i][0] > parent_indent):
            body.append(raw[lines[i][2]])
            i += 1
        while body and not body[-1].strip():
            body.pop()
        cut = min((len(b) - len(b.lstrip(" ")) for b in body if b.strip()), default=0)
        return "\n".join(b[cut:] for b in body) + "\n", i

    def mapping(i: int, indent: int) -> tuple[dict, int]:
        out: dict[str, object] = {}
        while True:
            i = significant(i)
            if i >= len(lines) or lines[i][0] < indent:
                return out, i
            ind, text, n = lines[i]
            if ind > indent:
                raise ValueError(f"line {n + 1}: unexpected indentation")
            if text.startswith("- "):
                return out, i
            m = _KEY.match(_strip_comment(text))
            if not m:
                raise ValueError(f"line {n + 1}: expected 'key: value', got {text!r}")
            key, rest = m.group(1), (m.group(2) or "").strip()
            if key in out:
                raise ValueError(f"line {n + 1}: duplicate key {key!r}")
            if rest in ("|", "|-"):
                value, i = literal(i + 1, ind)
                if rest == "|-":
                    value = value.rstrip("\n")
            elif rest:
                value, i = _scalar(rest), i + 1
            else:
                j = significant(i + 1)
                same_level_list = (
                    j < len(lines) and lines[j][0] == ind and lines[j][1].startswith("- ")
                )
                value, i = block(i + 1, ind if same_level_list else ind + 1)
            out[key] = value

    def sequence(i: int, indent: int) -> tuple[list, int]:
        out: list[object] = []
        while True:
            i = significant(i)
            if i >= len(lines) or lines[i][0] != indent:
                return out, i
            ind, text, n = lines[i]
            if not (text == "-" or text.startswith("- ")):
                return out, i
            item = text[1:].lstrip()
            if not item:
                value, i = block(i + 1, ind + 1)
            elif _KEY.match(_strip_comment(item)):
                # "- key: value" opens a mapping whose keys line up with `key`
                lines[i] = (ind + len(text) - len(item), item, n)
                value, i = mapping(i, lines[i][0])
            else:
                value, i = _scalar(item), i + 1
            out.append(value)

    value, i = block(0, 0)
    i = significant(i)
    if i < len(lines):
        raise ValueError(f"line {lines[i][2] + 1}: could not parse {lines[i][1]!r}")
    return value
