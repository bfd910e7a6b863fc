"""The engine must stay pure numpy + stdlib: no Qt, no pyqtgraph, no gui, ever."""

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FORBIDDEN = ("PySide6", "PyQt5", "PyQt6", "shiboken6", "pyqtgraph", "gui", "superqt", "qtpy")


def _imported_roots(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    roots = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            roots.add(node.module.split(".")[0])
    return roots


def test_no_engine_module_imports_qt_or_gui():
    offenders = {}
    files = sorted((ROOT / "engine").rglob("*.py"))
    assert files, "engine/ has no modules"
    for path in files:
        bad = _imported_roots(path) & set(FORBIDDEN)
        if bad:
            offenders[str(path.relative_to(ROOT))] = sorted(bad)
    assert offenders == {}


def test_engine_imports_with_qt_blocked():
    """Import every engine module in a fresh interpreter where Qt cannot be imported."""
    code = f"""
import sys, importlib, pkgutil
class Block:
    def find_spec(self, name, path=None, target=None):
        if name.split('.')[0] in {FORBIDDEN!r}:
            raise ImportError('blocked: ' + name)
sys.meta_path.insert(0, Block())
import engine
for m in pkgutil.walk_packages(engine.__path__, 'engine.'):
    importlib.import_module(m.name)
loaded = [m for m in sys.modules if m.split('.')[0] in {FORBIDDEN!r}]
assert not loaded, loaded
print('ok')
"""
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "ok"


def test_engine_pins_blas_to_one_thread():
    code = (
        "import os\n"
        "for v in ('OPENBLAS_NUM_THREADS','OMP_NUM_THREADS','MKL_NUM_THREADS'):\n"
        "    os.environ.pop(v, None)\n"
        "import engine, numpy\n"
        "print(os.environ['OPENBLAS_NUM_THREADS'])\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "1"
