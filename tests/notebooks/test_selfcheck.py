"""`make check` (helpers.selfcheck): the student's own notebooks, public checks only, read-only.

A half-solved notebook 03 (3.1 and 3.2 solved, 3.3 with a known mistake, 3.4-3.7 untouched,
one written answer) must come out as passed / passed / FAILED with the mistake's hint / not done
/ not done, with the points of the passed public checks; the file is never written; the hidden
checks are never run (they are not in the student's notebook, and the table says so).
"""

from __future__ import annotations

import hashlib
import os
import re
import subprocess

import nbformat
import pytest

from helpers import selfcheck
from tests.course import (BIN, ROOT, nbgrader_meta, read, release_path, source_path,
                          strip_solution_markers, subprocess_env)

NAME = "03_backprop"
# A mutant of tests/grading/mutants/m03_backprop.py: its hint must reach the table.
MISTAKE = ("dZ1 = dA1 * relu_grad(Z1)", "dZ1 = dA1")


def half_solved_03() -> nbformat.NotebookNode:
    """The release of 03 with 3.1 and 3.2 solved, 3.3 wrong (ReLU mask forgotten), the rest blank,
    and the first written question answered."""
    release, source = read(release_path(NAME)), read(source_path(NAME))
    by_id = {nbgrader_meta(c).get("grade_id"): c for c in source.cells}
    for cell in release.cells:
        gid = nbgrader_meta(cell).get("grade_id")
        if gid in ("ex3_1_bce_with_logits", "ex3_2_two_layer_forward"):
            cell.source = strip_solution_markers(by_id[gid].source)
        elif gid == "ex3_3_two_layer_backward":
            solved = strip_solution_markers(by_id[gid].source)
            assert MISTAKE[0] in solved
            cell.source = solved.replace(*MISTAKE)
        elif gid == "q1_gradcheck_answer":
            cell.source = "The analytic gradient agrees with finite differences to 1e-7."
    return release


def _fingerprint(path) -> tuple:
    stat = os.stat(path)
    return hashlib.sha256(path.read_bytes()).hexdigest(), stat.st_mtime_ns, stat.st_size


@pytest.mark.slow
def test_half_solved_notebook_03(tmp_path):
    folder = tmp_path / "notebooks" / NAME
    folder.mkdir(parents=True)
    path = folder / f"{NAME}.ipynb"
    nbformat.write(half_solved_03(), path)
    before = _fingerprint(path)

    result = subprocess.run([str(BIN / "python"), "-m", "helpers.selfcheck", str(tmp_path / "notebooks")],
                            cwd=tmp_path, env=subprocess_env(), capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    table = result.stdout
    print(table)
    assert _fingerprint(path) == before, "make check changed the student's notebook"
    assert sorted(p.name for p in folder.iterdir()) == [f"{NAME}.ipynb"], "make check wrote next to it"

    rows = [m.groups() for m in re.finditer(
        r"^03_backprop\s+(.+?)\s{2,}(passed|FAILED|not done|answered)\s+(\S+)$", table, re.M)]
    assert rows == [
        ("Exercise 3.1 - bce_with_logits", "passed", "3/3"),
        ("Exercise 3.2 - two_layer_forward", "passed", "2/2"),
        ("Exercise 3.3 - two_layer_backward", "FAILED", "0/4"),
        ("Exercise 3.4 - dense_forward and dense_backward", "not done", "0/3"),
        ("Exercise 3.5 - mlp_forward and mlp_backward", "not done", "0/4"),
        ("Exercise 3.6 - sanity checks before training", "not done", "0/3"),
        ("Exercise 3.7 - softmax_cross_entropy", "not done", "0/4"),
        ("Written Question 1", "answered", "(3)"),
        ("Written Question 2", "not done", "(4)"),
    ], table
    failed_block = table.split("FAILED", 1)[1].split("\n03_backprop", 1)[0]
    assert "multiply by the ReLU mask, dZ1 = dA1 * relu_grad(Z1)" in " ".join(failed_block.split()), \
        failed_block
    assert "Public checks passed: 5 of 23 points" in table, table
    assert "hidden checks add up to 10 more points" in table, table


def test_hint_of_the_mutant_is_the_one_the_check_gives():
    """The FAILED hint comes from the check's own message (CheckFailed), not a generic text."""
    error = {"ename": "CheckFailed", "evalue": "FAILED - Exercise 3.3 - two_layer_backward\n"
             "  check: dW1 for a small network\n  expected: ...\n  got:      ...\n"
             "  hint: you forgot the ReLU mask: multiply dA1 by relu_grad(Z1)\n    before dW1."}
    status, hint = selfcheck._summary(error)
    assert status == "FAILED"
    assert hint == ("check: dW1 for a small network hint: you forgot the ReLU mask: multiply dA1 by "
                    "relu_grad(Z1) before dW1.")
    assert selfcheck._summary({"ename": "CheckFailed", "evalue": "NOT DONE YET - Exercise 3.4:\n x"})[0] \
        == "not done"
    assert selfcheck._summary({"ename": "NotImplementedError", "evalue": ""})[0] == "not done"
    assert selfcheck._summary({"ename": "ZeroDivisionError", "evalue": "division by zero"}) \
        == ("FAILED", "your code raised ZeroDivisionError: division by zero")


def test_blank_release_reports_every_exercise_and_a_corrupt_file(tmp_path):
    """A notebook whose first exercise fails still reports all of them; a corrupt file is one row."""
    executed = read(release_path("01_neurons_perceptron"))
    for cell in executed.cells:  # as if run: every check cell raised NOT DONE YET
        meta = nbgrader_meta(cell)
        if meta.get("grade") and cell.cell_type == "code" and not selfcheck._is_placeholder(cell.source):
            cell.outputs = [nbformat.v4.new_output("error", ename="CheckFailed",
                                                   evalue="NOT DONE YET - x", traceback=[])]
    rows = selfcheck.rows_from_executed(executed)
    code_rows = [r for r in rows if not r.written_points]
    assert len(code_rows) == 5 and {r.status for r in rows} == {"not done"}
    assert sum(r.public_points for r in code_rows) == 9 and sum(r.hidden_points for r in code_rows) == 5

    bad = tmp_path / "99_bad" / "99_bad.ipynb"
    bad.parent.mkdir()
    bad.write_text('{"cells": [')
    report = selfcheck.check_notebook(bad)
    assert report.problem.startswith("could not read 99_bad.ipynb"), report.problem
    assert "ERROR" in selfcheck.format_table([report])


def test_make_check_target_exists():
    makefile = (ROOT / "Makefile").read_text()
    assert re.search(r"^check: .*##", makefile, re.M)
    assert "helpers.selfcheck" in makefile
