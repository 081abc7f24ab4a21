"""Grading safety pieces in isolation: submission comparison, static scan, sandbox command, guard."""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
import textwrap
import time

import nbformat
import psutil
import pytest

from instructor import integrity, sandbox
from tests.course import assignments, read, release_path, source_path

NAME = "01_neurons_perceptron"


def kinds(findings) -> list[str]:
    return sorted(f.kind for f in findings)


@pytest.fixture(scope="module")
def release():
    return read(release_path(NAME))


def test_an_untouched_release_has_no_findings(release):
    repaired, findings = integrity.check_structure(release, release)
    assert findings == [] and repaired == release


def test_deleted_reordered_edited_and_changed_cells_are_named(release):
    nb = copy.deepcopy(release)
    ids = [integrity.grade_id(c) for c in nb.cells]
    del nb.cells[ids.index("ex1_2_update_tests")]
    nb.cells.insert(0, nb.cells.pop(ids.index("ex1_1_predict_hidden")))
    test = next(c for c in nb.cells if integrity.grade_id(c) == "ex1_3_train_tests")
    test.source = "pass"
    test.metadata.nbgrader["points"] = 99
    nb.cells.append(copy.deepcopy(test))
    nb.cells.append(nbformat.v4.new_code_cell("x = 1", metadata={"nbgrader": {"grade_id": "made_up", "grade": True}}))
    repaired, findings = integrity.check_structure(nb, release)
    assert kinds(findings) == ["deleted", "duplicate", "edited", "metadata", "reordered", "unknown"]
    assert any("ex1_2_update_tests was deleted - its 2 point(s) are lost" in str(f) for f in findings)
    fixed = next(c for c in repaired.cells if integrity.grade_id(c) == "ex1_3_train_tests")
    original = next(c for c in release.cells if integrity.grade_id(c) == "ex1_3_train_tests")
    assert fixed.source == original.source and fixed.metadata.nbgrader["points"] == 2
    assert sum(integrity.grade_id(c) == "ex1_3_train_tests" for c in repaired.cells) == 1
    assert "made_up" not in {integrity.grade_id(c) for c in repaired.cells}
    assert nb.cells[-1].metadata.nbgrader["grade_id"] == "made_up"   # the submission itself untouched


def test_an_answer_cell_keeps_the_students_code_when_its_metadata_is_restored(release):
    nb = copy.deepcopy(release)
    answer = next(c for c in nb.cells if integrity.grade_id(c) == "ex1_1_predict")
    answer.source = "def predict(X, w, b):\n    return X @ w + b >= 0\n"
    answer.metadata.nbgrader["locked"] = True
    repaired, findings = integrity.check_structure(nb, release)
    assert kinds(findings) == ["metadata"]
    fixed = next(c for c in repaired.cells if integrity.grade_id(c) == "ex1_1_predict")
    assert fixed.source == answer.source and fixed.metadata.nbgrader["locked"] is False


@pytest.mark.parametrize("name", assignments())
def test_honest_solutions_are_never_flagged_by_the_scan(name):
    source = read(source_path(name))
    assert integrity.scan_code(source, read(release_path(name)), integrity.protected_names(source)) == []


@pytest.mark.parametrize("code, flag", [
    ("np.allclose = lambda *a, **k: True", "changes np.allclose"),
    ("checks.Checker.array = None", "changes checks.Checker.array"),
    ("checks = object()", "rebinds checks"),
    ("def logic_gate(name):\n    return 1", "redefines logic_gate"),
    ("import gc", "imports gc"),
    ("get_ipython().showtraceback = print", "calls get_ipython()"),
    ("setattr(np, 'allclose', print)", "calls setattr()"),
    ("f = lambda: 0\nf.__code__ = None", "uses .__code__"),
    ("import sys\nsys.modules['helpers.checks'] = None", "uses .modules"),
])
def test_the_scan_flags_reaching_into_the_test_machinery(release, code, flag):
    nb = copy.deepcopy(release)
    nb.cells.append(nbformat.v4.new_code_cell(code))
    source = read(source_path(NAME))
    found = [str(f) for f in integrity.scan_code(nb, release, integrity.protected_names(source))]
    assert any(flag in f for f in found), found


