"""Untrusted submissions through the real `make grade` path (issue 6).

One class - an honest student, every attack in tests/grading/adversarial.py and a student probing
the sandbox - is graded by ``python -m instructor.grade --jobs 2`` exactly as
``make grade JOBS=2`` does.  Each case must get exactly the points of the tests its attack did not
touch, be reported by name, and never change another student's grade.
"""

from __future__ import annotations

import csv
import json
import shutil
import socket
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from nbclient import NotebookClient

from tests.course import ROOT, make_course_copy, nbgrader_meta, read, source_path, subprocess_env
from tests.grading import adversarial
from tests.grading.adversarial import CASES, NAME

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("adversarial")]
SOLVED = ROOT / "examples" / "submissions" / "ada" / NAME / f"{NAME}.ipynb"


def points() -> dict[str, float]:
    return {nbgrader_meta(c)["grade_id"]: nbgrader_meta(c)["points"] for c in read(source_path(NAME)).cells
            if nbgrader_meta(c).get("grade") and c.cell_type == "code"}


@pytest.fixture(scope="module")
def listener():
    """A TCP server on the grader's loopback: a sandboxed kernel must not reach it."""
    server = socket.create_server(("127.0.0.1", 0))
    server.settimeout(0.5)
    stop = threading.Event()

    def accept():
        while not stop.is_set():
            try:
                server.accept()[0].close()
            except OSError:
                pass
    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield server.getsockname()[1]
    stop.set()
    thread.join()
    server.close()


def grade_class(tmp_path_factory, port, isolate: bool, cases, helpers: Path = ROOT / "helpers") -> tuple:
    """Grade ``cases`` (+ the probe student, who tries to write a module into ``helpers``)."""
    course = make_course_copy(tmp_path_factory.mktemp("adversarial"))
    for other in (course / "solutions").iterdir():
        if other.name != NAME:
            shutil.rmtree(other)
    adversarial.write_class(course, read(SOLVED), port, helpers, cases)
    # 8 s per cell: the slowest honest cell of 01 takes ~2.4 s at load 5 (the imports); every loop
    # case waits out the timeout once per cell that calls it, so a longer one only costs time
    env = {**subprocess_env(), "NNF_CELL_TIMEOUT": "8", "NNF_MAX_SUBMISSION_MB": "2",
           "NNF_TEST_SECRET": "do-not-leak"}
    args = ["--course", str(course), "--jobs", "2"] + ([] if isolate else ["--no-isolation"])
    done = subprocess.run([sys.executable, "-m", "instructor.grade", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=1200)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    with open(course / "grades.csv") as handle:
        rows = {row["student_id"]: row for row in csv.DictReader(handle)}
    return course, rows, done.stdout


@pytest.fixture(scope="module")
def graded(tmp_path_factory, listener):
    return grade_class(tmp_path_factory, listener, True, CASES)


@pytest.mark.parametrize("case", sorted(CASES))
def test_each_case_scores_exactly_the_untouched_tests_and_is_reported(graded, case):
    course, rows, summary = graded
    expected = CASES[case][1]
    row = rows[case]
    table = points()
    assert row["status"] == expected.status, row
    if expected.same_as:
        score = float(rows[expected.same_as]["score"])
    else:
        score = 0 if "all" in expected.lost else sum(table.values()) - sum(table[g] for g in expected.lost)
    if expected.at_least:
        assert sum(table[g] for g in expected.kept) <= float(row["score"]) <= score, (case, row)
    else:
        assert float(row["score"]) == score, (case, row)
    reported = row["detail"] + " " + row["flags"]
    if expected.report:
        assert expected.report in reported, (case, row)
    assert bool(row["flags"]) == expected.flagged, (case, row)
    if expected.flagged:
        assert f"  {case} / {NAME}:" in summary.split("Flagged for manual review:")[1]


def test_the_honest_student_is_unaffected_by_everyone_else(graded):
    _, rows, _ = graded
    assert float(rows["honest"]["score"]) == sum(points().values())
    assert rows["honest"]["flags"] == ""


def test_the_sandbox_blocks_every_probe(graded):
    course, rows, _ = graded
    probes = _probes(course)
    # Reads, the network and the environment are blocked inside; a write may land in the
    # sandbox's private tmpfs, so writes are checked from the outside.
    inside = {k: v for k, v in probes.items() if not k.startswith("write")}
    assert len(inside) == 5 and all(v.startswith("blocked") for v in inside.values()), probes
    assert not (course / "pwned.txt").exists() and not (course.parent / "pwned.txt").exists()
    assert not (ROOT / "helpers" / "pwned.py").exists()
    assert float(rows["probe"]["score"]) == sum(points().values())


def test_without_isolation_the_same_probes_succeed(tmp_path_factory, listener):
    """The probes can fail: without bubblewrap they reach what the sandbox hides."""
    honest_only = {"honest": CASES["honest"]}
    # Not the checkout's helpers/: unsandboxed, the write would land there, and every grading
    # kernel started meanwhile by the other xdist worker would import the stray module.
    scratch = tmp_path_factory.mktemp("writable_helpers")
    course, rows, summary = grade_class(tmp_path_factory, listener, False, honest_only, scratch)
    probes = _probes(course)
    assert probes["read solutions"] == probes["read gradebook"] == probes["network"] == "succeeded", probes
    assert probes["write course root"] == probes["write helpers"] == "succeeded"
    assert (scratch / "pwned.py").exists()
    assert float(rows["honest"]["score"]) == sum(points().values())


def _probes(course) -> dict[str, str]:
    graded_nb = read(course / "autograded" / "probe" / NAME / f"{NAME}.ipynb")
    for cell in graded_nb.cells:
        for out in cell.get("outputs", []):
            for line in out.get("text", "").splitlines():
                if line.startswith("PROBES "):
                    return json.loads(line[len("PROBES "):])
    return {}


GUARDED = ["patch_checker", "patch_while_checked", "rebind_checks", "patch_numpy", "hide_errors"]


@pytest.mark.parametrize("case", GUARDED)
def test_the_attack_would_pass_the_checks_without_the_guard(tmp_path, case):
    """Each monkeypatch really makes a wrong predict() pass exercise 1.1 in a plain kernel."""
    nb = read(SOLVED)
    CASES[case][0](nb, tmp_path)
    stop = adversarial.index_of(nb, "ex1_1_predict_tests")
    nb.cells = [c for c in nb.cells[: stop + 1] if c.cell_type == "code"]
    NotebookClient(nb, timeout=60, kernel_name="python3", allow_errors=True,
                   resources={"metadata": {"path": str(tmp_path)}}).execute()
    test_cell = nb.cells[-1]
    assert not [o for o in test_cell.outputs if o.output_type == "error" or o.get("name") == "stderr"], \
        test_cell.outputs
