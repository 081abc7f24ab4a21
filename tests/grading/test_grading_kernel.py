"""Every solution notebook runs cleanly in the grading kernel (sandbox + guard): no false alarm."""

from __future__ import annotations

import shutil

import pytest
from nbclient import NotebookClient
from traitlets.config import Config

from instructor import grade
from instructor.guard import MARK
from tests.course import assignments, read, source_path

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("name", assignments())
def test_a_solution_runs_in_the_grading_kernel_without_errors_or_guard_reports(name, tmp_path, monkeypatch):
    course, work, runtime = tmp_path / "course", tmp_path / "course" / "autograded" / "s" / name, tmp_path / "rt"
    work.mkdir(parents=True)
    runtime.mkdir()
    jupyter_path = grade.install_kernelspec(course, grade.Options(isolate=True))
    for key, value in grade.grading_environment(jupyter_path, runtime).items():
        monkeypatch.setenv(key, value)
    config = Config()
    config.KernelManager.transport = "ipc"
    config.KernelManager.ip = str(runtime / "kernel")
    nb = read(source_path(name))
    shutil.copy(source_path(name), work / f"{name}.ipynb")
    NotebookClient(nb, kernel_name=grade.KERNEL, config=config, timeout=300, allow_errors=True,
                   resources={"metadata": {"path": str(work)}}).execute()
    errors = [(i, o.ename, o.evalue[:200]) for i, c in enumerate(nb.cells) if c.cell_type == "code"
              for o in c.outputs if o.output_type == "error"]
    reports = [o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.outputs
               if MARK in o.get("text", "")]
    assert errors == [] and reports == []
