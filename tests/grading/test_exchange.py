"""The JupyterHub workflow between real Unix users, through nbgrader's exchange (README, "A whole
class on JupyterHub").

One instructor and two student accounts are created (and removed in a finally), a shared
exchange directory made as the README says, and every step runs as its own user with the real
nbgrader commands: release_assignment -> fetch_assignment (each student) -> the students edit
(one solves everything, one half) -> submit -> collect -> `make grade` -> release_feedback ->
fetch_feedback (each student). Checked: the scores, feedback without hidden tests, and what a
student cannot read (the other's submission and feedback in the exchange, the instructor's
solutions/ and gradebook). Needs root for useradd (CI runs as root); skipped otherwise.

All users run this repository's .venv (one installation of the tools, as on a hub where the
admin installs them once). If the interpreter behind it sits under a directory other users cannot
enter (here: pyenv under /root, mode 0700), the commands run in a private mount namespace in which
only that directory is made passable, with its content unchanged; nothing about the course, the
exchange or the accounts differs.
"""

from __future__ import annotations

import os
import pwd
import re
import secrets
import shutil
import stat
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat
import pytest

from instructor.examples import _solved
from tests.course import BIN, ROOT, nbgrader_meta, read, release_path, source_path
from tests.notebooks.test_student_copy import secret_lines

pytestmark = [pytest.mark.slow, pytest.mark.timeout(900), pytest.mark.xdist_group("exchange")]

ASSIGNMENT = "01_neurons_perceptron"
COURSE_ID = "nn-foundations"


def _blocked_ancestor(path: Path) -> Path | None:
    """The first directory above ``path`` that other users cannot enter (no o+x), if any."""
    for parent in reversed(path.parents):
        if not os.stat(parent).st_mode & stat.S_IXOTH:
            return parent
    return None


