"""`make student-copy`: what the student copy holds, that nothing secret leaks into it, and that a
fresh `git clone` of it installs and self-checks with its own Makefile.

The browser half (`make lab` in the clone serves the notebooks with Validate working) is
tests/browser/test_student_copy_lab.py.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import zipfile
from importlib import metadata
from pathlib import Path

import nbformat
import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from instructor import student_copy
from tests.course import LEAK_MARKERS as MARKERS
from tests.course import ROOT, SOLUTIONS, _regions, assignments
from tests.student_copy import build_copy, clone_and_install, run

# one worker builds the copy (module fixture) for every test of this file
pytestmark = pytest.mark.xdist_group("student_copy")

# Lines of helpers/ that are also lines of a solution region. helpers.activations, nn, optim and
# train are reference implementations of exercises by design (README: an answer that calls the
# reference of its own notebook is flagged at grading, instructor/integrity.py); the rest are
# one-line idioms. A new overlap fails this test until someone decides about it here.
HELPERS_SHARED_WITH_SOLUTIONS = {
    ("activations.py", "e = np.exp(-np.abs(z))"): "reference sigmoid (answers 02 Exercise 2.2)",
    ("activations.py", "s = sigmoid(z)"): "reference sigmoid_grad (answers 02 Exercise 2.2)",
    ("activations.py", "return s * (1.0 - s)"): "reference sigmoid_grad (answers 02 Exercise 2.2)",
    ("nn.py", "shifted = Z - Z.max(axis=1, keepdims=True)"): "stable softmax of the loss (02 Exercise 2.5)",
    ("nn.py", "E = np.exp(shifted)"): "stable softmax of the loss (02 Exercise 2.5)",
    ("nn.py", "return E / E.sum(axis=1, keepdims=True)"): "stable softmax of the loss (02 Exercise 2.5)",
    ("nn.py", "m = Z.shape[0]"): "idiom: number of examples",
    ("nn.py", "for name, value in params.items():"): "idiom: loop over a parameter dict",
    ("nn.py", "y = np.asarray(y)"): "idiom",
    ("nn.py", "if y.dtype.kind not in \"iu\":"): "idiom: integer class labels",
    ("nn.py", "log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))"):
        "reference softmax cross-entropy (answers 03 Exercise 3.7; flagged if imported in 03)",
    ("optim.py", "progress = min(epoch, total) / total"): "reference cosine schedule (04 Exercise 4.5)",
    ("plotting.py", "Z = np.asarray(Z, dtype=np.float64)"): "idiom",
    ("train.py", 'if name.startswith("W"):'): "idiom: weights, not biases",
    ("train.py", "if schedule is not None:"): "idiom",
    ("train.py", "y = np.asarray(y)"): "idiom",
}


@pytest.fixture(scope="module")
def copy(tmp_path_factory) -> Path:
    return build_copy(tmp_path_factory.mktemp("dist"))


def files_of(copy: Path) -> list[Path]:
    return sorted(p for p in copy.rglob("*") if p.is_file() and ".git" not in p.relative_to(copy).parts)


def secret_lines() -> tuple[dict[str, str], dict[str, str]]:
    """(solution lines, hidden-test lines) of solutions/ -> the notebook they come from.

    Solution regions include the model answers and rubrics of the written questions. A line that
    also stands outside every secret region is public (e.g. loading a data set); short lines and
    comments are too common to mean anything."""
    solution, hidden, public = {}, {}, set()
    for name in assignments():
        nb = nbformat.read(SOLUTIONS / name / f"{name}.ipynb", as_version=4)
        for cell in nb.cells:
            sol = set(_regions(cell.source, "BEGIN SOLUTION", "END SOLUTION"))
            hid = set(_regions(cell.source, "BEGIN HIDDEN TESTS", "END HIDDEN TESTS"))
            for line in sol:
                solution.setdefault(line, name)
            for line in hid:
                hidden.setdefault(line, name)
            public |= {line.strip() for line in cell.source.splitlines()} - sol - hid

    def keep(lines):
        return {k: v for k, v in lines.items() if k not in public and len(k) >= 12 and not k.startswith("#")}
    return keep(solution), keep(hidden)


def lines_of(path: Path) -> set[str]:
    if path.suffix == ".ipynb":
        nb = nbformat.read(path, as_version=4)
        texts = [cell.source for cell in nb.cells]
        texts += [str(o.get("text", "")) + str(o.get("data", "")) for c in nb.cells for o in c.get("outputs", [])]
        return {line.strip() for text in texts for line in text.splitlines()}
    return {line.strip() for line in path.read_text(encoding="utf-8").splitlines()}


def leak_scan(copy: Path) -> dict[str, list[tuple[str, str, str]]]:
    """Every file of the copy -> [(kind, line, notebook)] of secret lines and markers found in it."""
    solution, hidden = secret_lines()
    found = {}
    for path in files_of(copy):
        lines = lines_of(path)
        text = path.read_text(encoding="utf-8")
        hits = [("marker", m, "") for m in MARKERS if m in text]
        hits += [("hidden test", line, hidden[line]) for line in sorted(lines & hidden.keys())]
        hits += [("solution", line, solution[line]) for line in sorted(lines & solution.keys())]
        if hits:
            found[path.relative_to(copy).as_posix()] = hits
    return found


def test_file_list(copy):
    files = [p.relative_to(copy).as_posix() for p in files_of(copy)]
    print("\n".join(files))
    assert {f.split("/")[0] for f in files} == set(student_copy.TOP_LEVEL)
    helpers = sorted(f"helpers/{p.name}" for p in (ROOT / "helpers").glob("*.py"))
    notebooks = sorted(f"notebooks/{n}/{n}.ipynb" for n in assignments())
    assert [f for f in files if f.startswith("helpers/")] == helpers
    assert [f for f in files if f.startswith("notebooks/")] == notebooks
    for rel in helpers + notebooks:  # exactly the release and the student package
        assert (copy / rel).read_bytes() == (ROOT / rel).read_bytes(), rel
    for forbidden in ("solutions", "instructor", "tests", "examples", "submitted", "autograded", "feedback",
                      ".nbgrader", "grades.csv", "pyproject.toml", "requirements.lock"):
        assert not any(f == forbidden or f.startswith(forbidden + "/") for f in files), forbidden


def test_zip_holds_the_same_files(copy):
    files = {f"{student_copy.NAME}/{p.relative_to(copy).as_posix()}": p.read_bytes() for p in files_of(copy)}
    with zipfile.ZipFile(copy.parent / f"{student_copy.NAME}.zip") as archive:
        assert sorted(archive.namelist()) == sorted(files)
        for name, data in files.items():
            assert archive.read(name) == data, name


def test_it_is_a_git_repository_with_everything_committed(copy):
    assert run(["git", "status", "--porcelain"], cwd=copy).stdout == ""
    tracked = run(["git", "ls-files"], cwd=copy).stdout.split()
    assert tracked == sorted(p.relative_to(copy).as_posix() for p in files_of(copy))
    head = run(["git", "rev-parse", "HEAD"], cwd=copy).stdout
    student_copy.build(copy.parent)  # the same course again: no new commit
    assert run(["git", "rev-parse", "HEAD"], cwd=copy).stdout == head


def test_leak_scan(copy):
    """No solution line, hidden-test line, model answer or marker in any file of the copy, except
    the listed lines of helpers/ (reference code, see HELPERS_SHARED_WITH_SOLUTIONS)."""
    found = leak_scan(copy)
    for path, hits in found.items():
        print(path, hits)
    outside_helpers = {p: h for p, h in found.items() if not p.startswith("helpers/")}
    assert not outside_helpers, outside_helpers
    shared = {(p.split("/")[1], line) for p, hits in found.items() for kind, line, _ in hits
              if p.startswith("helpers/") and kind == "solution"}
    others = [(p, hit) for p, hits in found.items() for hit in hits if hit[0] != "solution"]
    assert not others, f"hidden-test lines or markers in helpers/: {others}"
    assert shared == set(HELPERS_SHARED_WITH_SOLUTIONS), (
        f"new: {sorted(shared - set(HELPERS_SHARED_WITH_SOLUTIONS))}; "
        f"gone: {sorted(set(HELPERS_SHARED_WITH_SOLUTIONS) - shared)}")


def test_leak_scan_finds_a_planted_leak(tmp_path, copy):
    """The scan is not blind: one solution line, one hidden-test line, a model answer planted in a
    copy of the copy are each found in the file they were put in."""
    solution, hidden = secret_lines()
    model = next(line for line, name in solution.items() if name == "03_backprop" and not re.search(r"[=()]", line))
    planted = Path(shutil.copytree(copy, tmp_path / "copy"))
    readme = planted / "README.md"
    readme.write_text(readme.read_text() + "\n" + next(iter(hidden)) + "\n")
    helper = planted / "helpers" / "data.py"
    helper.write_text(helper.read_text() + "\n    " + next(l for l in solution if "return" in l) + "\n")
    nb_path = planted / "notebooks" / "03_backprop" / "03_backprop.ipynb"
    nb = nbformat.read(nb_path, as_version=4)
    nb.cells[-1].source += "\n" + model
    nbformat.write(nb, nb_path)
    found = leak_scan(planted)
    assert any(kind == "hidden test" for kind, _, _ in found["README.md"])
    assert any(line == model for _, line, _ in found["notebooks/03_backprop/03_backprop.ipynb"])
    assert len(found["helpers/data.py"]) >= 1


def _lock() -> dict[str, str]:
    lines = [l.strip() for l in (ROOT / "requirements.lock").read_text().splitlines() if l.strip() and not l.startswith("#")]
    return {canonicalize_name(l.split("==")[0]): l for l in lines}


def test_requirements_are_the_locks_pins_for_the_student_packages(copy):
    """requirements.txt: lines of requirements.lock only; the student's packages and everything
    they require (read here from the installed metadata), no test tool."""
    lines = [l for l in (copy / "requirements.txt").read_text().splitlines() if l and not l.startswith("#")]
    lock = _lock()
    assert set(lines) <= set(lock.values()), set(lines) - set(lock.values())
    pinned = {canonicalize_name(l.split("==")[0]) for l in lines}
    for package in ("jupyterlab", "nbgrader", "numpy", "matplotlib", "seaborn", "scikit-learn", "ipywidgets",
                    "threadpoolctl", "ipykernel", "nbclient"):
        assert package in pinned, package
    for tool in ("pytest", "playwright", "hypothesis", "nbval", "papermill", "pytest-xdist"):
        assert tool not in pinned, tool
    for name in pinned:  # closed: what each pinned package requires is pinned too
        for line in metadata.requires(name) or []:
            req = Requirement(line)
            if req.marker is None or req.marker.evaluate({"extra": ""}):
                assert canonicalize_name(req.name) in pinned | student_copy.VENV_PROVIDED, (name, line)


def test_student_readme_and_makefile(copy):
    readme = (copy / "README.md").read_text()
    for name in assignments():
        assert f"(notebooks/{name}/{name}.ipynb)" in readme, name
    for words in ("make lab", "make check", "Validate", "Hand in", "helpers.optim", "flagged"):
        assert words in readme, words
    assert "{{" not in readme
    targets = set(re.findall(r"^([a-z-]+):.*##", (copy / "Makefile").read_text(), re.M))
    assert {"install", "lab", "check"} <= targets


@pytest.mark.slow
def test_fresh_clone_installs_and_self_checks(copy, tmp_path):
    """From `git clone`: `make install` (its real recipe), then `make check` on the blank release
    reports every exercise of notebook 01 as not done, without touching the notebook."""
    clone, installed = clone_and_install(copy, tmp_path / "clone")
    assert "Environment ready" in installed.stdout, installed.stdout
    where = run([str(clone / ".venv" / "bin" / "python"), "-c", "import helpers; print(helpers.__file__)"],
                cwd=tmp_path).stdout.strip()
    assert where == str(clone / "helpers" / "__init__.py"), where
    notebook = clone / "notebooks" / "01_neurons_perceptron" / "01_neurons_perceptron.ipynb"
    before = hashlib.sha256(notebook.read_bytes()).hexdigest(), os.stat(notebook).st_mtime_ns
    env = {k: v for k, v in os.environ.items() if k != "VIRTUAL_ENV"}
    env["PATH"] = "/usr/local/bin:/usr/bin:/bin"  # nothing of this repository's venv
    result = run(["make", "check", "NB=notebooks/01_neurons_perceptron"], cwd=clone, env=env)
    print(result.stdout)
    rows = re.findall(r"^01_neurons_perceptron\s+(Exercise 1\.\d) - \S+\s+(not done)\s+0/\d$", result.stdout, re.M)
    assert [r[0] for r in rows] == ["Exercise 1.1", "Exercise 1.2", "Exercise 1.3", "Exercise 1.4", "Exercise 1.5"], \
        result.stdout
    assert "Public checks passed: 0 of 9 points" in result.stdout
    assert (hashlib.sha256(notebook.read_bytes()).hexdigest(), os.stat(notebook).st_mtime_ns) == before
    assert run(["git", "status", "--porcelain"], cwd=clone).stdout == "", "make install/check left files in git"
