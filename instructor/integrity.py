"""Compare a submission with the released notebook before grading; repair and report tampering.

nbgrader restores the source of locked cells, but it is silent about deleted test cells, stops a
whole batch on some metadata edits (an old ``schema_version``) and cannot see monkeypatching.
:func:`check_submission` returns a repaired copy of the notebook plus findings, by name:

* ``deleted``    - a test, answer or written-answer cell of the release is missing (no points);
* ``reordered``  - graded cells are not in the release's order;
* ``edited``     - a read-only cell's source was changed (restored from the release);
* ``metadata``   - a cell's nbgrader metadata was changed, e.g. its points (restored);
* ``unknown``    - a cell claims a grade_id the release does not have (made an ordinary cell);
* ``duplicate``  - a grade_id appears twice (the copy is made an ordinary cell);
* ``suspicious`` - student code touches the test machinery (see :func:`scan_code`);
* ``reference``  - student code uses the course's reference implementation of the notebook's own
  exercises (:data:`REFERENCE_MODULES`): students receive ``helpers.activations``, ``nn``,
  ``optim`` and ``train`` so that later notebooks run, and an answer that calls them is not the
  student's own work.
"""

from __future__ import annotations

import ast
import copy
import re
from dataclasses import dataclass

#: Modules whose use in an answer is a reason for a human to look (they reach into the runtime).
RISKY_MODULES = {"gc", "ctypes", "inspect", "importlib", "builtins", "IPython", "ipykernel", "traitlets",
                 "unittest", "sys", "types", "code", "pickle", "marshal", "threading", "signal", "os",
                 "subprocess", "socket"}
RISKY_CALLS = {"get_ipython", "exec", "eval", "compile", "__import__", "setattr", "delattr", "globals",
               "vars", "locals"}
RISKY_ATTRIBUTES = {"__dict__", "__code__", "__closure__", "__globals__", "__builtins__", "__class__",
                    "__subclasses__", "modules", "settrace", "setprofile", "addaudithook", "_getframe",
                    "f_globals", "f_locals", "f_back", "integrity_hooks"}

#: Notebook number -> the helpers modules that implement (some of) its exercises, with what they
#: implement. The notebook is recognised by its exercises' grade_ids (``ex<N>_...``).
REFERENCE_MODULES = {
    2: {"helpers.activations": "sigmoid, ReLU and their derivatives (Exercises 2.2-2.3)",
        "helpers.nn": "a stable softmax and the sigmoid (Exercises 2.2 and 2.5)",
        "helpers.train": "the reference network, with the sigmoid (Exercise 2.2)"},
    3: {"helpers.nn": "the binary and the softmax cross-entropy from logits and the MLP's forward and "
                      "backward passes (Exercises 3.1-3.5 and 3.7)",
        "helpers.train": "the MLP's loss and gradients (Exercises 3.1-3.5)"},
    4: {"helpers.optim": "SGD, momentum, RMSprop, Adam and the schedules (Exercises 4.1-4.5)"},
    5: {"helpers.nn": "Xavier/He initialisation and inverted dropout (Exercises 5.1 and 5.4)",
        "helpers.train": "early stopping with restore-best (Exercise 5.5)"},
}
EXERCISE_ID = re.compile(r"^ex(\d+)_")


@dataclass(frozen=True)
class Finding:
    kind: str
    cell: str
    message: str

    def __str__(self) -> str:
        return self.message


def nbgrader_meta(cell) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {}) or {}


def grade_id(cell) -> str | None:
    return nbgrader_meta(cell).get("grade_id")


def _label(meta: dict) -> str:
    if meta.get("grade") and not meta.get("solution"):
        return "test cell"
    if meta.get("solution"):
        return "written answer cell" if meta.get("grade") else "answer cell"
    return "read-only cell"


