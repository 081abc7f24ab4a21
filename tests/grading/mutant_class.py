"""A realistic class built from the mutant catalogue: known mistakes in planted frequencies.

16 students (s01 ... s16) hand in notebooks 01 and 02: the example student ada's full solution
with, for some students, one known wrong answer from tests/grading/mutants/ per exercise.
Planted mistakes sit in exercises no other exercise's checks call (in 01, train_perceptron calls
predict, so a wrong predict would also fail exercise 1.3), so a mistake fails its own exercise's
checks only. PLANTED lists them with who makes them (6, 4 and 2 students; in 01 two different
mistakes of exercise 1.4, made by different students).
"""

from __future__ import annotations

import importlib
import shutil
from pathlib import Path

import nbformat

from tests.course import ROOT

ASSIGNMENTS = ["01_neurons_perceptron", "02_activations"]
STUDENTS = [f"s{i:02d}" for i in range(1, 17)]
ADA = ROOT / "examples" / "submissions" / "ada"
#: assignment -> [(mutant name, students who make that mistake)], most frequent first
PLANTED = {
    "01_neurons_perceptron": [("XOR weights that give OR", STUDENTS[0:6]),
                              ("learning rate hard-coded to 1", STUDENTS[4:8]),
                              ("W1 transposed", STUDENTS[8:10])],
    "02_activations": [("no max shift", STUDENTS[0:6]),
                       ("relu_grad(0) = 1", STUDENTS[4:8]),
                       ("weights multiplied in reverse order", STUDENTS[8:10])],
}


def mutant(assignment: str, name: str):
    catalogue = importlib.import_module(f"tests.grading.mutants.m{assignment}").MUTANTS
    return next(m for m in catalogue if m.name == name)


def notebook(assignment: str, student: str):
    """ada's notebook with the mutants this student carries applied to their exercise cells."""
    nb = nbformat.read(ADA / assignment / f"{assignment}.ipynb", as_version=4)
    by_id = {c.metadata.get("nbgrader", {}).get("grade_id"): c for c in nb.cells}
    for name, who in PLANTED[assignment]:
        if student not in who:
            continue
        m = mutant(assignment, name)
        cell = by_id[m.exercise]
        for old, new in m.replace:
            assert old in cell.source, f"mutant {name!r} is stale: {old!r} not in ada's {m.exercise}"
            cell.source = cell.source.replace(old, new)
    return nb


def variant(assignment: str, student: str) -> tuple[str, ...]:
    """The planted mistakes this student carries (students with the same variant hand in the
    same notebook)."""
    return tuple(name for name, who in PLANTED[assignment] if student in who)


def one_per_variant(assignment: str) -> list[str]:
    """The first student of every distinct notebook of ``assignment``."""
    firsts = {}
    for student in STUDENTS:
        firsts.setdefault(variant(assignment, student), student)
    return sorted(firsts.values())


def write_class(submitted: Path, students: list[str] = STUDENTS) -> Path:
    """``submitted/<student>/<assignment>/<assignment>.ipynb`` for ``students``."""
    for student in students:
        for assignment in ASSIGNMENTS:
            folder = submitted / student / assignment
            folder.mkdir(parents=True, exist_ok=True)
            nbformat.write(notebook(assignment, student), folder / f"{assignment}.ipynb")
    return submitted


def keep_only(course: Path, assignments: list[str] = ASSIGNMENTS) -> None:
    """Remove every other assignment's solutions from a course copy."""
    for other in (course / "solutions").iterdir():
        if other.name not in assignments:
            shutil.rmtree(other)
