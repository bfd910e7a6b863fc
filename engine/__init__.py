"""Descent Lab's computing core: pure numpy and the standard library, never Qt.

Importing this package pins BLAS to one thread *before* numpy loads. The engine's arrays
are small (a few runs of 2-D points, MLPs of width 64-128), where OpenBLAS's thread pool
costs far more than it saves: a small MLP step measured 8.4 ms with default threads and
0.94 ms with one on a 2-core machine, and the spare core is needed by the GUI thread.
"""

import os

for _var in (
    "OPENBLAS_NUM_THREADS",
    "OMP_NUM_THREADS",
    "MKL_NUM_THREADS",
    "BLIS_NUM_THREADS",
    "VECLIB_MAXIMUM_THREADS",
    "NUMEXPR_NUM_THREADS",
):
    os.environ.setdefault(_var, "1")
del _var

from engine.version import APP_NAME, __version__  # noqa: E402

__all__ = ["APP_NAME", "__version__"]