def check_structure(submission, release) -> tuple[object, list[Finding]]:
    """Repaired copy of ``submission`` (nbformat v4) and the structural findings."""
    nb = copy.deepcopy(submission)
    reference = {grade_id(c): c for c in release.cells if grade_id(c)}
    order = [grade_id(c) for c in release.cells if grade_id(c)]
    findings, seen = [], []
    for index, cell in enumerate(nb.cells):
        gid = grade_id(cell)
        if gid is None:
            if "nbgrader" in cell.get("metadata", {}):
                del cell.metadata["nbgrader"]
            continue
        if gid not in reference or gid in seen:
            kind = "unknown" if gid not in reference else "duplicate"
            findings.append(Finding(kind, gid, f"cell {index} claims grade_id {gid!r} "
                                    f"({'not in the release' if kind == 'unknown' else 'a second time'}); "
                                    "graded as an ordinary cell"))
            del cell.metadata["nbgrader"]
            continue
        seen.append(gid)
        original = reference[gid]
        meta = nbgrader_meta(original)
        edited = meta.get("locked") and cell.source != original.source
        if cell.cell_type != original.cell_type or _meta_differs(nbgrader_meta(cell), meta):
            findings.append(Finding("metadata", gid, f"{_label(meta)} {gid}: its cell type or grading "
                                    "metadata was changed (restored)"))
            nb.cells[index] = cell = _retyped(cell, original)
        if edited:
            findings.append(Finding("edited", gid, f"{_label(meta)} {gid} was edited (restored from "
                                    "the release; the edit had no effect on the grade)"))
            cell.source = original.source
    for gid in order:
        if gid not in seen:
            meta = nbgrader_meta(reference[gid])
            points = f" - its {meta['points']:g} point(s) are lost" if meta.get("points") else ""
            findings.append(Finding("deleted", gid, f"{_label(meta)} {gid} was deleted{points}"))
    present = [g for g in order if g in seen]
    if seen != present:
        moved = next(a for a, b in zip(seen, present) if a != b)
        findings.append(Finding("reordered", moved, f"graded cells are out of order ({moved} moved); "
                                "graded in the submitted order"))
    return nb, findings


def _meta_differs(got: dict, want: dict) -> bool:
    keys = ("grade", "solution", "locked", "points", "task", "schema_version")
    return any(got.get(k) != want.get(k) for k in keys if k in want or k in got)


def _retyped(cell, original):
    """The submitted cell with the release's type and nbgrader metadata (source kept if editable)."""
    fixed = copy.deepcopy(original)
    if nbgrader_meta(original).get("solution"):
        fixed.source = cell.source
    if fixed.cell_type == "code":
        fixed.outputs, fixed.execution_count = [], None
    return fixed


def scan_code(nb, release, protected_names: set[str]) -> list[Finding]:
    """Findings for student-written code that reaches into the test machinery.

    Scans every code cell whose source is not a cell of the release as handed out (answers,
    added cells, edited course cells).  ``protected_names``: names that course cells define and
    test cells use (``np``, ``checks``, data helpers...).  Flags are for a human to look at; they
    never change a score.
    """
    handed_out = {c.source for c in release.cells if c.cell_type == "code"}
    references = reference_modules(release)
    reference_names = _names_from(release, references)
    findings = []
    for index, cell in enumerate(nb.cells):
        meta = nbgrader_meta(cell)
        if cell.cell_type != "code" or meta.get("locked") or cell.source in handed_out:
            continue
        where = meta.get("grade_id") or f"cell {index}"
        try:
            tree = ast.parse(_without_magics(cell.source))
        except SyntaxError:
            continue
        for line, what in sorted(set(_risky(tree, protected_names))):
            findings.append(Finding("suspicious", where, f"{where}, line {line}: {what}"))
        for line, what in sorted(set(_reference_uses(tree, references, reference_names))):
            findings.append(Finding("reference", where, f"{where}, line {line}: {what}"))
    return findings


def reference_modules(release) -> dict[str, str]:
    """The reference modules (name -> what they implement) of the notebook ``release`` is."""
    numbers = {int(m.group(1)) for c in release.cells if (m := EXERCISE_ID.match(grade_id(c) or ""))}
    modules: dict[str, str] = {}
    for number in sorted(numbers):
        modules.update(REFERENCE_MODULES.get(number, {}))
    return modules


def _names_from(release, modules: dict[str, str]) -> dict[str, str]:
    """Names the course cells of ``release`` import from a reference module -> that module."""
    names = {}
    for cell in release.cells:
        if cell.cell_type != "code" or nbgrader_meta(cell).get("solution"):
            continue
        try:
            tree = ast.parse(_without_magics(cell.source))
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            for module, name in _imported(node):
                if module in modules and name != "helpers":  # `import helpers.nn` binds helpers
                    names[name] = module
    return names


