"""The adversarial class for notebook 01: each case is a solved submission with one attack.

``CASES[name] = (build, expected)``: ``build(nb, course)`` edits a copy of a full solution in place
(or returns raw bytes for a file that is not a notebook); ``expected`` says what ``make grade``
must report: the status, the points lost (grade_ids of the tests that must score 0) and a text
that must appear in the student's flags or detail.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

NAME = "01_neurons_perceptron"
# the classic mistake (step(0) = 0): loses exercise 1.1, training still converges as fast
WRONG_PREDICT = "def predict(X, w, b):\n    return (X @ w + b > 0).astype(int)\n"
TESTS_1_1 = ("ex1_1_predict_tests", "ex1_1_predict_hidden")
TESTS_1_2 = ("ex1_2_update_tests", "ex1_2_update_hidden")
TESTS_1_3 = ("ex1_3_train_tests", "ex1_3_train_hidden")
TESTS_1_4 = ("ex1_4_variants_tests", "ex1_4_variants_hidden")
TESTS_1_5 = ("ex1_5_xor_network_tests", "ex1_5_xor_network_hidden")


@dataclass(frozen=True)
class Expected:
    status: str = "graded"
    lost: tuple[str, ...] = ()      # test cells that must score 0
    same_as: str = ""               # must score exactly what this case scores (no points gained)
    at_least: bool = False          # lost: these and possibly more
    kept: tuple[str, ...] = ()      # with at_least: tests that must keep their points
    report: str = ""                # must appear in flags or detail ("" = no flags at all)
    flagged: bool = True


def index_of(nb, grade_id: str) -> int:
    return next(i for i, c in enumerate(nb.cells) if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id)


def cell(nb, grade_id: str):
    return nb.cells[index_of(nb, grade_id)]


def add_after(nb, grade_id: str, source: str) -> None:
    nb.cells.insert(index_of(nb, grade_id) + 1, nbformat.v4.new_code_cell(source))


def replace_answer(nb, grade_id: str, source: str) -> None:
    cell(nb, grade_id).source = source


# -- attacks on the kernel --------------------------------------------------------------------
def infinite_loop(nb, course):
    # in 1.4's function: three cells call it (each waits out the cell timeout), 1.5 comes after
    target = cell(nb, "ex1_4_variants")
    target.source = target.source.replace('    """\n', '    """\n    while True:\n        pass\n', 1)


def stubborn_loop(nb, course):
    # ignores every interrupt; it sleeps rather than spins (infinite_loop spins): the grader must kill
    # it either way, and a spinning core for the ~20 s of timeout and grace would only slow the suite
    add_after(nb, "ex1_3_train_hidden", "import time\nwhile True:\n    try:\n        while True:\n"
              "            time.sleep(0.05)\n    except KeyboardInterrupt:\n        pass\n")


def sys_exit(nb, course):
    add_after(nb, "ex1_1_predict_tests", "raise SystemExit('bye')")


def os_exit(nb, course):
    add_after(nb, "ex1_2_update_hidden", "__import__('os')._exit(3)")


def segfault(nb, course):
    add_after(nb, "ex1_3_train_hidden", "import ctypes\nctypes.string_at(0)")


def memory_hog(nb, course):
    add_after(nb, "ex1_1_predict_hidden", "hog = bytearray(64 * 2**30)   # 64 GiB")


def wrong_predict(nb, course):
    replace_answer(nb, "ex1_1_predict", WRONG_PREDICT)


def huge_output(nb, course):
    add_after(nb, "ex1_1_predict_hidden", "print('x' * 30_000_000)")


# -- tampering with the notebook ----------------------------------------------------------------
def deleted_test(nb, course):
    del nb.cells[index_of(nb, "ex1_2_update_tests")]


def deleted_answer(nb, course):
    del nb.cells[index_of(nb, "ex1_5_xor_network")]


def reordered(nb, course):
    moved = nb.cells.pop(index_of(nb, "ex1_1_predict_hidden"))
    nb.cells.insert(index_of(nb, "ex1_1_predict"), moved)


def edited_test(nb, course):
    replace_answer(nb, "ex1_1_predict", WRONG_PREDICT)
    cell(nb, "ex1_1_predict_tests").source = "print('PASSED - Exercise 1.1 - predict: 3 of 3 checks')"


def changed_metadata(nb, course):
    cell(nb, "ex1_1_predict_tests").metadata.nbgrader["points"] = 50
    cell(nb, "ex1_2_update_hidden").metadata.nbgrader["grade"] = False
    cell(nb, "ex1_3_train_tests").metadata.nbgrader["schema_version"] = 1   # stops nbgrader's batch
    nb.cells.append(copy.deepcopy(cell(nb, "ex1_5_xor_network_tests")))    # a duplicated test cell


# -- monkeypatching the test machinery ------------------------------------------------------------
def patch_checker(nb, course):
    replace_answer(nb, "ex1_1_predict", WRONG_PREDICT + "\nchecks.Checker.array = lambda self, *a, **k: None\n")


def patch_while_checked(nb, course):
    # right on the first call (that check was looked up before the call), then wrong, unchecked
    replace_answer(nb, "ex1_1_predict", (
        "_calls = []\n\ndef predict(X, w, b):\n    _calls.append(1)\n"
        "    checks.Checker.array = lambda self, *a, **k: None\n"
        "    return (X @ w + b >= 0).astype(int) if len(_calls) == 1 else (X @ w + b > 0).astype(int)\n"))


def rebind_checks(nb, course):
    replace_answer(nb, "ex1_1_predict", WRONG_PREDICT + (
        "\nimport contextlib\n\nclass _Quiet:\n    def __getattr__(self, name):\n"
        "        return lambda *a, **k: None\n\n"
        "class _Fake:\n    @contextlib.contextmanager\n    def exercise(self, title):\n"
        "        print('PASSED - ' + title)\n        yield _Quiet()\n\nchecks = _Fake()\n"))


def patch_numpy(nb, course):
    # the expected values the checks compare against are "equal" to anything
    replace_answer(nb, "ex1_1_predict", WRONG_PREDICT + (
        "\nnp.allclose = lambda *a, **k: True\nnp.asarray = lambda a, *args, **k: np.array(a)\n"))


def hide_errors(nb, course):
    replace_answer(nb, "ex1_1_predict", WRONG_PREDICT + (
        "\nip = get_ipython()\nip.set_custom_exc((Exception,), lambda *a, **k: None)\n"
        "ip.showtraceback = lambda *a, **k: None\n"))


# -- trying to leave the sandbox ---------------------------------------------------------------------
PROBE = '''import json, os, socket
course = {course!r}
probes = {{}}
def attempt(name, action):
    try:
        action()
        probes[name] = "succeeded"
    except Exception as err:
        probes[name] = "blocked: " + type(err).__name__
attempt("read solutions", lambda: open(os.path.join(course, "solutions", {name!r}, {name!r} + ".ipynb")).read())
attempt("read gradebook", lambda: open(os.path.join(course, ".nbgrader", "gradebook.db"), "rb").read(10))
attempt("read other student", lambda: open(os.path.join(course, "submitted", "honest", {name!r}, {name!r} + ".ipynb")).read())
attempt("write course root", lambda: open(os.path.join(course, "pwned.txt"), "w").write("x"))
attempt("write beside course", lambda: open(os.path.join(os.path.dirname(course), "pwned.txt"), "w").write("x"))
attempt("write helpers", lambda: open(os.path.join({helpers!r}, "pwned.py"), "w").write("x"))
attempt("network", lambda: socket.create_connection(("127.0.0.1", {port}), timeout=3).close())
probes["secret in environment"] = "succeeded" if "NNF_TEST_SECRET" in os.environ else "blocked: absent"
print("PROBES " + json.dumps(probes))
'''


def probe_sandbox(port: int, helpers: Path):
    def build(nb, course):
        nb.cells.append(nbformat.v4.new_code_cell(PROBE.format(course=str(course), name=NAME, port=port,
                                                                helpers=str(helpers))))
    return build


# -- files that are not a gradable notebook -------------------------------------------------------------
def too_large(nb, course):
    cell(nb, "ex1_1_predict").outputs = [nbformat.v4.new_output("stream", name="stdout", text="y" * 3_000_000)]


CASES: dict[str, tuple] = {
    "honest": (None, Expected(flagged=False)),
    # the baseline of the attacks below: a wrong predict loses 1.1 and whatever builds on it
    "wrong_predict": (wrong_predict, Expected(lost=TESTS_1_1, at_least=True, flagged=False)),
    "infinite_loop": (infinite_loop, Expected(lost=TESTS_1_4, report="timed out")),
    "stubborn_loop": (stubborn_loop, Expected(lost=TESTS_1_4 + TESTS_1_5, report="did not stop after the timeout")),
    "sys_exit": (sys_exit, Expected(flagged=False)),
    "os_exit": (os_exit, Expected(lost=TESTS_1_3 + TESTS_1_4 + TESTS_1_5, report="the kernel died")),
    "segfault": (segfault, Expected(lost=TESTS_1_4 + TESTS_1_5, report="the kernel died")),
    "memory_hog": (memory_hog, Expected(report="MemoryError")),
    "huge_output": (huge_output, Expected(report="truncated by the grader")),
    "deleted_test": (deleted_test, Expected(lost=("ex1_2_update_tests",), report="ex1_2_update_tests was deleted")),
    "deleted_answer": (deleted_answer, Expected(lost=TESTS_1_5, report="answer cell ex1_5_xor_network was deleted")),
    "reordered": (reordered, Expected(lost=("ex1_1_predict_hidden",), report="out of order")),
    "edited_test": (edited_test, Expected(same_as="wrong_predict", report="ex1_1_predict_tests was edited")),
    "changed_metadata": (changed_metadata, Expected(report="grading metadata was changed")),
    "patch_checker": (patch_checker, Expected(same_as="wrong_predict", report="changes checks.Checker.array")),
    # loses what wrong_predict loses (1.1, 1.3) and also 1.4, which wrong_predict keeps: its function calls
    # predict, which patches the checks while they run, and the guard fails that exercise
    "patch_while_checked": (patch_while_checked, Expected(lost=TESTS_1_1 + TESTS_1_3 + TESTS_1_4,
                                                          report="changed while the checks ran")),
    "rebind_checks": (rebind_checks, Expected(same_as="wrong_predict", report="rebinds checks")),
    "patch_numpy": (patch_numpy, Expected(same_as="wrong_predict", report="changes np.allclose")),
    "hide_errors": (hide_errors, Expected(same_as="wrong_predict", report="calls get_ipython()")),
    "too_large": (too_large, Expected(status="too large", lost=("all",), flagged=False)),
    "corrupt": (b'{"cells": [{"cell_type": "code", "source": "x = 1"', Expected(status="corrupt", lost=("all",),
                                                                               flagged=False)),
    "empty": (b"", Expected(status="empty", lost=("all",), flagged=False)),
    "wrong_name": ("wrong name", Expected(status="wrong name", lost=("all",), flagged=False)),
}


def write_class(course: Path, solved, port: int, helpers: Path, cases=CASES) -> None:
    """submitted/<case>/01_.../ for every case (plus the sandbox probe student)."""
    builds = {**cases, "probe": (probe_sandbox(port, helpers), Expected(flagged=True))}
    for student, (build, _) in builds.items():
        folder = course / "submitted" / student / NAME
        folder.mkdir(parents=True)
        target = folder / f"{NAME}.ipynb"
        if isinstance(build, bytes):
            target.write_bytes(build)
        elif build == "wrong name":
            nbformat.write(solved, folder / "my_notebook.ipynb")
        else:
            nb = copy.deepcopy(solved)
            if build is not None:
                build(nb, course)
            nbformat.write(nb, target)
