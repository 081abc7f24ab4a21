"""Numerical gradient checking.

Design: the basic tool, :func:`numerical_gradient`, follows CS231n.  The
function ``f`` takes **no arguments** and reads the array ``x`` through a
closure; ``x`` is nudged **in place**, one element at a time, and every
element is restored exactly afterwards.  This is how the parameters of a
network are checked: the loss reads them from wherever the network keeps
them.  When ``f`` takes ``x`` as its argument, use
:func:`numerical_gradient_of`, which works on a copy and never changes ``x``.

All gradients are central differences, ``(f(x + eps) - f(x - eps)) / (2 eps)``,
and are compared with the *relative error* of :func:`relative_error`.
Rough guide: < 1e-7 the gradient is right; 1e-7 .. 1e-4 look closer (kinks
such as ReLU at 0 give errors here); > 1e-4 it is probably wrong.

Gradients are checked at finite points only, and only where ``x + eps`` and
``x - eps`` differ from ``x`` in float64 (for eps = 1e-6: |x| below about
4e9); elsewhere a clear ValueError says so instead of a meaningless 0.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

import numpy as np

from helpers._validate import number, real_array, require_finite

__all__ = [
    "GradcheckReport",
    "GradcheckRow",
    "check_derivative",
    "gradcheck",
    "numerical_gradient",
    "numerical_gradient_of",
    "relative_error",
]


def numerical_gradient(f, x, eps=1e-6):
    """Central-difference gradient of ``f()`` with respect to the array ``x``.

    Parameters
    ----------
    f : callable
        ``f()`` -> float.  Takes no arguments and reads ``x`` by closure.
    x : ndarray of float64, any shape
        Perturbed in place, one element at a time, and restored exactly.
    eps : float, default 1e-6
        Step size.

    Returns
    -------
    grad : ndarray of float64, same shape as ``x``
        ``grad[i] = (f() at x[i] + eps  -  f() at x[i] - eps) / (2 * eps)``.

    Examples
    --------
    >>> w = np.array([1.0, 2.0])
    >>> numerical_gradient(lambda: float(np.sum(w ** 2)), w)  # doctest: +SKIP
    array([2., 4.])
    """
    _check_float_array(x, "x")
    number(eps, "eps", 0.0, low_open=True)
    grad = np.zeros_like(x)
    for index in np.ndindex(x.shape):
        grad[index] = _partial_derivative(f, x, index, eps)
    return grad


def numerical_gradient_of(f, x, eps=1e-6):
    """Central-difference gradient of ``f(x)``; ``x`` itself is not modified.

    Parameters
    ----------
    f : callable
        ``f(x)`` -> float.
    x : array_like of float, any shape
    eps : float, default 1e-6

    Returns
    -------
    grad : ndarray of float64, same shape as ``x``
    """
    x_copy = np.array(x, dtype=np.float64)
    return numerical_gradient(lambda: f(x_copy), x_copy, eps)


def relative_error(a, b, eps=1e-12):
    """Largest elementwise relative error between two arrays (CS231n form).

    ``max over elements of |a - b| / max(eps, |a| + |b|)``.  The result lies
    in [0, 1]; it is symmetric in ``a`` and ``b`` and 0 when they are equal.
    ``eps`` only matters where both values are (nearly) zero.

    Parameters
    ----------
    a, b : array_like of float, same shape
    eps : float, default 1e-12

    Returns
    -------
    float
    """
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        raise ValueError(f"shapes differ: a has shape {a.shape}, b has shape {b.shape}")
    for arr, name in ((a, "a"), (b, "b")):
        if not np.all(np.isfinite(arr)):
            raise ValueError(f"{name} contains NaN or inf at index {_first_bad(arr)}")
    if a.size == 0:
        return 0.0
    return float(np.max(_elementwise_relative_error(a, b, eps)))


def _elementwise_relative_error(a, b, eps):
    # Halving both sides leaves the ratio unchanged but keeps |a| + |b|
    # from overflowing for values near the float64 maximum.
    a, b = a / 2, b / 2
    return np.abs(a - b) / np.maximum(eps / 2, np.abs(a) + np.abs(b))


def check_derivative(f, df, z, eps=1e-6):
    """Check the derivative of an elementwise function (e.g. an activation).

    Parameters
    ----------
    f : callable
        Elementwise function, ``f(z)`` -> array of ``z``'s shape.
    df : callable
        Its claimed derivative, ``df(z)`` -> array of ``z``'s shape.
    z : array_like of float, any shape
        Points to check.  Avoid kinks (ReLU at 0), where no derivative exists.
    eps : float, default 1e-6

    Returns
    -------
    float
        ``relative_error(df(z), (f(z + eps) - f(z - eps)) / (2 * eps))``.
    """
    z = real_array(z, "z").astype(np.float64, copy=False)
    require_finite(z, "z")
    number(eps, "eps", 0.0, low_open=True)
    lost = (z + eps == z) | (z - eps == z)
    if np.any(lost):
        index = tuple(int(i) for i in np.argwhere(lost)[0])
        raise ValueError(_lost_step(eps, f"z{list(index)}" if index else "z", z[index]))
    f_plus, f_minus = np.asarray(f(z + eps), dtype=np.float64), np.asarray(f(z - eps), dtype=np.float64)
    analytic = np.asarray(df(z), dtype=np.float64)
    if analytic.shape != z.shape or f_plus.shape != z.shape or f_minus.shape != z.shape:
        raise ValueError(
            f"f and df must be elementwise: z has shape {z.shape}, "
            f"f(z) has shape {f_plus.shape}, df(z) has shape {analytic.shape}"
        )
    for values, what in ((f_plus, "f(z + eps)"), (f_minus, "f(z - eps)"), (analytic, "df(z)")):
        if not np.all(np.isfinite(values)):
            index = _first_bad(values)
            raise ValueError(f"{what} is {values[index]} at z = {z[index]} (index {index}); "
                             "a derivative can only be checked where f and df are finite")
    numeric = (f_plus - f_minus) / (2 * eps)
    return relative_error(analytic, numeric)


@dataclass(frozen=True)
class GradcheckRow:
    """Result for one parameter tensor (see :func:`gradcheck`).

    Attributes
    ----------
    name : str
    shape : tuple of int
    rel_error : float
        Largest relative error over the checked elements.
    worst_index : tuple of int
        Index of the element with that error.
    analytic, numeric : float
        The two gradient values at ``worst_index``.
    n_checked : int
        Number of elements checked.
    passed : bool
        ``rel_error < tol``.
    """

    name: str
    shape: tuple
    rel_error: float
    worst_index: tuple
    analytic: float
    numeric: float
    n_checked: int
    passed: bool


@dataclass(frozen=True)
class GradcheckReport:
    """Rows of a gradient check, one per tensor, and the tolerance used.

    ``report.ok`` is True when every tensor passed; ``report["W1"]`` gives
    the row of tensor ``"W1"``; ``print(report)`` shows a table.
    """

    rows: tuple
    tol: float

    @property
    def ok(self):
        """True if every tensor passed."""
        return all(row.passed for row in self.rows)

    def __getitem__(self, name):
        for row in self.rows:
            if row.name == name:
                return row
        raise KeyError(f"no tensor named {name!r}; tensors are {[row.name for row in self.rows]}")

    def _table(self):
        header = ("tensor", "shape", "rel. error", "worst index", "analytic", "numeric", "checked", "result")
        lines = [
            (
                row.name,
                str(row.shape),
                f"{row.rel_error:.2e}",
                str(row.worst_index),
                f"{row.analytic:.6e}",
                f"{row.numeric:.6e}",
                str(row.n_checked),
                "PASS" if row.passed else "FAIL",
            )
            for row in self.rows
        ]
        return header, lines

    def __str__(self):
        header, lines = self._table()
        widths = [max(len(r[i]) for r in [header, *lines]) for i in range(len(header))]
        text = ["  ".join(cell.ljust(w) for cell, w in zip(r, widths)).rstrip() for r in [header, *lines]]
        verdict = "all passed" if self.ok else "SOME FAILED"
        text.append(f"tolerance {self.tol:.0e}: {verdict}")
        return "\n".join(text)

    def _repr_html_(self):
        header, lines = self._table()
        head = "".join(f"<th>{escape(h)}</th>" for h in header)
        body = "".join(
            "<tr>" + "".join(f"<td>{escape(cell)}</td>" for cell in line) + "</tr>" for line in lines
        )
        verdict = "all passed" if self.ok else "<b>SOME FAILED</b>"
        return (
            f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
            f"<p>tolerance {self.tol:.0e}: {verdict}</p>"
        )


def gradcheck(loss_fn, params, grads, eps=1e-6, tol=1e-7, max_checks_per_tensor=None, seed=0):
    """Compare analytic gradients with central differences, tensor by tensor.

    Parameters
    ----------
    loss_fn : callable
        ``loss_fn()`` -> float.  Takes no arguments and must read the arrays
        in ``params`` themselves (not copies): they are perturbed in place
        and restored exactly.
    params : dict of str -> ndarray of float64
        The parameters, e.g. ``{"W1": W1, "b1": b1}``.
    grads : dict of str -> ndarray
        The analytic gradients, same keys and shapes as ``params``.
    eps : float, default 1e-6
        Step of the central differences.
    tol : float, default 1e-7
        A tensor passes if its relative error is below ``tol``.
    max_checks_per_tensor : int, optional
        Check only this many randomly chosen elements of each larger tensor
        (numerical gradients cost two loss evaluations per element).
        ``None`` checks every element.
    seed : int, default 0
        Seed for choosing the elements when ``max_checks_per_tensor`` is set.

    Returns
    -------
    GradcheckReport
        One row per tensor: relative error (:func:`relative_error` over the
        checked elements), the index where it is largest, the analytic and
        numeric gradient there, and PASS/FAIL.
    """
    if set(params) != set(grads):
        raise ValueError(
            f"params and grads must have the same keys; missing from grads: "
            f"{sorted(set(params) - set(grads))}, extra in grads: {sorted(set(grads) - set(params))}"
        )
    if max_checks_per_tensor is not None and max_checks_per_tensor < 1:
        raise ValueError(f"max_checks_per_tensor must be None or >= 1, got {max_checks_per_tensor}")
    number(eps, "eps", 0.0, low_open=True)
    number(tol, "tol", 0.0, low_open=True)
    analytic = {}  # copies, taken before loss_fn runs (it might overwrite grads)
    for name, x in params.items():
        _check_float_array(x, f"params[{name!r}]")
        analytic[name] = np.array(real_array(grads[name], f"grads[{name!r}]"), dtype=np.float64)
        if analytic[name].shape != x.shape:
            raise ValueError(f"grads[{name!r}] has shape {analytic[name].shape}, params[{name!r}] has shape {x.shape}")
        if not np.all(np.isfinite(analytic[name])):
            raise ValueError(f"grads[{name!r}] contains NaN or inf at index {_first_bad(analytic[name])}")
    rng = np.random.default_rng(seed)
    rows = [
        _check_tensor(name, loss_fn, x, analytic[name], eps, tol, max_checks_per_tensor, rng)
        for name, x in params.items()
    ]
    return GradcheckReport(rows=tuple(rows), tol=tol)


def _check_tensor(name, loss_fn, x, analytic, eps, tol, max_checks, rng):
    """Gradcheck one tensor and summarise it as a GradcheckRow."""
    flat = np.arange(x.size)
    if max_checks is not None and x.size > max_checks:
        flat = np.sort(rng.choice(x.size, size=max_checks, replace=False))
    if flat.size == 0:  # an empty tensor has nothing to check
        return GradcheckRow(name, x.shape, 0.0, (), float("nan"), float("nan"), 0, True)
    indices = [np.unravel_index(i, x.shape) for i in flat]
    numeric = np.array([_partial_derivative(loss_fn, x, index, eps) for index in indices])
    picked = np.array([analytic[index] for index in indices])
    errors = _elementwise_relative_error(picked, numeric, 1e-12)
    worst = int(np.argmax(errors))
    return GradcheckRow(
        name=name,
        shape=tuple(x.shape),
        rel_error=float(errors[worst]),
        worst_index=tuple(int(i) for i in indices[worst]),
        analytic=float(picked[worst]),
        numeric=float(numeric[worst]),
        n_checked=len(indices),
        passed=bool(errors[worst] < tol),
    )


def _partial_derivative(f, x, index, eps):
    """Central difference of ``f()`` in the single element ``x[index]``."""
    old = x[index]
    if old + eps == old or old - eps == old:
        raise ValueError(_lost_step(eps, f"the element at index {tuple(int(i) for i in index)}", old))
    try:
        x[index] = old + eps
        f_plus = _scalar(f(), "the function")
        x[index] = old - eps
        f_minus = _scalar(f(), "the function")
    finally:
        x[index] = old  # restore exactly, even if f raised
    return (f_plus - f_minus) / (2.0 * eps)


def _check_float_array(x, name):
    if not isinstance(x, np.ndarray):
        raise TypeError(f"{name} must be a numpy array (it is changed in place), got {type(x).__name__}")
    if x.dtype != np.float64:
        raise TypeError(f"{name} must have dtype float64 to be nudged by eps, got dtype {x.dtype}")
    if not x.flags.writeable:
        raise ValueError(f"{name} is read-only; it must be writeable to be perturbed in place")
    require_finite(x, name, "; a gradient can only be checked at a finite point")


def _lost_step(eps, name, value):
    """Message for a point where x + eps or x - eps rounds back to x (0 / 0 or a one-sided step)."""
    return (f"eps = {eps:g} is too small next to {name} = {value:g}: x + eps rounds back to x in "
            f"float64. Check gradients at moderate values (|x| below about {eps * 2 ** 52:.0e} for "
            "this eps) or use a larger eps.")


def _scalar(value, what):
    value = np.asarray(value, dtype=np.float64)
    if value.size != 1:
        raise ValueError(f"{what} must return a scalar, got an array of shape {value.shape}")
    value = float(value.reshape(()))
    if not np.isfinite(value):
        raise ValueError(f"{what} returned {value}; the loss must be finite")
    return value


def _first_bad(arr):
    return tuple(int(i) for i in np.argwhere(~np.isfinite(arr))[0])
