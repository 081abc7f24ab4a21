"""Inspect a student's submission before nbgrader sees it.

nbgrader stops on a corrupt notebook for that student and silently skips a wrongly named one;
we find these first, report them by name and give 0, so the rest of the batch is graded.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import nbformat

__all__ = ["Problem", "inspect_submission"]

OK = "ok"


@dataclass(frozen=True)
class Problem:
    """Why a submission cannot be graded (status is a short keyword, detail a sentence)."""
    status: str   # "missing", "wrong name", "empty", "corrupt"
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
    if path.stat().st_size == 0:
        return Problem("empty", f"{path.name} is an empty file")
    try:
        nb = nbformat.read(path, as_version=4)
        nbformat.validate(nb)
    except Exception as err:  # any unreadable notebook is reported, never raised
        first_line = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
        return Problem("corrupt", f"{path.name} is not a valid notebook ({first_line[:120]})")
    return None
