"""Argument checks shared by the helpers (internal).

They run once per call, on the arguments of a public function, never inside its numerical loops,
and raise TypeError (wrong kind of value) or ValueError (right kind, wrong shape or value) with a
message that names the argument and says what was expected, e.g.
``X must have shape (m, n_inputs=20), got (20,)``. NaN/inf that overflow can produce are reported
as FloatingPointError, except inside ``np.errstate(over/invalid="ignore")`` (nonfinite_ignored).
"""

from __future__ import annotations

import math
import numbers

import numpy as np


def real_array(value, name: str) -> np.ndarray:
    """``np.asarray(value)``, which must hold real numbers (bool, int or float; dtype unchanged)."""
    arr = np.asarray(value)
    if arr.dtype.kind not in "biuf":
        raise TypeError(f"{name} must be numeric (real numbers: an array of ints or floats), "
                        f"got dtype {arr.dtype} from {type(value).__name__}")
    return arr


def first_bad(arr: np.ndarray) -> tuple:
    """Index of the first NaN or inf in ``arr``."""
    return tuple(int(i) for i in np.argwhere(~np.isfinite(arr))[0])


def require_finite(arr: np.ndarray, name: str, hint: str = "", *, ignorable: bool = False) -> None:
    """ValueError naming the first NaN or inf of ``arr`` (if any); ``hint`` is appended.

    ignorable: values that overflow can produce; inside np.errstate(over/invalid="ignore") they
    pass (see nonfinite_ignored).
    """
    if not np.isfinite(arr).all() and not (ignorable and nonfinite_ignored()):
        index = first_bad(arr)
        raise ValueError(f"{name} contains NaN or inf at index {index} (value {arr[index]}){hint}")


def nonfinite_ignored() -> bool:
    """True inside ``np.errstate(over="ignore")`` or ``np.errstate(invalid="ignore")``.

    There the caller expects overflow and NaN (a demonstration of divergence, say, that looks at
    the NaN loss itself), so the checks for values that overflow can produce - logits, dlogits,
    gradients - let NaN and inf through, as NumPy does. Outside it they raise. Call it only on the
    error path: it costs a little.
    """
    state = np.geterr()
    return state["over"] == "ignore" or state["invalid"] == "ignore"


def number(value, name: str, low: float, high: float = math.inf, *, low_open: bool = False,
           high_open: bool = True) -> float:
    """``value`` as a float in the interval from low to high (by default [low, inf): finite)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a number, got {type(value).__name__} {value!r}")
    x = float(value)
    if not ((low < x if low_open else low <= x) and (x < high if high_open else x <= high)):
        if high == math.inf:
            wanted = f"a finite number {'>' if low_open else '>='} {low:g}"
        else:
            wanted = f"in {'(' if low_open else '['}{low:g}, {high:g}{')' if high_open else ']'}"
        raise ValueError(f"{name} must be {wanted}, got {x:g}")
    return x


def integer(value, name: str, low: int) -> int:
    """``value`` as an int >= low (bool and float are rejected)."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be an int, got {type(value).__name__}")
    if value < low:
        raise ValueError(f"{name} must be >= {low}, got {value}")
    return int(value)
