"""Import first: sets the BLAS/OpenMP thread count from ``--threads N`` (default 1).

BLAS and OpenMP read these variables once, when numpy or torch is first imported, so a
benchmark script imports this module before either. One thread by default: spinning
OpenMP/BLAS threads on a shared machine measure the load, not the code.
"""

import os
import sys

THREADS = "1"
for _i, _arg in enumerate(sys.argv):
    if _arg == "--threads" and _i + 1 < len(sys.argv):
        THREADS = sys.argv[_i + 1]
    elif _arg.startswith("--threads="):
        THREADS = _arg.split("=", 1)[1]
for _name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_name] = THREADS
