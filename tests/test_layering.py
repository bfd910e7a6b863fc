"""Layering of the code (issue 11): the import-linter contracts hold, and no import cycle.

The contracts live in pyproject.toml (``[tool.importlinter]``); this test runs them in
``make test``, and shows that a broken contract is caught (a throw-away package that breaks
one). The cycle check reads every module's imports with ``ast`` (function-level and
``TYPE_CHECKING`` imports included: a cycle there is still a cycle for the reader).
"""

from __future__ import annotations

import ast
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("engine", "gui")


def _module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def import_graph(root: Path, packages=PACKAGES) -> dict[str, set[str]]:
    """``{module: modules of ``packages`` it imports}`` read from the source with ast."""
    files = {
        _module_name(p, root): p for pkg in packages for p in sorted((root / pkg).rglob("*.py"))
    }
    graph: dict[str, set[str]] = {}
    for name, path in files.items():
        is_pkg = path.name == "__init__.py"
        deps: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    pkg = name.split(".") if is_pkg else name.split(".")[:-1]
                    pkg = pkg[: len(pkg) - (node.level - 1)]
                    base = ".".join([*pkg, base] if base else pkg)
                # "from a import b" names module a.b when b is one, else a itself.
                targets = [
                    f"{base}.{a.name}" if f"{base}.{a.name}" in files else base for a in node.names
                ]
            else:
                continue
            for t in targets:
                # The deepest module of the tree that the name points into.
                while t and t not in files:
                    t = t.rpartition(".")[0]
                if t and t != name:
                    deps.add(t)
        graph[name] = deps
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            v, it = work[-1]
            for w in it:
                if w not in index:
                    index[w] = low[w] = counter
                    counter += 1
                    stack.append(w)
                    on_stack.add(w)
                    work.append((w, iter(sorted(graph.get(w, ())))))
                    break
                if w in on_stack:
                    low[v] = min(low[v], index[w])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[v])
                if low[v] == index[v]:
                    group = []
                    while True:
                        w = stack.pop()
                        on_stack.discard(w)
                        group.append(w)
                        if w == v:
                            break
                    if len(group) > 1:
                        found.append(sorted(group))
    return found


def test_cycle_finder_finds_a_known_cycle_and_none_in_a_chain():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": {"c"}, "c": set()}) == []


def test_import_graph_reads_relative_function_level_and_type_checking_imports(tmp_path):
    pkg = tmp_path / "engine"
    (pkg / "sub").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "sub" / "__init__.py").write_text("")
    (pkg / "a.py").write_text("from .sub import b\n")
    (pkg / "sub" / "b.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from engine import c\n"
    )
    (pkg / "c.py").write_text("def f():\n    from engine.a import x\n")
    graph = import_graph(tmp_path, ("engine",))
    assert graph["engine.a"] == {"engine.sub.b"}
    assert graph["engine.sub.b"] == {"engine.c"}
    assert graph["engine.c"] == {"engine.a"}
    assert cycles(graph) == [["engine.a", "engine.c", "engine.sub.b"]]


def test_no_import_cycle_in_engine_or_gui():
    graph = import_graph(ROOT)
    assert "gui.main_window" in graph and "engine.session" in graph
    assert cycles(graph) == []


def test_menus_reach_the_window_through_services_only():
    graph = import_graph(ROOT)
    for menu in ("gui.export", "gui.lessons", "gui.autosave"):
        assert "gui.main_window" not in graph[menu], menu


def _lint_imports(cwd: Path) -> subprocess.CompletedProcess:
    code = (
        "import sys; from importlinter.cli import lint_imports; "
        "sys.exit(lint_imports(no_cache=True, no_logo=True))"
    )
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=240,
        env={"PYTHONPATH": str(cwd), "PATH": "/usr/bin:/bin", "NO_COLOR": "1"},
    )


def test_import_linter_contracts_hold():
    pytest.importorskip("importlinter")
    out = _lint_imports(ROOT)
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-2000:]
    assert "0 broken" in out.stdout


def test_import_linter_catches_a_broken_contract(tmp_path):
    """The same contracts over a two-module tree whose engine imports Qt: reported broken."""
    pytest.importorskip("importlinter")
    for pkg in ("engine", "engine/session", "gui", "gui/panels", "gui/controls"):
        (tmp_path / pkg).mkdir()
        (tmp_path / pkg / "__init__.py").write_text("")
    for lab in ("lab", "landscape_lab", "network_lab", "net_lab_drawing", "net_lab_history"):
        (tmp_path / "gui" / f"{lab}.py").write_text("")
    (tmp_path / "engine" / "core.py").write_text("import PySide6\n")
    for helper in ("arrow_readout", "display", "drawing", "histograms"):
        (tmp_path / "engine" / f"{helper}.py").write_text("")
    # a display helper reaching for a lab's session: refused
    (tmp_path / "engine" / "series.py").write_text("import engine.session\n")
    (tmp_path / "gui" / "panels" / "p.py").write_text("import gui.main_window\n")
    (tmp_path / "gui" / "main_window.py").write_text("")
    contracts = (ROOT / "pyproject.toml").read_text(encoding="utf-8").split("[tool.importlinter]")
    (tmp_path / "pyproject.toml").write_text(
        "[tool.importlinter]" + textwrap.dedent(contracts[1]), encoding="utf-8"
    )
    out = _lint_imports(tmp_path)
    assert out.returncode != 0
    assert "3 broken" in out.stdout, out.stdout[-3000:]


# Modules of gui/ that import no Qt, and why they are gui's all the same. Any other Qt-free
# module belongs in the engine, where it is tested without a window (issue 11).
QT_FREE_GUI = {
    "gui": "package marker",
    "gui.controls": "package marker",
    "gui.panels": "package marker",
    "gui.preflight": "checks made before Qt is imported, about Qt's own start",
    "gui.net_lab_drawing": "a mixin of the network lab (its draw scheduler)",
    "gui.net_lab_history": "a mixin of the network lab (its picture history)",
    "gui.land_lab_maps": "a mixin of the landscape lab (opens its map windows)",
}


def _imports_qt(path: Path) -> bool:
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        mods = []
        if isinstance(node, ast.Import):
            mods = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and not node.level:
            mods = [node.module or ""]
        if any(m.split(".")[0] in ("PySide6", "pyqtgraph") for m in mods):
            return True
    return False


def test_every_qt_free_module_lives_in_the_engine():
    files = {_module_name(p, ROOT): p for p in sorted((ROOT / "gui").rglob("*.py"))}
    qt_free = {name for name, path in files.items() if not _imports_qt(path)}
    assert qt_free - set(QT_FREE_GUI) == set(), "Qt-free code in gui/: move it to engine/"
    assert set(QT_FREE_GUI) <= qt_free  # the list names no module that has gone or got Qt
