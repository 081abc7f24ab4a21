"""Run plausible wrong answers (mutants) against an exercise's own test cells in one kernel.

The solution notebook runs once (for a given SEED, with every assertion: test_seeds counts this
run as that seed's); then, for each mutant, the exercise's solution cell is replaced
by the mutated source, the public and hidden test cells run, and the correct cell is restored.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from pathlib import Path

from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

from tests.course import nbgrader_meta, read, set_seed


@dataclass(frozen=True)
class Mutant:
    """A wrong answer: textual edits of the exercise's solution cell, and the hint it must get.

    replace : list of (old, new) pairs applied to the solution cell's source; each ``old`` must
              occur in it (so a catalogue cannot silently go stale when a solution changes).
    hint    : text that must appear in what the student sees from the public test cell.
    """
    exercise: str
    name: str
    replace: tuple[tuple[str, str], ...]
    hint: str


@dataclass
class Outcome:
    failed_cells: list[str] = field(default_factory=list)
    points_lost: float = 0.0
    public_output: str = ""


def _output_text(cell) -> str:
    parts = []
    for out in cell.get("outputs", []):
        if out.output_type == "stream":
            parts.append(out.text)
        elif out.output_type == "error":
            parts.append(f"{out.ename}: {out.evalue}")
        elif "data" in out and "text/plain" in out.data:
            parts.append(out.data["text/plain"])
    return "\n".join(parts)


class ExerciseRunner:
    """Holds one kernel with the whole solution notebook executed.

    seed : None runs the notebook as stored; an int runs it with ``SEED = seed`` in its parameters cell.
    """

    def __init__(self, notebook: Path, seed: int | None = None):
        self.name = notebook.stem
        self.nb = read(notebook) if seed is None else set_seed(read(notebook), seed)
        self.client = NotebookClient(self.nb, kernel_name="python3", timeout=120, shutdown_kernel="immediate",
                                     resources={"metadata": {"path": str(notebook.parent)}})
        self.by_id = {nbgrader_meta(c).get("grade_id"): c for c in self.nb.cells}

    def __enter__(self):
        self._ctx = self.client.setup_kernel()
        self._ctx.__enter__()
        for index, cell in enumerate(self.nb.cells):
            self.client.execute_cell(cell, index)
        return self

    def __exit__(self, *exc):
        return self._ctx.__exit__(*exc)

    def _run(self, source: str):
        cell = copy.deepcopy(self.by_id["parameters"])
        cell.source, cell.outputs = source, []
        try:
            self.client.execute_cell(cell, 0)
            return cell, True
        except CellExecutionError:
            return cell, False

    def run_tests(self, exercise: str) -> Outcome:
        outcome = Outcome()
        for suffix in ("_tests", "_hidden"):
            test_cell = self.by_id[exercise + suffix]
            ran, ok = self._run(test_cell.source)
            if suffix == "_tests":
                outcome.public_output = _output_text(ran)
            if not ok:
                outcome.failed_cells.append(exercise + suffix)
                outcome.points_lost += nbgrader_meta(test_cell)["points"]
        return outcome

    def try_mutant(self, mutant: Mutant) -> Outcome:
        original = self.by_id[mutant.exercise].source
        source = original
        for old, new in mutant.replace:
            assert old in source, f"mutant {mutant.name!r} is stale: {old!r} not in the solution"
            source = source.replace(old, new)
        assert source != original
        _, defined = self._run(source)
        try:
            outcome = self.run_tests(mutant.exercise)
            if not defined:
                outcome.public_output = "mutant source failed to run\n" + outcome.public_output
            return outcome
        finally:
            _, restored = self._run(original)
            assert restored, "could not restore the correct solution"