def _imported(node):
    """(reference module, name bound) for an import statement: `import helpers.nn as hn` binds hn
    to helpers.nn, `from helpers.nn import MLP` binds MLP from it, `from helpers import nn` nn."""
    if isinstance(node, ast.Import):
        for alias in node.names:
            yield alias.name, alias.asname or alias.name.split(".")[0]
    elif isinstance(node, ast.ImportFrom) and node.module:
        for alias in node.names:
            yield node.module, alias.asname or alias.name
            yield f"{node.module}.{alias.name}", alias.asname or alias.name


def _reference_uses(tree, modules: dict[str, str], names: dict[str, str]):
    """(line, what) where student code imports or calls a reference module of its notebook."""
    def flag(module: str, how: str) -> str:
        return (f"{how} - {module} is the course's reference implementation of {modules[module]}: "
                "check that the answer is the student's own work")

    for node in ast.walk(tree):
        for module, _ in _imported(node):
            if module in modules:
                yield node.lineno, flag(module, f"imports {module}")
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "helpers" \
                and f"helpers.{node.attr}" in modules:
            yield node.lineno, flag(f"helpers.{node.attr}", f"uses helpers.{node.attr}")
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load) and node.id in names:
            yield node.lineno, flag(names[node.id], f"uses {node.id} (from {names[node.id]})")


def _without_magics(source: str) -> str:
    return "\n".join("" if line.lstrip().startswith(("%", "!")) else line for line in source.splitlines())


def _root(node) -> str | None:
    while isinstance(node, (ast.Attribute, ast.Subscript)):
        node = node.value
    return node.id if isinstance(node, ast.Name) else None


def _risky(tree, protected: set[str], top_level: bool = True):
    """(line, what) for risky code; inside a function its own parameters and locals are not
    "names used by the tests" even when they share a name with one."""
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            if top_level and not isinstance(node, ast.Lambda) and node.name in protected:
                yield node.lineno, f"redefines {node.name} (used by the tests)"
            yield from _risky(node, protected - _locals(node), top_level=False)
            continue
        if isinstance(node, ast.ClassDef) and top_level and node.name in protected:
            yield node.lineno, f"redefines {node.name} (used by the tests)"
        yield from _risky_node(node, protected, top_level)
        yield from _risky(node, protected, top_level)


def _risky_node(node, protected: set[str], top_level: bool):
    if isinstance(node, (ast.Import, ast.ImportFrom)):
        names = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
        for name in names:
            if name.split(".")[0] in RISKY_MODULES:
                yield node.lineno, f"imports {name}"
    elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in RISKY_CALLS:
        yield node.lineno, f"calls {node.func.id}()"
    elif isinstance(node, ast.Attribute) and node.attr in RISKY_ATTRIBUTES:
        yield node.lineno, f"uses .{node.attr}"
    elif isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign, ast.Delete)):
        targets = node.targets if isinstance(node, (ast.Assign, ast.Delete)) else [node.target]
        for target in _flatten(targets):
            if isinstance(target, (ast.Attribute, ast.Subscript)) and _root(target) in protected:
                yield node.lineno, f"changes {ast.unparse(target)} (used by the tests)"
            elif isinstance(target, ast.Name) and top_level and target.id in protected:
                yield node.lineno, f"rebinds {target.id} (used by the tests)"


def _flatten(targets):
    for target in targets:
        if isinstance(target, (ast.Tuple, ast.List)):
            yield from _flatten(target.elts)
        else:
            yield target.value if isinstance(target, ast.Starred) else target


def _locals(function) -> set[str]:
    args = function.args
    names = {a.arg for a in [*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg] if a}
    names |= {n.id for n in ast.walk(function) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
    return names


def protected_names(source_nb) -> set[str]:
    """Names bound by course cells (not answers) and used by test cells (hidden ones included)."""
    bound, used = set(), set()
    for cell in source_nb.cells:
        meta = nbgrader_meta(cell)
        if cell.cell_type != "code" or meta.get("solution"):
            continue
        try:
            tree = ast.parse(_without_magics(cell.source))
        except SyntaxError:
            continue
        if meta.get("grade"):
            used |= {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
        else:
            bound |= _top_level_bindings(tree)
    return (bound & used) - {"_"}


def _top_level_bindings(tree) -> set[str]:
    names = set()
    for node in tree.body:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            names |= {(a.asname or a.name).split(".")[0] for a in node.names}
        elif isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            for target in (node.targets if isinstance(node, ast.Assign) else [node.target]):
                names |= {n.id for n in ast.walk(target) if isinstance(n, ast.Name)}
    return names
