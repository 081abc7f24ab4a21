"""The gradebook's results table, the export and the class report's tables (no grading here)."""

from __future__ import annotations

import pytest
from nbformat.v4 import new_code_cell, new_notebook, new_output

from instructor import class_report, grade, gradebook
from instructor.gradebook import Record


def _test_cell(grade_id, evalue=None, ename="CheckFailed"):
    cell = new_code_cell("...")
    cell.metadata["nbgrader"] = {"grade_id": grade_id, "grade": True, "points": 1}
    if evalue is not None:
        cell.outputs = [new_output("error", ename=ename, evalue=evalue, traceback=[])]
    return cell


def test_failed_checks_reads_check_and_hint_as_students_saw_them():
    nb = new_notebook(cells=[
        _test_cell("ex1_tests", "FAILED - Exercise 1.1 - predict\ncheck: predict on the AND\n    inputs\n"
                                "expected [0 0 0 1]\nhint: the bias was\n    left out\n  (1 earlier check(s) passed.)"),
        _test_cell("ex1_hidden"),                                   # passed: no error output
        _test_cell("ex2_tests", "NOT DONE YET - Exercise 1.2:\n`f` still raises NotImplementedError."),
        _test_cell("ex3_tests", "name 'np' is not defined", ename="NameError"),
        _test_cell("other", "FAILED - not a test cell we asked about")])
    found = gradebook.failed_checks(nb, {"ex1_tests", "ex1_hidden", "ex2_tests", "ex3_tests"})
    assert found == [
        {"cell": "ex1_tests", "check": "predict on the AND inputs", "hint": "the bias was left out"},
        {"cell": "ex2_tests", "check": "not done (the stub still raises NotImplementedError)", "hint": ""},
        {"cell": "ex3_tests", "check": "NameError raised", "hint": ""}]


def _record(student, failures=(), passed=None, status="graded", flags=()):
    cells = {c: [1.0, 1.0] for c in ("a_tests", "a_hidden", "b_tests", "b_hidden")}
    for f in failures:
        cells[f["cell"]] = [0.0, 1.0]
    return Record(student, "01_x", status, sum(s for s, _ in cells.values()), 4.0, 0.0, "", list(flags),
                  cells, list(failures))


A_PUBLIC = {"cell": "a_tests", "check": "shape", "hint": "transpose W"}
B_HIDDEN = {"cell": "b_hidden", "check": "other lr", "hint": "pass lr"}
B_PUBLIC = {"cell": "b_tests", "check": "values", "hint": "sign"}


def test_report_tables_rank_failed_checks_and_show_the_public_hidden_gap():
    source = new_notebook(cells=[_test_cell(c) for c in ("a_tests", "a_hidden", "b_tests", "b_hidden", "q1")])
    exercises = class_report.exercises_of(source)
    assert [(e.name, e.public, e.hidden) for e in exercises] == [
        ("a", "a_tests", "a_hidden"), ("b", "b_tests", "b_hidden"), ("q1", "q1", None)]
    records = ([_record(f"s{i}", [B_HIDDEN]) for i in range(3)] + [_record("s3", [A_PUBLIC])]
               + [_record("s4", [B_PUBLIC]), _record("s5"), _record("s6", status="corrupt"),
                  _record("s7", flags=["guard restored numpy.allclose"])])
    failed = class_report.failed_check_table(records, exercises)
    assert [(r["rank"], r["cell"], r["checks"], r["students"]) for r in failed] == [
        (1, "b_hidden", "hidden", 3), (2, "a_tests", "public", 1), (3, "b_tests", "public", 1)]
    assert failed[0]["hint"] == "pass lr" and failed[0]["share"] == pytest.approx(3 / 7, abs=1e-3)
    rows = {r["exercise"]: r for r in class_report.exercise_table(records, exercises)}
    assert rows["b"]["students"] == 7                        # the corrupt one is not graded
    assert (rows["b"]["public_share"], rows["b"]["hidden_share"]) == (round(6 / 7, 3), round(4 / 7, 3))
    assert rows["b"]["gap"] == pytest.approx(2 / 7, abs=1e-3) and rows["b"]["gap"] >= class_report.GAP
    assert rows["a"]["gap"] == pytest.approx(-1 / 7, abs=1e-3) and rows["q1"]["hidden_share"] == ""
    assert [(r["student"], r["status"]) for r in class_report.flagged_table(records)] == [
        ("s6", "corrupt"), ("s7", "flagged")]


def test_results_are_replaced_not_duplicated_and_exported(tmp_path):
    url = f"sqlite:///{tmp_path / 'gradebook.db'}"
    gradebook.record(url, [_record("s1", [A_PUBLIC]), _record("s2")])
    gradebook.record(url, [_record("s1")])                   # graded again: replaces its row
    records = gradebook.read_records(url)
    assert [(r.student, r.score, r.failures) for r in records] == [("s1", 4.0, []), ("s2", 4.0, [])]
    assert records[0].graded_by and records[0].graded_at
    assert gradebook.main(["--db", url, "--out", str(tmp_path / "grades.csv")]) == 0
    lines = (tmp_path / "grades.csv").read_text().splitlines()
    assert lines[0].startswith("student_id,assignment,status,score") and len(lines) == 3


def test_gradebook_urls_are_checked_with_a_clear_message(tmp_path, capsys):
    assert grade.normalize_db_url("postgresql://u@h/db") == "postgresql+psycopg2://u@h/db"
    with pytest.raises(ValueError, match="expected postgresql"):
        grade.normalize_db_url("mysql://u@h/db")
    problem = grade.check_gradebook("postgresql+psycopg2://u:secret@/db?host=/nonexistent&port=1")
    assert "cannot open the gradebook" in problem and "secret" not in problem and "expected" in problem
    assert grade.main(["--db", "mysql://u@h/db", "--course", str(tmp_path)]) == 2
    assert "expected postgresql" in capsys.readouterr().err
