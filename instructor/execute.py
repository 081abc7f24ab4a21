"""Re-run solution notebooks in place and store their outputs (``make execute``).

Uses nbclient directly, not papermill: papermill injects a parameters cell and metadata that
would flow into the student release. Timing metadata is not recorded, so re-executing an
unchanged notebook leaves git with nothing to commit except real output changes.

Stored outputs are float arithmetic, and CPUs round differently: OpenBLAS and NumPy pick their
kernels by CPU (AVX-512 on some x86-64 machines, AVX2 with FMA on others), which sums in another
order. A gradient check's worst index among equal errors, or a diverging training run, then
prints other digits, and nbval (``make test``) would fail on a machine other than the one that
stored them. :func:`pin_numerics` makes the kernels (``make execute``) and nbval's kernels
(``tests/conftest.py``) use the same AVX2/FMA code on every x86-64 CPU that has it.

Usage: python -m instructor.execute solutions/01_x/01_x.ipynb [...]
"""

from __future__ import annotations

import os
import platform
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

KERNEL_NAME = "python3"
CELL_TIMEOUT_S = 300


def _cpu_flags() -> set[str]:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("flags"):
                return set(line.split(":", 1)[1].split())
    except OSError:
        pass
    return set()


def numerics_env(machine: str | None = None, cpu_flags: set[str] | None = None) -> dict[str, str]:
    """Environment variables that give every x86-64 CPU with AVX2 and FMA the same float results.

    ``OPENBLAS_CORETYPE=Haswell``: OpenBLAS (NumPy's and SciPy's copies) uses its AVX2/FMA kernels,
    not the AVX-512 ones an Intel Xeon would get. ``NPY_DISABLE_CPU_FEATURES``: NumPy's own loops
    (exp, log, sums...) stop at the x86-64-v3 (AVX2) level. Empty on other machines (an ARM CPU,
    or an x86-64 CPU without AVX2, where the Haswell kernels could not run): their stored outputs
    may differ in the last digits anyway.

    ``machine`` and ``cpu_flags`` default to this machine's (``platform.machine()``, /proc/cpuinfo).
    """
    machine = platform.machine() if machine is None else machine
    cpu_flags = _cpu_flags() if cpu_flags is None else cpu_flags
    if machine not in ("x86_64", "AMD64") or not {"avx2", "fma"} <= cpu_flags:
        return {}
    return {"OPENBLAS_CORETYPE": "Haswell", "NPY_DISABLE_CPU_FEATURES": "X86_V4 AVX512_ICL AVX512_SPR"}


def pin_numerics() -> None:
    """Set :func:`numerics_env` in ``os.environ`` for the kernels this process starts from now on."""
    os.environ.update(numerics_env())


def execute_in_place(path: Path) -> float:
    """Execute the notebook at ``path`` top to bottom, write it back; return seconds taken.

    Raises ``CellExecutionError`` (and leaves the file untouched) when a cell fails.
    """
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, kernel_name=KERNEL_NAME, timeout=CELL_TIMEOUT_S,
                            record_timing=False, resources={"metadata": {"path": str(path.parent)}})
    start = time.perf_counter()
    client.execute()
    elapsed = time.perf_counter() - start
    nbformat.write(nb, path)
    return elapsed


def main(argv: list[str]) -> int:
    if not argv:
        print("usage: python -m instructor.execute NOTEBOOK.ipynb [...]", file=sys.stderr)
        return 2
    pin_numerics()
    failed = []
    for name in argv:
        path = Path(name)
        if not path.is_file():
            print(f"missing notebook: {path}", file=sys.stderr)
            failed.append(name)
            continue
        try:
            seconds = execute_in_place(path)
        except CellExecutionError as err:
            print(f"FAILED {path} (file left unchanged):\n{err}", file=sys.stderr)
            failed.append(name)
            continue
        print(f"executed {path} in {seconds:.1f} s")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