@pytest.mark.parametrize("name, answer, code, flag", [
    ("02_activations", "ex2_2_sigmoid", "from helpers.activations import sigmoid, sigmoid_grad",
     "imports helpers.activations - helpers.activations is the course's reference implementation"),
    ("02_activations", "ex2_5_softmax", "import helpers.nn\ndef softmax(Z):\n    return helpers.nn._softmax(Z)",
     "uses helpers.nn"),
    ("03_backprop", "ex3_1_bce_with_logits", "from helpers import nn as reference\n"
     "def bce_with_logits(Z, y):\n    return reference.binary_cross_entropy(Z, y)", "imports helpers.nn"),
    ("04_optimizers", "ex4_4_adam", "from helpers.optim import Adam", "imports helpers.optim"),
    ("05_init_regularization", "ex5_4_dropout", "def dropout_forward(A, p, rng, training=True):\n"
     "    return MLP([A.shape[1], 1], dropout=p).forward(A, training)", "uses MLP (from helpers.nn)"),
])
def test_the_scan_flags_an_answer_that_calls_its_own_reference(name, answer, code, flag):
    """helpers.activations/nn/optim/train implement exercises of notebooks 02-05: an answer in
    that notebook that uses them is flagged for review (never scored down by the flag itself)."""
    source, release = read(source_path(name)), read(release_path(name))
    nb = copy.deepcopy(release)
    next(c for c in nb.cells if integrity.grade_id(c) == answer).source = code
    found = integrity.scan_code(nb, release, integrity.protected_names(source))
    assert [f.kind for f in found] and {f.kind for f in found} == {"reference"}, found
    assert any(f.cell == answer and flag in str(f) for f in found), [str(f) for f in found]


@pytest.mark.parametrize("name, code", [
    ("04_optimizers", "model = MLP([3, 4, 1])"),              # helpers.nn is notebook 04's tool, not its exercise
    ("03_backprop", "from helpers.activations import relu"),  # 03 builds on 02's reference
    ("06_capstone_device_failure", "from helpers.optim import Adam"),
])
def test_the_scan_leaves_references_of_earlier_notebooks_alone(name, code):
    source, release = read(source_path(name)), read(release_path(name))
    nb = copy.deepcopy(release)
    nb.cells.append(nbformat.v4.new_code_cell(code))
    assert integrity.scan_code(nb, release, integrity.protected_names(source)) == []


def test_a_functions_own_names_are_not_flagged(release):
    nb = copy.deepcopy(release)
    nb.cells.append(nbformat.v4.new_code_cell("def f(np, checks):\n    np = 1\n    checks = 2\n    return np"))
    source = read(source_path(NAME))
    assert integrity.scan_code(nb, release, integrity.protected_names(source)) == []


def test_the_sandbox_command_exposes_only_what_the_kernel_needs(tmp_path):
    work, sockets = tmp_path / "autograded" / "s" / "a", tmp_path / "runtime"
    argv = sandbox.bwrap_argv(work, [sockets], ["python", "-m", "ipykernel_launcher"], read_only=[tmp_path / "c.json"])
    binds = [argv[i + 1] for i, a in enumerate(argv) if a == "--bind"]
    assert binds == [str(work), str(sockets)]
    assert {"--unshare-all", "--clearenv", "--die-with-parent"} <= set(argv)
    assert str(sandbox.ROOT) not in [argv[i + 1] for i, a in enumerate(argv) if a.endswith("bind")]
    assert argv[-3:] == ["python", "-m", "ipykernel_launcher"]


@pytest.mark.parametrize("workdir", ["/", str(sandbox.ROOT), str(sandbox.ROOT / "solutions" / "x")])
def test_the_sandbox_refuses_to_expose_the_course(workdir):
    from pathlib import Path
    with pytest.raises(sandbox.SandboxUnavailable, match="refusing"):
        sandbox.check_workdir(Path(workdir))


