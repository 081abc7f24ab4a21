"""Grading-time guard against tests made to pass by changing the test machinery.

Installed in every grading kernel before the first cell (the kernel is started with
``--IPKernelApp.exec_lines`` calling :func:`install`); never in a student's own JupyterLab.

What it protects, and how:

* A snapshot is taken of what the test cells rely on: the attributes of ``builtins``, ``math``,
  ``numpy`` (and ``linalg``, ``random``, ``testing``) and every ``helpers`` module, the classes
  defined in ``helpers`` (e.g. ``Checker``), the contents of the helpers' module-level tables,
  their ``sys.modules`` entries, and the IPython shell/kernel/session objects that turn an
  exception into an error output (``showtraceback``, ``set_custom_exc``, event callbacks, input
  and AST transformers, ``session.send`` ...).
* Before every top-level statement the kernel executes (a Python audit hook on the ``exec``
  event - audit hooks cannot be removed), anything changed is put back and reported on the
  cell's stdout as a line starting with :data:`MARK`.  Names in the notebook's namespace that
  were bound to a module (``np``, ``checks``) and were rebound are put back too.
* At the end of every exercise's checks (:data:`helpers.checks.integrity_hooks`), the same
  comparison runs again: a change made *while* the checks ran (e.g. by the student's function
  when a test calls it) fails the exercise.

So a monkeypatch gains no points, and ``make grade`` flags every submission whose output has a
:data:`MARK` line for manual review.  Limits: this runs in the same process as the student's code,
so a deliberate attack on the guard itself (``gc``, ``ctypes``, frame or closure surgery) can
defeat it; those tools are flagged by the static scan in :mod:`instructor.integrity`.
"""

from __future__ import annotations

import copy
import importlib
import pkgutil
import sys
import threading
import time
import types

import numpy as np

MARK = "[grading guard]"
WATCHED = ("builtins", "math", "numpy", "numpy.linalg", "numpy.random", "numpy.testing")
IGNORED_KEYS = {"_", "__", "___", "__warningregistry__", "__builtins__",
                # rebound by IPython/ipykernel around every execution:
                "input", "raw_input", "get_ipython", "exit", "quit", "getpass"}
SHELL_PARTS = ("kernel", "displayhook", "display_pub", "events", "compile", "display_trap")
KERNEL_PARTS = ("session", "iopub_socket", "shell", "iopub_thread")
_MISSING = object()


def _helper_modules(package: types.ModuleType | None = None) -> list[types.ModuleType]:
    """The package (default ``helpers``) and each of its modules that imports.

    A file in the package's folder that does not import (a stray or half-written module) cannot
    be used by a test cell either: it is skipped, with a note in the grader's log, instead of
    making the whole snapshot - and so every submission graded meanwhile - fail.
    """
    if package is None:
        import helpers as package
    modules = [package]
    for info in pkgutil.iter_modules(package.__path__, f"{package.__name__}."):
        try:
            modules.append(importlib.import_module(info.name))
        except Exception as err:
            print(f"{MARK} not watched: {info.name} does not import ({type(err).__name__}: {err})",
                  file=sys.__stderr__, flush=True)
    return modules


def _identical(a, b) -> bool:
    """Same object (a bound method is re-created on every attribute access: compare its parts)."""
    return a is b or (isinstance(a, types.MethodType) and a == b)


def _plain(value) -> bool:
    """Numbers, strings, arrays and containers of them (what a lookup table is made of)."""
    if isinstance(value, (str, bytes, int, float, complex, bool, type(None), np.ndarray, np.generic)):
        return True
    if isinstance(value, dict):
        return all(_plain(k) and _plain(v) for k, v in value.items())
    return isinstance(value, (list, tuple, set, frozenset)) and all(_plain(v) for v in value)


def _is_table(value) -> bool:
    return isinstance(value, (dict, list, set, np.ndarray)) and _plain(value)


def _same(a, b) -> bool:
    if isinstance(a, np.ndarray):
        return isinstance(b, np.ndarray) and a.shape == b.shape and bool(np.array_equal(a, b, equal_nan=True))
    try:
        return bool(a == b)
    except Exception:
        return False


