"""Inspect a student's submission before nbgrader sees it.

nbgrader stops on a corrupt notebook for that student and silently skips a wrongly named one;
we find these first, report them by name and give 0, so the rest of the batch is graded.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import nbformat

__all__ = ["Problem", "inspect_submission"]

OK = "ok"
#: A notebook larger than this is not even parsed (a runaway output saved in it, or an attack on
#: the grader's memory); course notebooks with all their plots are about 1 MB.
MAX_MB = float(os.environ.get("NNF_MAX_SUBMISSION_MB", "50"))


@dataclass(frozen=True)
class Problem:
    """Why a submission cannot be graded (status is a short keyword, detail a sentence)."""
    status: str   # "missing", "wrong name", "empty", "too large", "corrupt"
    detail: str


def inspect_submission(folder: Path, notebook: str) -> Problem | None:
    """Check ``folder/notebook.ipynb``; return None when nbgrader can grade it.

    folder   : submitted/<student>/<assignment>/
    notebook : the expected notebook name without .ipynb
    """
    path = folder / f"{notebook}.ipynb"
    if not path.exists():
        others = sorted(p.name for p in folder.glob("*.ipynb"))
        if others:
            return Problem("wrong name", f"expected {path.name}, found {', '.join(others)}")
        return Problem("missing", f"no {path.name} in the submission")
    size = path.stat().st_size
    if size == 0:
        return Problem("empty", f"{path.name} is an empty file")
    if size > MAX_MB * 2**20:
        return Problem("too large", f"{path.name} is {size / 2**20:.0f} MB (limit {MAX_MB:g} MB): clear "
                       "its outputs (Kernel > Restart Kernel and Clear Outputs) and submit again")
    try:
        nb = nbformat.read(path, as_version=4)
        nbformat.validate(nb)
    except Exception as err:  # any unreadable notebook is reported, never raised
        first_line = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
        return Problem("corrupt", f"{path.name} is not a valid notebook ({first_line[:120]})")
    return None