class Cluster:
    """The accounts, their homes, the exchange; ``run(user, ...)`` runs a command as that user."""

    def __init__(self, base: Path):
        tag = secrets.token_hex(2)
        self.base = base
        self.instructor, self.alice, self.bob = f"nnf-i-{tag}", f"nnf-a-{tag}", f"nnf-b-{tag}"
        self.users = [self.instructor, self.alice, self.bob]
        self.created: list[str] = []
        self.exchange = base / "exchange"
        self.course = base / "home" / self.instructor / COURSE_ID
        self.mounts: list[str] = []

    def home(self, user: str) -> Path:
        return self.base / "home" / user

    def create(self) -> None:
        (self.base / "home").mkdir(parents=True)
        for user in self.users:
            subprocess.run(["useradd", "--create-home", "--home-dir", str(self.home(user)), "--shell", "/bin/bash",
                            "--user-group", user], check=True, capture_output=True, text=True)
            self.created.append(user)
        self.exchange.mkdir()
        self.exchange.chmod(0o777)  # README: mkdir -p EXCHANGE && chmod ugo+rw EXCHANGE
        self._passable_interpreter()

    def _passable_interpreter(self) -> None:
        interpreter = Path(os.path.realpath(sys.executable))
        blocked = _blocked_ancestor(interpreter)
        if blocked is None:
            return
        inside = interpreter.relative_to(blocked).parts[0]
        below = blocked / inside
        if any(not os.stat(p).st_mode & stat.S_IXOTH for p in interpreter.parents if below in [p, *p.parents]):
            pytest.skip(f"the course's Python ({interpreter}) is below more than one directory other users cannot enter")
        cover = Path(tempfile.mkdtemp(prefix="nnf-passable-", dir=self.base))
        cover.chmod(0o755)
        (cover / inside).mkdir()
        self.mounts = [f"mount --bind {below} {cover / inside}", f"mount --rbind {cover} {blocked}"]

    def remove(self) -> list[str]:
        problems = []
        for user in self.created:
            done = subprocess.run(["userdel", "--remove", user], capture_output=True, text=True)
            if done.returncode not in (0, 12):  # 12: home already gone
                problems.append(f"userdel {user}: {done.stderr.strip()}")
        shutil.rmtree(self.base, ignore_errors=True)
        return problems

    def run(self, user: str, *command: str, cwd: Path | None = None, check: bool = True,
            env: dict | None = None) -> subprocess.CompletedProcess:
        home = self.home(user)
        environment = {"HOME": str(home), "USER": user, "LOGNAME": user, "LANG": "C.UTF-8",
                       "PATH": f"{BIN}:/usr/local/bin:/usr/bin:/bin", "NNF_EXCHANGE_ROOT": str(self.exchange),
                       **(env or {})}
        argv = ["runuser", "-u", user, "--", "env", "-i", *[f"{k}={v}" for k, v in environment.items()],
                "sh", "-c", f'cd "$0" && exec "$@"', str(cwd or home), *command]
        if self.mounts:
            argv = ["unshare", "--mount", "--propagation", "private", "sh", "-c",
                    " && ".join(self.mounts) + ' && exec "$@"', "sh", *argv]
        result = subprocess.run(argv, capture_output=True, text=True, errors="replace", timeout=600)
        if check and result.returncode != 0:
            raise AssertionError(f"as {user}: {' '.join(command)} failed ({result.returncode}):\n"
                                 f"{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
        return result

    def cannot_read(self, user: str, path: Path) -> bool:
        """True when ``user`` can neither list (a directory) nor read (a file) ``path``."""
        probe = "ls" if path.is_dir() else "cat"
        return self.run(user, "sh", "-c", f'{probe} "$1" > /dev/null', "sh", str(path), check=False).returncode != 0


@pytest.fixture(scope="module")
def cluster():
    if os.geteuid() != 0:
        pytest.skip("creating the instructor and student Unix accounts needs root (CI runs as root)")
    for tool in ("useradd", "userdel", "runuser"):
        if shutil.which(tool) is None:
            pytest.skip(f"{tool} is not installed")
    base = Path(tempfile.mkdtemp(prefix="nnf-exchange-", dir="/tmp"))
    base.chmod(0o755)
    cluster = Cluster(base)
    try:
        cluster.create()
        yield cluster
    finally:
        problems = cluster.remove()
        for user in cluster.users:
            try:
                pwd.getpwnam(user)
                problems.append(f"account {user} still exists")
            except KeyError:
                pass
        assert not problems, problems


def _student_config(cluster: Cluster, user: str) -> None:
    """What the hub admin gives every student (README): the exchange and the course id."""
    config = cluster.home(user) / ".jupyter" / "nbgrader_config.py"
    cluster.run(user, "mkdir", "-p", str(config.parent))
    text = (f"c = get_config()\nc.CourseDirectory.course_id = {COURSE_ID!r}\n"
            f"c.Exchange.root = {str(cluster.exchange)!r}\n")
    staged = cluster.base / f"config-{user}.py"
    staged.write_text(text)
    staged.chmod(0o644)
    cluster.run(user, "cp", str(staged), str(config))


def _points(nb, solved_ids: set[str]) -> float:
    """Autograded points of the test cells that belong to the solved exercises."""
    total = 0.0
    for cell in nb.cells:
        meta = nbgrader_meta(cell)
        if meta.get("grade") and cell.cell_type == "code":
            exercise = meta["grade_id"].removesuffix("_tests").removesuffix("_hidden")
            total += meta["points"] if exercise in solved_ids else 0
    return total


def test_release_fetch_submit_collect_grade_feedback_between_real_users(cluster, record_property):
    started = time.monotonic()
    c = cluster
    steps: list[tuple[str, float]] = []

    def step(label: str) -> None:
        steps.append((label, round(time.monotonic() - started, 1)))

    # The instructor's course: the repository's config and the assignment's source, kept private.
    c.run(c.instructor, "mkdir", "-p", str(c.course / "solutions"))
    shutil.copy2(ROOT / "nbgrader_config.py", c.base / "nbgrader_config.py")
    shutil.copytree(ROOT / "solutions" / ASSIGNMENT, c.base / ASSIGNMENT)
    for staged in (c.base / "nbgrader_config.py", c.base / ASSIGNMENT):
        os.chmod(staged, 0o755 if staged.is_dir() else 0o644)
    c.run(c.instructor, "cp", "-r", str(c.base / "nbgrader_config.py"), str(c.course))
    c.run(c.instructor, "cp", "-r", str(c.base / ASSIGNMENT), str(c.course / "solutions"))
    c.run(c.instructor, "chmod", "700", str(c.course))  # README: the course directory stays private
    for user in (c.alice, c.bob):
        _student_config(c, user)
    step("accounts and course")

    # Instructor: release.
    c.run(c.instructor, "nbgrader", "generate_assignment", ASSIGNMENT, "--force", cwd=c.course)
    c.run(c.instructor, "nbgrader", "release_assignment", ASSIGNMENT, cwd=c.course)
    step("release_assignment")

    # Students: fetch, edit (alice everything, bob half of the code and no written answer), submit.
    release, source = read(release_path(ASSIGNMENT)), read(source_path(ASSIGNMENT))
    work = {c.alice: _solved(release, source, 1.0, True), c.bob: _solved(release, source, 0.5, False)}
    expected = {}
    for user, nb in work.items():
        c.run(user, "nbgrader", "fetch_assignment", ASSIGNMENT)
        fetched = c.home(user) / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
        assert read(fetched).cells[0].source == release.cells[0].source
        staged = c.base / f"{user}.ipynb"
        nbformat.write(nb, staged)
        staged.chmod(0o644)
        c.run(user, "cp", str(staged), str(fetched))  # the student's own edit of the fetched file
        staged.unlink()
        solved = {nbgrader_meta(cell)["grade_id"] for cell in nb.cells
                  if nbgrader_meta(cell).get("solution") and "NotImplementedError" not in cell.source
                  and cell.cell_type == "code"}
        expected[user] = _points(source, solved)
        c.run(user, "nbgrader", "submit", ASSIGNMENT)
    step("fetch, edit, submit")

    # Instructor: collect, grade, release feedback.
    c.run(c.instructor, "nbgrader", "collect", ASSIGNMENT, cwd=c.course)
    graded = c.run(c.instructor, "make", "-C", str(ROOT), "grade", f"COURSE={c.course}", "JOBS=1", cwd=c.course)
    print(graded.stdout[-3000:])
    # the instructor's terminal shows the grades, not Python's warnings (every forked grading
    # process used to print runpy's "found in sys.modules" RuntimeWarning)
    assert "Warning:" not in graded.stderr, graded.stderr[-2000:]
    step("collect, make grade")
    c.run(c.instructor, "nbgrader", "release_feedback", ASSIGNMENT, cwd=c.course)
    step("release_feedback")
    for user in (c.alice, c.bob):
        c.run(user, "nbgrader", "fetch_feedback", ASSIGNMENT)
    step("fetch_feedback")

    # Scores.
    rows = {}
    for line in (c.course / "grades.csv").read_text().splitlines()[1:]:
        student, assignment, status, score, maximum, *_ = line.split(",")
        rows[student] = (status, float(score), float(maximum))
    print("grades:", rows, "expected:", expected)
    assert expected[c.alice] == 14 and 0 < expected[c.bob] < 14, expected
    assert rows == {c.alice: ("graded", expected[c.alice], 20.0), c.bob: ("graded", expected[c.bob], 20.0)}, rows

    # Feedback: each student has their own, without hidden tests.
    solution, hidden = secret_lines()
    # (a hidden line that is also a line of the solution, e.g. `return w, b, errors`, is in alice's answer)
    hidden01 = [line for line, name in hidden.items() if name == ASSIGNMENT and line not in solution]
    assert hidden01
    feedback = {}
    for user in (c.alice, c.bob):
        found = sorted((c.home(user) / ASSIGNMENT / "feedback").glob(f"*/{ASSIGNMENT}.html"))
        assert len(found) == 1, found
        html = found[0].read_text()
        feedback[user] = found[0]
        assert user in html
        assert "BEGIN HIDDEN TESTS" not in html
        leaked = [line for line in hidden01 if line in html]
        assert not leaked, leaked[:5]
    assert "14 of 20" in feedback[c.alice].read_text().replace("\n", " ")

    # Permissions: bob cannot read the instructor's solutions or gradebook, and cannot find
    # alice's submission or feedback in the exchange.
    inbound = c.exchange / COURSE_ID / "inbound"
    outbound_feedback = c.exchange / COURSE_ID / "feedback"
    alice_folder = next(inbound.glob(f"{c.alice}+{ASSIGNMENT}+*"))
    alice_submission = alice_folder / f"{ASSIGNMENT}.ipynb"
    released_feedback = sorted(outbound_feedback.glob("*.html"))
    assert len(released_feedback) == 2
    alice_feedback = next(p for p in released_feedback if c.alice in p.read_text())
    checks = {
        "list the exchange's inbound": inbound,
        "list the released feedback": outbound_feedback,
        "read the instructor's solutions/": c.course / "solutions" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb",
        "list the instructor's course": c.course,
        "read the gradebook": c.course / ".nbgrader" / "gradebook.db",
        "read grades.csv": c.course / "grades.csv",
        "read the instructor's feedback folder": c.course / "feedback" / c.alice / ASSIGNMENT / f"{ASSIGNMENT}.html",
    }
    outcome = {what: c.cannot_read(c.bob, path) for what, path in checks.items()}
    print("bob cannot:", outcome)
    # the probe is not blind: each student reads their own fetched feedback, the instructor the gradebook
    assert not c.cannot_read(c.alice, feedback[c.alice]) and not c.cannot_read(c.bob, feedback[c.bob])
    assert not c.cannot_read(c.instructor, c.course / ".nbgrader" / "gradebook.db")
    assert all(outcome.values()), {k: v for k, v in outcome.items() if not v}
    search = c.run(c.bob, "find", str(c.exchange), check=False).stdout
    assert c.alice not in search and alice_feedback.name not in search, search
    # Names nobody can guess: 9 random bytes on the submission, an MD5 keyed by a 64-byte secret.
    assert re.fullmatch(rf"{c.alice}\+{ASSIGNMENT}\+[^+]+\+[A-Za-z0-9_=-]{{12}}", alice_folder.name), alice_folder.name
    assert re.fullmatch(r"[0-9a-f]{32}\.html", alice_feedback.name), alice_feedback.name
    # Known limitation of nbgrader's default exchange (README): the files themselves are 0644, so
    # someone who learns the exact name can read them. If this starts failing, nbgrader made them
    # private: update the README.
    by_path = {"alice's submission": not c.cannot_read(c.bob, alice_submission),
               "alice's feedback": not c.cannot_read(c.bob, alice_feedback)}
    print("bob reads by exact path:", by_path)
    assert by_path == {"alice's submission": True, "alice's feedback": True}, by_path
    record_property("steps", steps)
    print("steps (s since start):", steps)
