"""Build the shipped fake class in examples/submissions/ from solutions/ and notebooks/.

``make examples`` rewrites it; a test fails when it is stale. The class:

- ``ada``   solves everything (code and written answers);
- ``grace`` solves the first half of the code exercises, no written answers;
- ``bob``   hands in the release untouched (blank);
- ``eve``   hands in a corrupt file for the first assignment, a full solution for the others;
- ``dan``   forgets the notebook of the first assignment (an empty folder with notes.txt).
"""

from __future__ import annotations

import re
import shutil
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "examples" / "submissions"
SOLUTION = re.compile(r"^\s*### (BEGIN|END) SOLUTION\s*$")


def _solved(release, source, fraction: float, written: bool):
    """The release with the first ``fraction`` of its code exercises (and written answers) solved."""
    by_id = {c.metadata.get("nbgrader", {}).get("grade_id"): c for c in source.cells}
    nb = nbformat.from_dict(release)
    code = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("solution") and c.cell_type == "code"]
    chosen = {id(c) for c in code[: round(len(code) * fraction)]}
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if not meta.get("solution"):
            continue
        src = by_id[meta["grade_id"]].source
        if id(cell) in chosen:
            cell.source = "\n".join(l for l in src.splitlines() if not SOLUTION.match(l))
        elif cell.cell_type == "markdown" and written:
            answer = src.split("*Rubric")[0].replace("### BEGIN SOLUTION", "").replace("*Model answer.*", "")
            cell.source = answer.strip()
    return nb


def build(out: Path = OUT) -> list[Path]:
    if out.exists():
        shutil.rmtree(out)
    names = sorted(p.name for p in (ROOT / "solutions").glob("[0-9][0-9]_*")
                   if (ROOT / "notebooks" / p.name / f"{p.name}.ipynb").is_file())
    written = []
    for index, name in enumerate(names):
        source = nbformat.read(ROOT / "solutions" / name / f"{name}.ipynb", as_version=4)
        release = nbformat.read(ROOT / "notebooks" / name / f"{name}.ipynb", as_version=4)
        plan = {"ada": _solved(release, source, 1.0, True),
                "grace": _solved(release, source, 0.5, False),
                "bob": release,
                "eve": None if index == 0 else _solved(release, source, 1.0, True),
                "dan": None if index == 0 else _solved(release, source, 1.0, False)}
        for student, nb in plan.items():
            folder = out / student / name
            folder.mkdir(parents=True)
            path = folder / f"{name}.ipynb"
            if nb is not None:
                nbformat.write(nb, path)
            elif student == "eve":
                path.write_text('{"cells": [{"cell_type": "code", "source": "x = 1"')  # cut off
            else:
                (folder / "notes.txt").write_text("I will hand in the notebook tomorrow.\n")
            written.append(path)
    return written


if __name__ == "__main__":
    paths = build(Path(sys.argv[1]) if len(sys.argv) > 1 else OUT)
    print(f"wrote the example class: {len(paths)} submissions under examples/submissions/")
