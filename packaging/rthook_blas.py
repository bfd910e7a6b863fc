"""PyInstaller runtime hook: one BLAS thread, set before any bundled module can load numpy.

engine/__init__.py sets the same variables, but only once it is imported; this hook runs
before the frozen app's first line, so the pin holds whatever imports numpy first. Values
the user sets in the environment win (setdefault), as they do when run from source.
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