def _restore_table(table, saved) -> None:
    if isinstance(table, np.ndarray):
        table[...] = saved
    elif isinstance(table, (dict, set)):
        table.clear()
        table.update(copy.deepcopy(saved))
    else:
        table[:] = copy.deepcopy(saved)


class Guard:
    """Snapshot of the test machinery; :meth:`restore` puts it back and says what changed.

    Kernel threads (heartbeat, iopub, control) change the kernel objects' attributes at any time:
    every namespace is first copied with ``dict(...)`` (one C call, atomic under the GIL) and only
    the copy is iterated in Python, which would otherwise fail with "dictionary changed size".
    """

    def __init__(self, shell):
        self.shell = shell
        helpers = _helper_modules()
        watched = [importlib.import_module(n) for n in WATCHED] + helpers
        self.modules = {m.__name__: (m, dict(vars(m))) for m in watched}
        self.tables = [(f"{m.__name__}.{k}", v, copy.deepcopy(v)) for m in helpers
                       for k, v in dict(vars(m)).items() if not k.startswith("__") and _is_table(v)]
        classes = {v for m in helpers for v in dict(vars(m)).values()
                   if isinstance(v, type) and v.__module__ == m.__name__}
        self.parts = [(shell, SHELL_PARTS)]
        if getattr(shell, "kernel", None) is not None:
            self.parts.append((shell.kernel, KERNEL_PARTS))
        objects = [shell, *(getattr(o, a, None) for o, names in self.parts for a in names)]
        objects = [o for o in objects if o is not None and hasattr(o, "__dict__")]
        for obj in objects:
            classes.update(c for c in type(obj).__mro__ if c is not object)
        self.classes = [(c, dict(vars(c))) for c in classes if not c.__module__ == "builtins"]
        self.instances = [(o, {k: v for k, v in dict(vars(o)).items() if callable(v)}) for o in objects]
        self.attributes = {(id(o), a): (o, a, getattr(o, a, _MISSING)) for o, names in self.parts for a in names}
        # Transformers rewrite the code of a cell (a test too): no change allowed.
        self.lists = [(f"shell.{n}", getattr(shell, n), list(getattr(shell, n))) for n in
                      ("ast_transformers", "input_transformers_cleanup", "input_transformers_post")]
        # Event callbacks: libraries add their own (matplotlib's inline backend); none may go.
        self.callbacks = {e: list(cbs) for e, cbs in dict(shell.events.callbacks).items()}
        self.custom_exc = (shell.custom_exceptions, vars(shell).get("CustomTB", _MISSING))
        self.ns_modules: dict[str, types.ModuleType] = {}
        self.changes: list[str] = []

    # -- comparison ---------------------------------------------------------------------------
    def restore(self) -> list[str]:
        """Put everything back; return a description of what had changed ([] if nothing)."""
        changed: list[str] = []
        for name, (module, saved) in self.modules.items():
            if sys.modules.get(name, module) is not module:
                sys.modules[name] = module
                changed.append(f"sys.modules[{name!r}] replaced")
            current = vars(module)
            for key, value in saved.items():
                if key not in IGNORED_KEYS and not _identical(current.get(key, _MISSING), value):
                    current[key] = value
                    changed.append(f"{name}.{key}")
        for name, table, saved in self.tables:
            if not _same(table, saved):
                _restore_table(table, saved)
                changed.append(f"contents of {name}")
        for cls, saved in self.classes:
            changed += self._restore_namespace(cls, saved, f"{cls.__module__}.{cls.__qualname__}", True)
        for obj, saved in self.instances:
            changed += self._restore_namespace(obj, saved, f"{type(obj).__name__} instance", False)
        for obj, attr, value in self.attributes.values():
            if value is not _MISSING and not _identical(getattr(obj, attr, _MISSING), value):
                setattr(obj, attr, value)
                changed.append(f"{type(obj).__name__}.{attr} replaced")
        for name, live, saved in self.lists:
            if len(live) != len(saved) or not all(map(_identical, live, saved)):
                live[:] = saved
                changed.append(name)
        for event, saved in self.callbacks.items():
            live = self.shell.events.callbacks.setdefault(event, [])
            missing = [cb for cb in saved if not any(_identical(cb, other) for other in live)]
            if missing:
                live[:0] = missing
                changed.append(f"event {event} callbacks removed")
        changed += self._restore_custom_exc()
        changed += self._restore_namespace_modules()
        return changed

    @staticmethod
    def _restore_namespace(obj, saved: dict, label: str, is_class: bool) -> list[str]:
        changed = []
        current = dict(vars(obj))
        for key, value in saved.items():
            if not _identical(current.get(key, _MISSING), value) and (is_class or callable(value)):
                setattr(obj, key, value)
                changed.append(f"{label}.{key}")
        for key in current.keys() - saved.keys():
            methods = (types.FunctionType, property, staticmethod, classmethod)
            shadows = isinstance(current[key], methods) if is_class else \
                any(isinstance(vars(c).get(key), methods) for c in type(obj).__mro__)
            if shadows:
                delattr(obj, key)
                changed.append(f"{label}.{key} added")
        return changed

    def _restore_custom_exc(self) -> list[str]:
        exceptions, handler = self.custom_exc
        shell = self.shell
        if shell.custom_exceptions == exceptions and vars(shell).get("CustomTB", _MISSING) is handler:
            return []
        shell.custom_exceptions = exceptions
        if handler is _MISSING:
            vars(shell).pop("CustomTB", None)
        else:
            shell.CustomTB = handler
        return ["IPython custom exception handler (set_custom_exc)"]

    def _restore_namespace_modules(self) -> list[str]:
        """A notebook name that was bound to a module (np, checks) is bound to it again."""
        ns, changed = self.shell.user_ns, []
        for name, module in self.ns_modules.items():
            if ns.get(name, _MISSING) is not module:
                ns[name] = module
                changed.append(f"notebook name {name!r} (was the module {module.__name__})")
        self.ns_modules.update({k: v for k, v in ns.items()
                                if isinstance(v, types.ModuleType) and not k.startswith("_")})
        return changed

    # -- hooks --------------------------------------------------------------------------------
    def before_exec(self) -> None:
        changed = self.restore()
        if changed:
            self.changes += changed
            print(f"{MARK} restored before this statement: {', '.join(sorted(set(changed)))}")

    def after_checks(self) -> str:
        changed = self.restore()
        if not changed:
            return ""
        self.changes += changed
        print(f"{MARK} changed while the checks ran: {', '.join(sorted(set(changed)))}")
        return ", ".join(sorted(set(changed)))


