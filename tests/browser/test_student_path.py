"""The student path in a real browser: JupyterLab (student mode, as `make lab` starts it) + Chromium.

For every released notebook: open it, wait for the kernel, Run All (it stops at the first
exercise, whose check says NOT DONE YET / NotImplementedError, after the cells above it ran),
press Validate and read the failures, type the solution of the first exercise into its stub,
run it and its check, Validate again and see that exercise drop out of the failures, and check
that the instructor tools are not there. Screenshots of every step go to artifacts/browser/.
"""

from __future__ import annotations

import re
import shutil
import time

import nbformat
import pytest

from tests.browser.lab import TOKEN, LabServer, alive, describe, launched_chromium
from tests.course import (RELEASE, ROOT, assignments, nbgrader_meta, read, source_path,
                          strip_solution_markers)

playwright_api = pytest.importorskip("playwright.sync_api")

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.timeout(600),
              pytest.mark.xdist_group("student_path")]

# The released notebooks: one per assignment (test_release_sync proves notebooks/ mirrors
# solutions/). Listed from solutions/, which `make release` never deletes, so that all xdist
# workers collect the same tests even while notebooks/ is being regenerated.
RELEASED = assignments()
ARTIFACTS = ROOT / "artifacts" / "browser"
STEP_TIMEOUT = 120_000  # ms; one step (open, Run All up to the first exercise, Validate) on 2 cores


# ---------------------------------------------------------------------------------------------
# What the notebook files say (the browser's view is checked against them)


def first_exercise(name: str):
    """(index of the first solution cell, index of its check cell, the solved cell source)."""
    release = read(RELEASE / name / f"{name}.ipynb")
    stub = next(i for i, c in enumerate(release.cells)
                if c.cell_type == "code" and nbgrader_meta(c).get("solution"))
    check = next(i for i, c in enumerate(release.cells)
                 if i > stub and c.cell_type == "code" and nbgrader_meta(c).get("grade"))
    grade_id = nbgrader_meta(release.cells[stub])["grade_id"]
    solution = next(c for c in read(source_path(name)).cells
                    if nbgrader_meta(c).get("grade_id") == grade_id)
    solved = strip_solution_markers(solution.source)
    assert "NotImplementedError" in release.cells[stub].source
    assert "NotImplementedError" not in solved
    return stub, check, solved


def stored_first_lines(name: str, before: int) -> dict[int, str]:
    """First line of each stored stream output of the solution's code cells above ``before``."""
    solution = read(source_path(name))
    lines = {}
    for i, cell in enumerate(solution.cells[:before]):
        if cell.cell_type != "code":
            continue
        text = "".join(o.get("text", "") for o in cell.get("outputs", [])
                       if o.output_type == "stream")
        if text.strip():
            lines[i] = text.strip().splitlines()[0].strip()
    return lines


# ---------------------------------------------------------------------------------------------
# Fixtures: one server and one browser for the six walks (one worker: xdist group); each walk
# has its own browser context, and its kernel and workspace are gone before the next one starts.
# Every process is stopped by PID at the end.


@pytest.fixture
def artifacts(name):
    """artifacts/browser/<notebook>/: the screenshots of this walk."""
    path = ARTIFACTS / name
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    return path


@pytest.fixture(scope="module")
def shared_lab(tmp_path_factory):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    server = LabServer(course=tmp_path_factory.mktemp("lab") / "course", log=ARTIFACTS / "jupyter-lab.log")
    try:
        yield server.start()
    finally:
        print(f"server up in {server.started_in:.1f} s" if server.url else "server did not start")
        stopping = time.monotonic()
        forced = server.stop()
        print(f"server and kernels {sorted(server.procs)} stopped in "
              f"{time.monotonic() - stopping:.1f} s"
              + (f"; had to signal {forced}" if forced else " by the shutdown API"))
        left = alive(server.procs.values())
        assert not left, f"processes of the Jupyter server still running: {describe(left)}"


@pytest.fixture
def lab(shared_lab):
    """The shared server, left without kernels or saved workspaces after the walk."""
    yield shared_lab
    shared_lab.forget_sessions()


@pytest.fixture(scope="module")
def browser():
    with launched_chromium() as chromium:
        yield chromium


# ---------------------------------------------------------------------------------------------
# Talking to JupyterLab the way a student does


