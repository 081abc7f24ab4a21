"""Student-facing checks used by the test cell under every exercise.

A failed check raises :class:`CheckFailed` (an ``AssertionError``, so nbgrader scores the cell 0)
with a message that says, in words, what was checked, what was expected, what came back (value,
shape, dtype) and a hint naming the likely mistake.  Colour is never the only signal.

Typical test cell::

    with checks.exercise("Exercise 1.1 - predict") as check:
        check.array(predict(X, w, b), np.array([0, 0, 0, 1]), "predict on the AND inputs",
                    mistakes={"step(0) must be 1: use >= 0, not > 0": np.array([0, 0, 0, 0])})

prints ``PASSED - Exercise 1.1 - predict: 1 of 1 checks`` or raises with the first failure.

``mistakes`` maps a hint to what that mistake would return: either an array (compared with the
same tolerance) or a predicate ``f(got) -> bool``.  When the returned value matches a known
mistake, that hint is shown instead of the generic one.
"""

from __future__ import annotations

import contextlib
import re
import textwrap
from dataclasses import dataclass
from typing import Any, Callable, Iterator, Mapping, Union

import numpy as np

Mistake = Union[np.ndarray, float, int, Callable[[Any], bool]]

__all__ = ["CheckFailed", "Checker", "exercise", "describe", "Failure", "parse_failure"]

#: Called at the end of every exercise (grading only, see instructor/guard.py): each returns
#: "" when the check machinery is intact, or what was changed.  Empty for students.
integrity_hooks: list[Callable[[], str]] = []


class CheckFailed(AssertionError):
    """A student-facing check failed; the message is meant to be read by a student.

    In IPython/Jupyter the error shows as its message alone (``_render_traceback_``): the frames
    of the check machinery would only hide what matters.
    """

    def _render_traceback_(self) -> list[str]:
        return [f"{type(self).__name__}: " + str(self).splitlines()[0], *str(self).splitlines()[1:]]


def describe(value: Any, max_chars: int = 300) -> str:
    """Short, readable description of a value: its repr plus shape and dtype for arrays.

    Never raises: a value whose repr fails (a student's own class, say) is described by its type.
    """
    if value is None:
        return "None"
    if isinstance(value, np.ndarray):
        tiny = value.dtype.kind == "f" and np.any((value != 0) & (np.abs(value) < 1e-4))
        with np.printoptions(precision=6, suppress=not tiny, threshold=20, edgeitems=3):
            text = _safe_repr(value)
        info = f"shape {value.shape}, dtype {value.dtype}"
    else:
        text = _safe_repr(value)
        info = f"type {type(value).__name__}"
    if len(text) > max_chars:
        text = text[: max_chars - 3] + "..."
    return f"{text}  ({info})"


def _safe_repr(value: Any) -> str:
    try:
        return repr(value)
    except Exception as err:  # a broken __repr__ must not turn a FAILED message into a crash
        return f"<{type(value).__name__} object whose repr() raised {type(err).__name__}>"


def _matches(got: np.ndarray, candidate: Mistake, rtol: float, atol: float) -> bool:
    if callable(candidate):
        try:
            return bool(candidate(got))
        except Exception:  # a predicate that cannot judge this value simply does not match
            return False
    candidate = np.asarray(candidate)
    return candidate.shape == got.shape and bool(np.allclose(got, candidate, rtol=rtol, atol=atol))