def install(shell=None) -> Guard:
    """Snapshot now and keep the test machinery intact for the rest of the kernel's life."""
    from helpers import checks

    shell = shell or get_ipython()  # noqa: F821 - defined inside IPython
    installed: list[Guard] = []

    def after_checks() -> str:
        if not installed:   # never a silent pass, never a bare NameError: the submission is flagged
            print(f"{MARK} was not installed in this kernel (the grader's log says why); "
                  "regrade this submission")
            return "the grading guard was not installed, so no change can be ruled out"
        return installed[0].after_checks()

    checks.integrity_hooks.append(after_checks)   # before the snapshot: it is part of it
    for attempt in range(5):
        try:
            guard = Guard(shell)
            break
        except Exception:   # e.g. a kernel thread changed a dict while it was copied: copy again
            import traceback

            print(f"{MARK} snapshot attempt {attempt + 1} failed:\n{traceback.format_exc()}",
                  file=sys.__stderr__, flush=True)   # the grader's log, never the notebook
            if attempt == 4:
                raise
            time.sleep(0.05)
    installed.append(guard)
    busy = [False]

    main = threading.main_thread()

    def audit(event, args):
        if event == "exec" and not busy[0] and threading.current_thread() is main:
            busy[0] = True
            try:
                guard.before_exec()
            finally:
                busy[0] = False

    sys.addaudithook(audit)
    return guard
