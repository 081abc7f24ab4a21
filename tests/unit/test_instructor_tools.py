"""Fast checks of the grading tools: submission inspection and feedback sanitizing."""

from html.parser import HTMLParser

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from instructor.feedback import CellScore, sanitize_for_feedback, write_feedback
from instructor.grade import Result, summary_table
from instructor.submissions import inspect_submission


def test_inspect_submission_names_each_problem(tmp_path):
    folder = tmp_path / "sub"
    folder.mkdir()
    assert inspect_submission(folder, "nb").status == "missing"
    (folder / "other.ipynb").write_text("{}")
    problem = inspect_submission(folder, "nb")
    assert problem.status == "wrong name" and "other.ipynb" in problem.detail
    (folder / "nb.ipynb").write_text("")
    assert inspect_submission(folder, "nb").status == "empty"
    (folder / "nb.ipynb").write_text('{"cells": [')
    assert inspect_submission(folder, "nb").status == "corrupt"
    (folder / "nb.ipynb").write_text('{"cells": 3, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}')
    assert inspect_submission(folder, "nb").status == "corrupt"
    nbformat.write(new_notebook(cells=[new_code_cell("x = 1")]), folder / "nb.ipynb")
    assert inspect_submission(folder, "nb") is None


def _graded_cell(grade_id, source, outputs):
    cell = new_code_cell(source, outputs=outputs)
    cell.metadata["nbgrader"] = {"grade": True, "grade_id": grade_id, "locked": True, "points": 1,
                                 "schema_version": 3, "solution": False, "task": False}
    return cell


def test_sanitize_keeps_check_name_and_hint_but_drops_code_values_and_traceback():
    error = new_output("error", ename="CheckFailed", evalue=(
        "FAILED - Exercise 9.1 - f (hidden checks)\n  check: f on random X (7, 3)\n"
        "  expected: array([1, 2])\n  got:      array([0, 2])\n  hint: use the bias"),
        traceback=["Traceback", "secret_reference(X)"])
    public = _graded_cell("ex9_1_tests", "check_public()", [new_output("stream", name="stdout", text="PASSED")])
    hidden = _graded_cell("ex9_1_hidden", "# Hidden tests: more checks\n### BEGIN HIDDEN TESTS\n"
                          "secret_reference(X)\n### END HIDDEN TESTS", [error])
    clean = sanitize_for_feedback(new_notebook(cells=[public, hidden]), {"ex9_1_hidden"})
    text = clean.cells[1].source + "".join(o.get("text", "") for o in clean.cells[1].outputs)
    assert "secret_reference" not in text and "expected" not in text and "array" not in text
    assert "check: f on random X (7, 3)" in text and "hint: use the bias" in text
    assert "Hidden checks: FAILED" in text and clean.cells[0].outputs[0].text == "PASSED"


def test_summary_table_marks_problems_and_pending_manual_points():
    table = summary_table([Result("ada", "01_x", "graded", 14, 20, 6),
                           Result("eve", "01_x", "corrupt", max_score=20, detail="bad JSON")])
    assert "14/20*" in table and "CORRUPT" in table and "eve / 01_x: corrupt - bad JSON" in table


def test_feedback_html_shows_a_students_markup_as_text(tmp_path):
    """A student's markup, in code or in a written answer, is shown as text in the feedback page
    (which the student and the instructor open): no script of theirs runs, no event handler of
    theirs is an attribute. Code is escaped by Pygments (the template skips a second pass over
    it), Markdown and outputs by nbconvert's sanitize_html."""
    attack = "</div></pre><script>alert('code')</script><img src=x onerror=alert(1)>"
    nb = new_notebook(cells=[new_code_cell(f"s = \"{attack}\"\n# {attack}"),
                             new_markdown_cell("My answer <script>alert('markdown')</script> "
                                               "<img src=x onerror=alert(2)>")],
                      metadata={"language_info": {"name": "python", "pygments_lexer": "ipython3"}})
    nbformat.write(nb, tmp_path / "graded.ipynb")
    page = write_feedback(tmp_path / "graded.ipynb", tmp_path / "feedback.html", set(), "eve", "01_x",
                          [CellScore("ex", 0.0, 1.0, False)]).read_text()

    class Elements(HTMLParser):
        scripts, handlers, text, in_script = [], [], [], False

        def handle_starttag(self, tag, attrs):
            self.in_script = tag == "script"
            self.handlers += [value for name, value in attrs if name.startswith("on")]

        def handle_data(self, data):
            (self.scripts if self.in_script else self.text).append(data)

    elements = Elements()
    elements.feed(page)
    assert not [s for s in elements.scripts if "alert" in s] and not elements.handlers, \
        (elements.scripts, elements.handlers)
    shown = "".join(elements.text)                          # what the reader sees, as text
    assert "<script>alert('code')</script>" in shown and "<script>alert('markdown')</script>" in shown