class Student:
    def __init__(self, page, shots):
        self.page = page
        self.shots = shots
        self.n = 0
        self.last = time.monotonic()
        self.timings: list[tuple[str, float]] = []  # seconds spent before each screenshot

    def screenshot(self, label: str) -> None:
        now = time.monotonic()
        self.timings.append((label, round(now - self.last, 1)))
        self.last = now
        self.n += 1
        self.page.screenshot(path=str(self.shots / f"{self.n:02d}-{label}.png"))

    def cell(self, index: int):
        return self.page.locator(f'.jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook '
                                 f'.jp-Cell[data-windowed-list-index="{index}"]')

    # textContent, not innerText: JupyterLab skips rendering off-screen cells
    # (content-visibility), and innerText of those is empty.
    def prompt(self, index: int) -> str:
        return (self.cell(index).locator(".jp-InputPrompt").first.text_content() or "").strip()

    def output(self, index: int) -> str:
        area = self.cell(index).locator(".jp-OutputArea")
        return (area.first.text_content() or "") if area.count() else ""

    def status(self) -> str:
        return self.page.locator("#jp-main-statusbar").inner_text()

    def wait_idle(self) -> None:
        """The kernel status in the status bar reads '<kernel name> | Idle'."""
        self.page.wait_for_function(
            "() => /\\|\\s*Idle\\b/.test(document.querySelector('#jp-main-statusbar')"
            "?.innerText || '')", timeout=STEP_TIMEOUT, polling=200)

    def wait_output(self, index: int, pattern: str) -> None:
        self.page.wait_for_function(
            """([index, pattern]) => {
                const cell = document.querySelector(
                    `.jp-Notebook .jp-Cell[data-windowed-list-index="${index}"] .jp-OutputArea`);
                return cell && new RegExp(pattern).test(cell.textContent);
            }""", arg=[index, pattern], timeout=STEP_TIMEOUT, polling=200)

    def show_output(self, index: int, pattern: str) -> None:
        """Scroll a cell's output to the middle of the window and wait until it is drawn (innerText
        stays empty while JupyterLab skips rendering it), so that a screenshot shows it."""
        area = self.cell(index).locator(".jp-OutputArea").first
        area.evaluate("""(node, pattern) => new Promise((resolve, reject) => {
            const started = Date.now();
            const frames = () => new Promise(
                done => requestAnimationFrame(() => requestAnimationFrame(done)));
            node.scrollIntoView({block: 'center'});
            const poll = async () => {
                if (new RegExp(pattern).test(node.innerText)) {
                    // cells drawn on the way change height: centre once more once they are
                    await frames();
                    node.scrollIntoView({block: 'center'});
                    await frames();
                    resolve();
                } else if (Date.now() - started > 30000) {
                    reject(new Error(`output not drawn: ${node.innerText.slice(0, 200)}`));
                } else {
                    setTimeout(poll, 100);
                }
            };
            poll();
        })""", pattern)

    def menu(self, title: str) -> list[str]:
        """Open a main-menu menu; returns the labels of its items (the menu stays open)."""
        self.page.locator(".lm-MenuBar-item", has_text=re.compile(f"^{title}$")).click()
        menu = self.page.locator(".lm-Menu").last
        menu.wait_for()
        return [t.strip() for t in menu.locator(".lm-Menu-itemLabel").all_inner_texts()]

    def run_command_from_menu(self, title: str, command: str) -> None:
        self.menu(title)
        self.page.locator(f'.lm-Menu-item[data-command="{command}"]').click()

    def validate(self, label: str) -> dict:
        """Press Validate, read the result dialog, screenshot it, close it."""
        self.page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .validate-button").click()
        dialog = self.page.locator(".jp-Dialog")
        dialog.locator("#validation-message").wait_for(timeout=STEP_TIMEOUT)
        message = dialog.locator("#validation-message")
        result = {
            "title": dialog.locator(".jp-Dialog-header").inner_text().strip(),
            "class": message.get_attribute("class") or "",
            "text": message.inner_text(),
        }
        self.screenshot(label)
        (self.shots / f"{self.n:02d}-{label}.txt").write_text(result["text"])
        dialog.locator(".jp-Dialog-button.jp-mod-accept").click()
        dialog.wait_for(state="detached")
        return result


def failed_cells(result: dict) -> list[str]:
    """The first line of each failed cell's source, in the order of the Validate dialog."""
    texts = result["text"].split("The following cell failed:")[1:]
    return [t.strip().splitlines()[0].strip() for t in texts]


# ---------------------------------------------------------------------------------------------


def test_released_notebooks_are_covered():
    assert {"01_neurons_perceptron", "02_activations"} <= set(RELEASED), RELEASED


@pytest.mark.parametrize("name", RELEASED)
def test_student_path_in_jupyterlab(name, artifacts, lab, browser, record_property):
    drive_the_student_path(name, lab, browser, artifacts, record_property)