def test_the_guard_restores_and_reports_what_was_changed():
    """In a subprocess: the guard's audit hook cannot be removed from the process running it."""
    script = textwrap.dedent("""
        from IPython.core.interactiveshell import InteractiveShell
        from instructor import guard
        import numpy as np
        from helpers import checks
        shell = InteractiveShell.instance()
        g = guard.install(shell)
        shell.run_cell("import numpy as np\\nfrom helpers import checks")
        original = np.allclose
        shell.run_cell("np.allclose = lambda *a, **k: True\\nx = 1")
        assert np.allclose is original, "restored before the next statement"
        shell.run_cell("checks = None\\ny = 2")
        assert shell.user_ns["checks"] is checks
        def sneaky():
            checks.Checker.array = lambda *a, **k: None
        try:
            with checks.exercise("demo") as check:
                sneaky()
                check.array(1, 2, "one is two")
        except checks.CheckFailed as err:
            assert "changed while this exercise ran" in str(err), err
        else:
            raise SystemExit("the patched checker was trusted")
        print("CHANGES", g.changes)
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "numpy.allclose" in done.stdout and "notebook name 'checks'" in done.stdout
    assert "helpers.checks.Checker.array" in done.stdout



def test_a_module_that_does_not_import_is_left_out_of_the_snapshot(tmp_path, monkeypatch, capfd):
    """A stray file in helpers/ once made every grading kernel's snapshot fail (see the guard)."""
    from instructor import guard

    package = tmp_path / "fakehelpers"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "good.py").write_text("TABLE = [1, 2]\n")
    (package / "stray.py").write_text("x\n")            # NameError on import
    monkeypatch.syspath_prepend(str(tmp_path))
    names = [m.__name__ for m in guard._helper_modules(__import__("fakehelpers"))]
    assert names == ["fakehelpers", "fakehelpers.good"]
    assert "fakehelpers.stray does not import (NameError" in capfd.readouterr().err