class Checker:
    """Runs checks for one exercise and counts how many passed."""

    def __init__(self, title: str):
        self.title = title
        self.passed = 0

    def _fail(self, what: str, lines: list[str], hint: str | None) -> None:
        __tracebackhide__ = True  # keep student tracebacks short
        report = [f"FAILED - {self.title}", *_wrap(f"check: {what}")]
        for line in lines:
            report += _wrap(line)
        if hint:
            report += _wrap(f"hint: {hint}")
        if self.passed:
            report.append(f"  ({self.passed} earlier check(s) passed.)")
        raise CheckFailed("\n".join(report))

    def array(
        self,
        got: Any,
        expected: Any,
        what: str,
        *,
        rtol: float = 1e-6,
        atol: float = 1e-9,
        hint: str | None = None,
        mistakes: Mapping[str, Mistake] | None = None,
        check_dtype_kind: bool = False,
    ) -> None:
        """Check that ``got`` equals ``expected`` (same shape; values within rtol/atol).

        Parameters
        ----------
        got : array-like or scalar
            What the student's code returned.
        expected : array-like or scalar
            The right answer; its shape is required of ``got`` exactly.
        what : str
            The call being checked, in words (shown in the message).
        hint : str, optional
            Generic hint shown when no known mistake matches.
        mistakes : dict hint -> array or predicate, optional
            Known wrong answers (see module docstring).
        check_dtype_kind : bool
            Also require the same dtype kind (integer vs float vs bool).
        """
        __tracebackhide__ = True  # keep student tracebacks short
        expected = np.asarray(expected)
        if got is None:
            self._fail(what, [f"expected: {describe(expected)}", "got:      None"],
                       "your function returned None - did you forget the `return` statement?")
        try:
            got_arr = np.asarray(got)
        except Exception:  # ragged lists and other objects numpy cannot turn into an array
            self._fail(what, [f"expected: {describe(expected)}", f"got:      {describe(got)}"],
                       "return a NumPy array (or a number), not this object.")
        # Real numbers (bool, int, float); complex only where complex is expected. Dates, times,
        # strings and objects get a hint instead of an obscure NumPy error further down.
        if got_arr.dtype.kind not in ("biufc" if expected.dtype.kind == "c" else "biuf"):
            self._fail(what, [f"expected: {describe(expected)}", f"got:      {describe(got)}"],
                       "your result is complex (a square root or log of a negative number?): return "
                       "real numbers." if got_arr.dtype.kind == "c" else
                       "return numbers (a NumPy array or a float), not strings or objects.")
        known = next((text for text, candidate in (mistakes or {}).items()
                      if _matches(got_arr, candidate, rtol, atol)), None)
        if got_arr.shape != expected.shape:
            self._fail(
                what,
                [f"expected shape {expected.shape}, got shape {got_arr.shape}",
                 f"expected: {describe(expected)}", f"got:      {describe(got_arr)}"],
                known or _shape_hint(got_arr.shape, expected.shape, hint),
            )
        if np.issubdtype(got_arr.dtype, np.floating) and not np.all(np.isfinite(got_arr)):
            generic = ("your result contains NaN or inf - look for a division by zero, log(0) or "
                       "an overflowing exp.")
            specific = known or hint
            self._fail(what, [f"expected: {describe(expected)}", f"got:      {describe(got_arr)}"],
                       f"{generic} {specific}" if specific else generic)
        if check_dtype_kind and got_arr.dtype.kind != expected.dtype.kind:
            self._fail(what, [f"expected dtype kind {expected.dtype} , got {got_arr.dtype}"],
                       hint or "convert the result with .astype(...).")
        if not np.allclose(got_arr, expected, rtol=rtol, atol=atol):
            lines = [f"expected: {describe(expected)}", f"got:      {describe(got_arr)}"]
            if expected.size > 1:
                worst, diff, allowed = _worst_element(got_arr, expected, rtol, atol)
                lines.append(f"furthest outside the tolerance: index {worst}, difference {diff:.3g} "
                             f"(allowed {allowed:.3g})")
            if known is None and got_arr.dtype == np.float32 and expected.dtype.kind == "f" \
                    and np.allclose(got_arr, expected, rtol=1e-4, atol=1e-6):
                known = ("your result is float32, which keeps only about 7 digits: compute in "
                         "float64 (e.g. np.asarray(X, dtype=float)).")
            self._fail(what, lines, known or hint)
        self.passed += 1

    def true(self, condition: Any, what: str, *, detail: str = "", hint: str | None = None) -> None:
        """Check that ``condition`` is true; ``detail`` explains what was observed."""
        __tracebackhide__ = True  # keep student tracebacks short
        if not bool(condition):
            self._fail(what, [detail] if detail else [], hint)
        self.passed += 1

    def quietly(self, fn: Callable[[], Any], what: str, *, hint: str | None = None) -> Any:
        """Call ``fn()`` with NumPy warnings (overflow, invalid value, ...) turned into failures.

        Returns what ``fn`` returned, so the value can be checked next.
        """
        __tracebackhide__ = True  # keep student tracebacks short
        import warnings

        problem = None
        with warnings.catch_warnings():
            warnings.simplefilter("error", RuntimeWarning)
            try:
                # Underflow to 0 is harmless (exp(-1e4) == 0.0); overflow, 0/0 and x/0 are not.
                with np.errstate(over="warn", invalid="warn", divide="warn", under="ignore"):
                    return fn()
            except (RuntimeWarning, FloatingPointError) as warning:
                problem = warning
        self._fail(what, [f"NumPy warned: {problem}"], hint)

    def raises(self, exc_type: type[BaseException], fn: Callable[[], Any], what: str,
               *, hint: str | None = None) -> None:
        """Check that calling ``fn()`` raises ``exc_type``."""
        __tracebackhide__ = True  # keep student tracebacks short
        try:
            fn()
        except exc_type:
            self.passed += 1
            return
        except Exception as err:  # a different error is a failure too, with its name shown
            self._fail(what, [f"expected {exc_type.__name__}, got {type(err).__name__}: {err}"],
                       hint)
        self._fail(what, [f"expected {exc_type.__name__} to be raised, nothing was raised"], hint)