def drive_the_student_path(name, lab, browser, artifacts, record_property) -> None:
    """A new browser page on ``lab``; walk the student path; screenshot on failure; no JS errors."""
    started = time.monotonic()

    context = browser.new_context(viewport={"width": 1400, "height": 900})
    page = context.new_page()
    page.set_default_timeout(STEP_TIMEOUT)
    errors = []
    page.on("pageerror", lambda err: errors.append(str(err)))
    student = Student(page, artifacts)

    try:
        walk_the_student_path(name, lab, page, student)
    except BaseException:
        student.screenshot("FAILED")
        raise
    assert not errors, f"JavaScript errors on the page: {errors}"
    context.close()
    record_property("seconds", round(time.monotonic() - started, 1))
    record_property("steps", student.timings)
    print(f"{name}: {time.monotonic() - started:.1f} s in the browser; steps {student.timings}")


def walk_the_student_path(name, lab, page, student: Student) -> None:
    stub, check, solved = first_exercise(name)
    release_nb = read(RELEASE / name / f"{name}.ipynb")
    check_first_line = release_nb.cells[check].source.splitlines()[0].strip()

    # 1. Open the notebook and wait for the kernel.
    page.goto(lab.lab_url(f"{name}/{name}.ipynb"))
    student.cell(stub).wait_for()
    student.wait_idle()
    validate = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .validate-button")
    assert "Validate" in validate.inner_text()
    student.screenshot("opened")

    # 2. Run All: the cells above the first exercise run, its check reports the stub.
    student.run_command_from_menu("Run", "runmenu:run-all")
    student.wait_output(check, "NOT DONE YET")
    student.wait_idle()
    check_output = student.output(check)
    assert "NotImplementedError" in check_output, check_output
    assert "NOT DONE YET" in check_output, check_output
    for i, cell in enumerate(release_nb.cells[:check + 1]):
        if cell.cell_type == "code":
            assert re.fullmatch(r"\[\d+\]:", student.prompt(i)), \
                f"cell {i} above the first check did not run: prompt {student.prompt(i)!r}"
    for i, first_line in stored_first_lines(name, stub).items():
        assert first_line in student.output(i), \
            f"cell {i}: expected output starting {first_line!r}, got {student.output(i)[:300]!r}"
    ran_after = [i for i, c in enumerate(release_nb.cells) if i > check and c.cell_type == "code"
                 and re.fullmatch(r"\[\d+\]:", student.prompt(i))]
    assert not ran_after, f"Run All should stop at the first exercise not done; ran {ran_after}"
    student.show_output(check, "NOT DONE YET")
    student.screenshot("run-all-stops-at-first-exercise")

    # 3. Validate the untouched notebook: the first exercise's check is among the failures.
    first = student.validate("validate-unsolved")
    assert first["title"] == "Validation Results", first
    assert "validation-failed" in first["class"], first
    failed_before = failed_cells(first)
    assert check_first_line in failed_before, (check_first_line, failed_before)
    assert "NotImplementedError" in first["text"] and "NOT DONE YET" in first["text"], first["text"][-2000:]

    # 4. Type the answer into the stub (insert_text: typing would auto-indent); run it, its check.
    editor = student.cell(stub).locator(".cm-content")
    editor.click()
    page.keyboard.press("Control+a")
    page.keyboard.insert_text(solved)
    student.screenshot("answer-typed")
    page.keyboard.press("Shift+Enter")  # runs the exercise cell, selects its check cell
    page.keyboard.press("Shift+Enter")
    student.wait_output(check, "PASSED")
    student.wait_idle()
    assert re.search(r"PASSED - Exercise \S+", student.output(check)), student.output(check)
    student.show_output(check, "PASSED")
    student.screenshot("first-exercise-solved")

    # 5. Validate again (it saves first): the solved exercise is gone from the failures.
    second = student.validate("validate-after-first-exercise")
    failed_after = failed_cells(second)
    assert check_first_line not in failed_after, failed_after
    assert failed_after == [f for f in failed_before if f != check_first_line], \
        (failed_before, failed_after)
    saved = nbformat.read(lab.notebooks / name / f"{name}.ipynb", as_version=4)
    assert saved.cells[stub].source == solved, "the typed answer is not what was saved"

    # 6. Student mode: Validate is there, the instructor tools are not.
    nbgrader_menu = student.menu("Nbgrader")
    student.screenshot("nbgrader-menu")
    page.keyboard.press("Escape")
    assert "Assignment List" in nbgrader_menu, nbgrader_menu
    instructor_items = {"Formgrader", "Formgrader (local)", "Course List"}
    assert not instructor_items & set(nbgrader_menu), nbgrader_menu
    assert page.locator("#nbgrader-create_assignemnt").count() == 0  # nbgrader's id, sic
    tabs = page.locator(".lm-TabBar-tab").evaluate_all(
        "tabs => tabs.map(t => (t.title || '') + ' ' + t.innerText)")
    assert not [t for t in tabs if re.search("Create Assignment|Formgrader|Courses", t)], tabs
    response = page.request.get(f"{lab.url}/formgrader?token={TOKEN}")
    assert response.status == 404, "the formgrader server extension must be off"

