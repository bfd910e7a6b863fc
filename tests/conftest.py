"""Test set-up shared by every test: offscreen Qt and one BLAS thread, before anything loads."""

import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


import pytest  # noqa: E402  (after the environment above is set)


@pytest.fixture(autouse=True)
def _fresh_state_dir(tmp_path_factory, monkeypatch):
    """Every test gets its own empty autosave folder: none reads a real or earlier state."""
    monkeypatch.setenv("DESCENTLAB_STATE_DIR", str(tmp_path_factory.mktemp("state")))
