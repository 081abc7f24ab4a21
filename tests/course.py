"""Shared test utilities: where the course's notebooks are, and how to run nbgrader on a copy."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
SOLUTIONS = ROOT / "solutions"
RELEASE = ROOT / "notebooks"
BIN = Path(sys.executable).parent
# Text that marks a solution, a hidden test or a model answer: never in anything a student sees.
LEAK_MARKERS = ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS",
                "Model answer", "Rubric")
SOLUTION_RE = re.compile(r"^\s*### (BEGIN|END) SOLUTION\s*$")


def assignments() -> list[str]:
    """Numbered assignment folders under solutions/, e.g. ['01_neurons_perceptron']."""
    return sorted(p.name for p in SOLUTIONS.glob("[0-9][0-9]_*") if p.is_dir())


def source_path(name: str) -> Path:
    return SOLUTIONS / name / f"{name}.ipynb"


def release_path(name: str) -> Path:
    return RELEASE / name / f"{name}.ipynb"


def read(path: Path) -> nbformat.NotebookNode:
    return nbformat.read(path, as_version=4)


def nbgrader_meta(cell) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {})


def graded_cells(nb) -> list:
    return [c for c in nb.cells if nbgrader_meta(c).get("grade")]


def auto_points(nb) -> float:
    """Points of autograded (code test) cells."""
    return sum(nbgrader_meta(c)["points"] for c in graded_cells(nb) if c.cell_type == "code")


def total_points(nb) -> float:
    return sum(nbgrader_meta(c)["points"] for c in graded_cells(nb))


def set_seed(nb, seed: int):
    """``nb`` with its parameters cell's ``SEED = 0`` made ``SEED = seed`` (in place; returned)."""
    [cell] = [c for c in nb.cells if "parameters" in c.get("metadata", {}).get("tags", [])]
    cell.source, count = re.subn(r"^SEED = 0$", f"SEED = {seed}", cell.source, flags=re.M)
    assert count == 1, f"no 'SEED = 0' line in the parameters cell: {cell.source!r}"
    return nb


def strip_solution_markers(source: str) -> str:
    """A solution cell's source as a student who solved it would submit it."""
    return "\n".join(line for line in source.splitlines() if not SOLUTION_RE.match(line))


def subprocess_env() -> dict:
    """Environment for child processes: the venv's bin first (nbgrader calls `alembic`)."""
    env = dict(os.environ)
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    return env


def make_course_copy(dest: Path) -> Path:
    """Copy what nbgrader needs (config, solutions, helpers are installed) into ``dest``."""
    dest.mkdir(parents=True, exist_ok=True)
    shutil.copy2(ROOT / "nbgrader_config.py", dest / "nbgrader_config.py")
    shutil.copytree(SOLUTIONS, dest / "solutions",
                    ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))
    (dest / ".nbgrader").mkdir(exist_ok=True)
    return dest


def nbgrader(course_root: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    """Run ``nbgrader ARGS`` from ``course_root`` (nbgrader reads its config from the cwd)."""
    result = subprocess.run([str(BIN / "nbgrader"), *args], cwd=course_root, env=subprocess_env(),
                            capture_output=True, text=True, timeout=900)
    if check and result.returncode != 0:
        raise AssertionError(f"nbgrader {' '.join(args)} failed ({result.returncode}):\n"
                             f"{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
    return result


def _regions(source: str, begin: str, end: str) -> list[str]:
    """Stripped lines strictly between ``begin`` and ``end`` marker lines."""
    inside, found = False, []
    for line in source.splitlines():
        if begin in line:
            inside = True
        elif end in line:
            inside = False
        elif inside:
            found.append(line.strip())
    return found


def secret_lines(source_nb, min_length: int = 12) -> set[str]:
    """Lines of solution regions (code and model answers) and hidden tests of a solution notebook
    that must never reach a student: those of at least ``min_length`` characters, not comments,
    and not also public (a line that stands outside every secret region too, e.g. loading the
    XOR table, is public)."""
    secret, public = set(), set()
    for cell in source_nb.cells:
        inside = set(_regions(cell.source, "BEGIN SOLUTION", "END SOLUTION")
                     + _regions(cell.source, "BEGIN HIDDEN TESTS", "END HIDDEN TESTS"))
        secret |= inside
        public |= {line.strip() for line in cell.source.splitlines()} - inside
    return {line for line in secret - public
            if len(line) >= min_length and not line.startswith("#")}


def leaked_lines(text: str, source_nb) -> list[str]:
    """The secret lines of ``source_nb`` that are lines of ``text`` (stripped, as
    test_leaks compares the release), and the leak markers that occur anywhere in it."""
    lines = {line.strip() for line in text.splitlines()}
    return sorted(secret_lines(source_nb) & lines) + \
        [marker for marker in LEAK_MARKERS if marker in text]
