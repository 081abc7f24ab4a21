"""Re-run solution notebooks in place and store their outputs (``make execute``).

Uses nbclient directly, not papermill: papermill injects a parameters cell and metadata that
would flow into the student release. Timing metadata is not recorded, so re-executing an
unchanged notebook leaves git with nothing to commit except real output changes.

Usage: python -m instructor.execute solutions/01_x/01_x.ipynb [...]
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

KERNEL_NAME = "python3"
CELL_TIMEOUT_S = 300


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