def _worst_element(got: np.ndarray, expected: np.ndarray, rtol: float, atol: float
                   ) -> tuple[tuple[int, ...], float, float]:
    """The element furthest outside ``np.allclose``'s tolerance: (index, difference, allowed).

    Ranked by difference / allowed (allowed = atol + rtol * |expected|), not by the absolute
    difference: with a relative tolerance a tiny expected value allows only a tiny difference,
    so the largest absolute difference can sit at an element that passed. Where nothing is
    allowed (atol = 0 at an expected 0), any difference ranks first.

    Only called by :meth:`Checker.array` once ``got`` has the shape of ``expected`` and no NaN or
    inf (the checks before it fail otherwise).
    """
    diff = np.abs(got.astype(np.float64) - expected.astype(np.float64))
    allowed = atol + rtol * np.abs(expected.astype(np.float64))
    excess = np.divide(diff, allowed, out=np.where(diff > 0, np.inf, 0.0), where=allowed > 0)
    worst = tuple(int(i) for i in np.unravel_index(int(np.argmax(excess)), excess.shape))
    return worst, float(diff[worst]), float(allowed[worst])


def _wrap(text: str, width: int = 80) -> list[str]:
    """Indent a message line by two spaces and wrap it.

    nbgrader's Validate cuts lines at 87 characters including its own 4-space indent.

    Lines that hold array reprs (several lines already) are only indented.
    """
    if "\n" in text:
        return [f"  {line}" for line in text.splitlines()]
    return textwrap.wrap(text, width, initial_indent="  ", subsequent_indent="    ",
                         break_long_words=False, break_on_hyphens=False) or ["  "]


def _shape_hint(got: tuple, expected: tuple, hint: str | None) -> str:
    if expected == () and got in ((1,), (1, 1)):
        return "expected a single number, got an array of shape " + str(got) + \
            ": take [0] or float(...) of it."
    if got != expected and int(np.prod(got)) == int(np.prod(expected)) and len(got) != len(expected) \
            and not (len(got) == len(expected) + 1 and got[-1] == 1):
        return ("right number of values, wrong shape: return an array shaped like the input "
                "(np.empty_like(z), np.where(...), or .reshape(z.shape)).")
    if expected and len(got) == len(expected) + 1 and got[-1] == 1 and got[:-1] == expected:
        return "you returned a column (extra trailing axis of length 1); use .ravel() or index [:, 0]."
    if len(got) == 2 and got[::-1] == expected:
        return "your result is transposed; check the order of the matrix product."
    return hint or "check the shapes of the arrays you combine (print .shape)."


def _raising_function(err: BaseException) -> str:
    """Name of the function whose stub raised, e.g. "`relu_grad`" (from the traceback)."""
    tb = err.__traceback__
    while tb is not None and tb.tb_next is not None:
        tb = tb.tb_next
    name = tb.tb_frame.f_code.co_name if tb is not None else ""
    return f"`{name}`" if name and not name.startswith("<") else "your function"