def test_a_guard_that_could_not_be_installed_flags_every_exercise():
    """Never a silent pass and never a bare NameError: the checks say the guard is missing."""
    script = textwrap.dedent("""
        from IPython.core.interactiveshell import InteractiveShell
        from instructor import guard
        from helpers import checks
        def broken(shell):
            raise RuntimeError("snapshot failed")
        guard.Guard = broken
        try:
            guard.install(InteractiveShell.instance())
        except RuntimeError:
            pass
        else:
            raise SystemExit("install() hid its failure")
        try:
            with checks.exercise("demo"):
                pass
        except checks.CheckFailed as err:
            print("FAILED:", str(err).replace(chr(10), " "))
        else:
            raise SystemExit("the exercise passed without a guard")
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "[grading guard] was not installed in this kernel" in done.stdout
    assert "the grading guard was not installed" in " ".join(done.stdout.split("FAILED:")[1].split())


GRADER = """
import subprocess, sys, time
child = subprocess.Popen(sys.argv[1:])
print(child.pid, flush=True)
time.sleep(120)
"""


@pytest.mark.parametrize("isolate", [False, True])
def test_a_kernel_dies_with_the_grading_process_that_started_it(tmp_path, isolate):
    """SIGKILL the grading process (a crashed or killed `make grade`): its kernel is gone too."""
    if isolate and sandbox.bwrap_path() is None:
        if os.environ.get("CI"):
            pytest.fail("bubblewrap is missing: `make sandbox`")
        pytest.skip("bubblewrap is missing: `make sandbox`")
    marker = f"nnf-orphan-probe-{tmp_path.name}"
    connection = tmp_path / "kernel.json"
    connection.write_text(json.dumps({"transport": "ipc", "ip": str(tmp_path / "sockets" / "kernel")}))
    (tmp_path / "sockets").mkdir()
    kernel = [sys.executable, "-c", f"import time; time.sleep(60)  # {marker}", "-f", str(connection)]
    wrapper = [sys.executable, "-m", "instructor.sandbox", *([] if isolate else ["--no-isolation"]), "--", *kernel]
    grader = subprocess.Popen([sys.executable, "-c", GRADER, *wrapper], cwd=tmp_path, stdout=subprocess.PIPE,
                              text=True, env={**os.environ, "PYTHONPATH": str(sandbox.ROOT)})

    def kernels():
        return [p for p in psutil.process_iter(["cmdline"]) if marker in " ".join(p.info["cmdline"] or [])
                and p.pid != grader.pid]

    try:
        grader.stdout.readline()
        deadline = time.monotonic() + 30
        while not kernels() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert kernels(), "the kernel did not start"
        grader.kill()
        grader.wait()
        deadline = time.monotonic() + 10
        while kernels() and time.monotonic() < deadline:
            time.sleep(0.1)
        left = kernels()
        assert not left, f"still running after the grading process was killed: {[p.pid for p in left]}"
    finally:
        grader.kill()
        for proc in kernels():
            proc.kill()


HOLDER = """
import os, subprocess, sys, time
read, write = os.pipe()              # the grading process's pipe: never written
os.set_inheritable(read, True)
env = {**os.environ, "NNF_GRADER_ALIVE_FD": str(read)}
for code in sys.argv[1:]:
    child = subprocess.Popen([sys.executable, "-c", code], env=env, close_fds=False, start_new_session=True)
    print(child.pid, flush=True)
os.close(read)
time.sleep(120)
"""
WATCHED = "import time; from instructor.sandbox import exit_with_the_grader; {call}; time.sleep(60)"


def test_a_grading_kernel_exits_when_its_grading_process_is_gone():
    """The kernel's own watch: no signal reaches it (its own session, no death signal), only the
    end of file of the grading process's pipe. A control kernel without the watch outlives it."""
    codes = [WATCHED.format(call="exit_with_the_grader()"), WATCHED.format(call="pass")]
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, *codes], stdout=subprocess.PIPE, text=True,
                              env={**os.environ, "PYTHONPATH": str(sandbox.ROOT)})
    watched, control = (psutil.Process(int(holder.stdout.readline())) for _ in codes)

    def alive(process):
        return process.is_running() and process.status() != psutil.STATUS_ZOMBIE

    try:
        time.sleep(1.0)                                   # both are up, one of them watching
        assert alive(watched) and alive(control)
        holder.kill()
        holder.wait()
        deadline = time.monotonic() + 10
        while alive(watched) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not alive(watched), "the kernel outlived its grading process"
        assert alive(control), "the control exited too: the test would prove nothing"
    finally:
        holder.kill()
        for process in (watched, control):
            if process.is_running():
                process.kill()


def test_the_sandbox_hands_the_grading_process_pipe_to_the_kernel(tmp_path):
    """What `make grade`'s wrapper passes into bwrap: the kernel's NNF_GRADER_ALIVE_FD is a
    descriptor of the grading process's own pipe (the same pipe, not just any pipe)."""
    if sandbox.bwrap_path() is None:
        if os.environ.get("CI"):
            pytest.fail("bubblewrap is missing: `make sandbox`")
        pytest.skip("bubblewrap is missing: `make sandbox`")
    connection = tmp_path / "kernel.json"
    connection.write_text(json.dumps({"transport": "ipc", "ip": str(tmp_path / "sockets" / "kernel")}))
    (tmp_path / "sockets").mkdir()
    probe = ("import os, stat; st = os.fstat(int(os.environ['NNF_GRADER_ALIVE_FD'])); "
             "print('kernel', 'FIFO' if stat.S_ISFIFO(st.st_mode) else 'other', st.st_ino)")
    grader = ("import os, subprocess, sys; read, write = os.pipe(); "
              "print('grader', os.fstat(read).st_ino, flush=True); "
              "os.environ['NNF_GRADER_ALIVE'] = f'{os.getpid()}:{read}'; "
              "sys.exit(subprocess.run(sys.argv[1:]).returncode)")
    wrapper = [sys.executable, "-m", "instructor.sandbox", "--", sys.executable, "-c", probe, "-f", str(connection)]
    done = subprocess.run([sys.executable, "-c", grader, *wrapper], cwd=tmp_path, capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(sandbox.ROOT)}, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr
    lines = dict(line.split(" ", 1) for line in done.stdout.strip().splitlines())
    assert lines["kernel"] == f"FIFO {lines['grader']}", done.stdout