@contextlib.contextmanager
def exercise(title: str) -> Iterator[Checker]:
    """Context manager for a test cell: yields a :class:`Checker`, prints PASSED at the end."""
    __tracebackhide__ = True  # keep student tracebacks short
    checker = Checker(title)
    verifiers = tuple(integrity_hooks)  # taken now: code run during the checks cannot swap them
    try:
        yield checker
    except NotImplementedError as err:
        # The exercise's stub is still there: say so plainly instead of showing a traceback.
        raise CheckFailed("\n".join([
            f"NOT DONE YET - {title}:",
            *_wrap(f"{_raising_function(err)} still raises NotImplementedError."),
            *_wrap("Replace `raise NotImplementedError()` in the exercise cell with your code, run "
                   "that cell, then run this check again.")])) from None
    except TypeError as err:
        scalar_only = ("only integer scalar arrays", "only length-1 arrays", "only 0-dimensional arrays",
                       "only size-1 arrays")
        if not any(text in str(err) for text in scalar_only):
            raise
        raise CheckFailed("\n".join([
            f"FAILED - {title}:", *_wrap(f"your code raised TypeError: {err}"),
            *_wrap("hint: a function for single numbers got an array: use NumPy's elementwise "
                   "versions (np.exp, not math.exp; np.maximum(0, z), not max(0, z) or np.max(0, z)).")
        ])) from err
    except OverflowError as err:
        # math.exp(800) raises "math range error"; np.exp would warn and return inf instead.
        raise CheckFailed("\n".join([
            f"FAILED - {title}:", *_wrap(f"your code raised OverflowError: {err}"),
            *_wrap("hint: Python's math functions (math.exp, math.pow) take one number at a time and "
                   "raise when the result is too large for a float (math.exp(710) already does): use "
                   "NumPy's elementwise np.exp on the whole array, in a form whose exponent is never "
                   "large and positive.")])) from err
    except IndexError as err:
        raise CheckFailed("\n".join([
            f"FAILED - {title}:", *_wrap(f"your code raised IndexError: {err}"),
            *_wrap("hint: an index went past the end of a list or array. Does your code assume a fixed "
                   "size (exactly two layers, a fixed number of examples or features)? Loop over the "
                   "items, or take sizes from .shape / len(), so that every size works.")])) from err
    except ValueError as err:
        if "at least two arrays" in str(err):       # np.linalg.multi_dot of a single matrix
            raise CheckFailed("\n".join([
                f"FAILED - {title}:", *_wrap(f"your code raised ValueError: {err}"),
                *_wrap("hint: np.linalg.multi_dot needs at least two matrices, so it fails for a single "
                       "one (L = 1): multiply in a loop, or handle one matrix separately.")])) from err
        if not any(word in str(err) for word in ("broadcast", "matmul", "not aligned", "shapes")):
            raise
        if "matmul" in str(err) or "not aligned" in str(err):
            hint = ("a matrix product A @ B needs A.shape[-1] == B.shape[0]: print the shapes and "
                    "check the order of the factors (and whether one needs a transpose).")
        else:
            hint = ("print the .shape of the arrays you combine. (For sums or maxima over each "
                    "row, keepdims=True keeps the shape (m, 1), which broadcasts back.)")
        raise CheckFailed("\n".join([
            f"FAILED - {title}:", *_wrap(f"your code raised ValueError (a shape mismatch): {err}"),
            *_wrap(f"hint: {hint}")])) from err
    for verify in verifiers:
        problem = verify()
        if problem:
            raise CheckFailed("\n".join([f"FAILED - {title}:", *_wrap(
                f"the grading environment was changed while this exercise ran ({problem}); "
                "the checks cannot be trusted, so this cell scores 0.")]))
    print(f"PASSED - {title}: {checker.passed} of {checker.passed} checks")


_ANSI = re.compile(r"\x1b\[[0-9;]*m")
_EARLIER = re.compile(r"^\(\d+ earlier check\(s\) passed\.\)$")


@dataclass(frozen=True)
class Failure:
    """A failed check cell's message, read back by :func:`parse_failure`."""

    title: str = ""    # "FAILED - <exercise>" or "NOT DONE YET - <exercise>:"; "" if not a check's message
    check: str = ""    # what was checked (the text after "check:"), wrapped lines joined
    hint: str = ""     # the hint (the text after "hint:"), wrapped lines joined
    detail: str = ""   # the line right under the title when it is neither, e.g. "your code raised ..."

    @property
    def not_done(self) -> bool:
        """The exercise's stub still raises NotImplementedError."""
        return self.title.startswith("NOT DONE YET")

    def check_and_hint(self) -> list[str]:
        """``["check: ...", "hint: ..."]``, each only when the message had it."""
        return [f"{label}: {text}" for label, text in (("check", self.check), ("hint", self.hint)) if text]


def parse_failure(message: str) -> Failure:
    """Read the title, check, hint and detail back from the message of a failed check cell.

    ``message`` is the text of a :class:`CheckFailed` (a notebook's stored error ``evalue``). The
    messages of this module are a title line (``FAILED - ...`` or ``NOT DONE YET - ...``) and
    lines indented by two spaces (``check: ...``, expected and got, ``hint: ...``); a wrapped line
    goes on on lines indented by four spaces, and the hint comes last, followed at most by
    ``(N earlier check(s) passed.)``. ANSI colour codes are ignored. A message without such a
    title (another exception's) gives an empty :class:`Failure`.

    Used by ``make check`` (:mod:`helpers.selfcheck`) and by the instructor's feedback and
    gradebook, so that all three read a failure the same way.
    """
    lines = _ANSI.sub("", str(message)).splitlines()
    start = next((i for i, line in enumerate(lines)
                  if line.strip().startswith(("FAILED", "NOT DONE YET"))), None)
    if start is None:
        return Failure()
    parts = {"check": "", "hint": "", "detail": ""}
    key = ""
    for number, line in enumerate(lines[start + 1:]):
        text = line.strip()
        if not text:
            continue
        if key == "hint":                       # the hint is last: all that follows continues it
            if not _EARLIER.match(text):
                parts["hint"] += " " + text
        elif key and line.startswith("    "):   # a wrapped line of the check or the detail
            parts[key] += " " + text
        elif text.startswith(("check:", "hint:")) and not parts[text[:text.index(":")]]:
            key = text[:text.index(":")]
            parts[key] = text[len(key) + 1:].strip()
        elif number == 0:                       # a line right under the title: the detail
            key, parts["detail"] = "detail", text
        else:
            key = ""
    return Failure(lines[start].strip(), **parts)
