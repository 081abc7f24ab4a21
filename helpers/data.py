"""Datasets and data utilities for the course.

* :func:`logic_gate` -- the four rows of a two-input truth table.
* :func:`make_parametric_tests` -- a synthetic semiconductor wafer-test data set
  (20 parametric tests per device, pass/fail label, wafer and lot ids).
* :func:`shmoo_slice` -- a 2-D, linearly separable "speed screen" slice of it.
* :func:`train_val_test_split` and :func:`standardize` -- thin, checked
  wrappers around scikit-learn.

Every random function takes an explicit ``seed``; nothing here prints or keeps
global state.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
from sklearn.model_selection import GroupShuffleSplit, train_test_split
from sklearn.preprocessing import StandardScaler

from helpers._validate import integer

__all__ = [
    "PARAMETRIC_TESTS",
    "TEST_UNITS",
    "ParametricTestData",
    "Split",
    "logic_gate",
    "make_parametric_tests",
    "shmoo_slice",
    "standardize",
    "train_val_test_split",
]

# --------------------------------------------------------------------------
# Logic gates
# --------------------------------------------------------------------------

_GATES = {
    "AND": (0, 0, 0, 1),
    "OR": (0, 1, 1, 1),
    "NAND": (1, 1, 1, 0),
    "NOR": (1, 0, 0, 0),
    "XOR": (0, 1, 1, 0),
}


def logic_gate(name):
    """Truth table of a two-input logic gate.

    Parameters
    ----------
    name : str
        One of ``"AND"``, ``"OR"``, ``"NAND"``, ``"NOR"``, ``"XOR"``
        (case-insensitive).

    Returns
    -------
    X : ndarray of float64, shape (4, 2)
        The inputs, rows ``[0, 0], [0, 1], [1, 0], [1, 1]``.
    y : ndarray of int64, shape (4,)
        The gate output for each row.
    """
    if not isinstance(name, str):
        raise TypeError(f"name must be a str, got {type(name).__name__}")
    key = name.strip().upper()
    if key not in _GATES:
        raise ValueError(f"unknown gate {name!r}; expected one of {sorted(_GATES)}")
    X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float64)
    y = np.array(_GATES[key], dtype=np.int64)
    return X, y


# --------------------------------------------------------------------------
# Parametric test data
# --------------------------------------------------------------------------

# Latent process factors shared by the tests of one device.
_FACTORS = ("speed", "leakage", "voltage", "thermal")

# name: (unit, centre, spread, log-normal?, loadings on _FACTORS)
# A test's standardized value is  loadings @ factors + measurement noise
# (unit variance overall).  Physical value = centre + spread * value, or
# centre * exp(spread * value) for the log-normal (current-like) tests.
_TEST_SPECS = {
    "Vdd_min": ("V", 0.78, 0.025, False, (-0.60, 0.00, 0.60, 0.00)),
    "freq_max": ("MHz", 1850.0, 60.0, False, (0.80, 0.00, -0.30, -0.20)),
    "Vdd_max": ("V", 1.32, 0.02, False, (0.00, -0.50, -0.40, -0.20)),
    "Idd_active": ("mA", 42.0, 4.0, False, (0.60, 0.40, 0.00, 0.30)),
    "Idd_standby": ("uA", 85.0, 0.25, True, (0.00, 0.85, 0.00, 0.30)),
    "IDDQ": ("uA", 4.0, 0.35, True, (0.00, 0.70, 0.00, 0.20)),
    "leakage": ("nA", 35.0, 0.40, True, (0.00, 0.85, 0.00, 0.30)),
    "temperature": ("degC", 65.0, 8.0, False, (0.10, 0.20, 0.00, 0.90)),
    "Vth_n": ("V", 0.365, 0.012, False, (-0.55, -0.45, 0.00, 0.00)),
    "Vth_p": ("V", -0.390, 0.013, False, (0.50, 0.40, 0.00, 0.00)),
    "ring_osc": ("MHz", 1020.0, 35.0, False, (0.85, 0.00, -0.20, 0.00)),
    "Idsat_n": ("uA/um", 760.0, 25.0, False, (0.80, 0.20, 0.00, 0.00)),
    "Idsat_p": ("uA/um", 390.0, 15.0, False, (0.75, 0.20, 0.00, 0.00)),
    "R_contact": ("ohm", 48.0, 3.0, False, (0.00, 0.00, 0.60, 0.00)),
    "R_via": ("ohm", 2.4, 0.15, False, (0.00, 0.00, 0.50, 0.00)),
    "t_setup": ("ps", 38.0, 3.0, False, (-0.70, 0.00, 0.20, 0.00)),
    "t_hold": ("ps", 14.0, 1.5, False, (-0.30, 0.00, 0.00, 0.00)),
    "PLL_jitter": ("ps", 3.2, 0.15, True, (0.00, 0.00, 0.30, 0.20)),
    "bandgap_ref": ("V", 1.200, 0.006, False, (0.00, 0.00, 0.00, -0.20)),
    "V_OL": ("mV", 165.0, 10.0, False, (0.00, 0.00, 0.40, 0.00)),
}

#: Names of the 20 parametric tests, in column order.
PARAMETRIC_TESTS = tuple(_TEST_SPECS)
#: Unit of each parametric test, e.g. ``TEST_UNITS["Vdd_min"] == "V"``.
TEST_UNITS = {name: spec[0] for name, spec in _TEST_SPECS.items()}

_WAFERS_PER_LOT = 5
# Share of each latent factor's variance that comes from the lot / the wafer;
# the rest varies die to die.
_LOT_VAR, _WAFER_VAR = 0.10, 0.25
# Unit normal of the linear speed screen in the standardized
# (Vdd_min, freq_max) plane: a high Vdd_min and a low freq_max mean "fails".
_SPEED_SCREEN = np.array([0.8, -0.6])
# Steepness of the failure probability (larger = less label ambiguity).
_SHARPNESS = 10.0
# Spread (in logit units) of a hidden wafer-level defect density.
_WAFER_DEFECT_SD = 1.0
# Quadrature nodes for averaging over the hidden defect (p_fail_tests).
_QUADRATURE_NODES = 40


def _sigmoid(z):
    return 0.5 * (1.0 + np.tanh(0.5 * z))  # numerically stable form


def _softplus(z):
    return np.logaddexp(0.0, z)


def _failure_score(S, wafer_defect):
    """Failure logit (before the intercept) of each device, shape (n,).

    ``S`` holds the standardized values of all 20 tests, shape (n, 20).  A
    device fails if ANY of these mechanisms fires -- a smooth OR, the
    log-sum-exp of their margins (> 0 means "fails"):

    1. speed path: ``freq_max`` too low for the device's ``Vdd_min``
       (linear; the same direction as the screen of :func:`shmoo_slice`);
    2. hot leakage: high ``leakage`` matters only at high ``temperature``
       (an interaction);
    3. threshold-voltage window: ``Vth_n`` too far from nominal either way
       (U-shaped);

    plus a hidden defect density shared by all dies of a wafer.
    """
    col = {name: S[:, j] for j, name in enumerate(PARAMETRIC_TESTS)}
    speed_path = _SPEED_SCREEN @ np.stack([col["Vdd_min"], col["freq_max"]])
    hot_leakage = 1.2 * _softplus(2 * col["leakage"] - 0.4) * _softplus(2 * col["temperature"] - 0.4) - 3.5
    vth_window = 0.8 * col["Vth_n"] ** 2 - 3.0
    margins = np.stack([speed_path, hot_leakage, vth_window], axis=1)
    return _SHARPNESS * np.logaddexp.reduce(margins, axis=1) + wafer_defect


def _calibrate_intercept(score, target, tol=1e-6):
    """Intercept b with mean(sigmoid(score + b)) == target (bisection)."""
    lo, hi = -score.max() - 40.0, -score.min() + 40.0
    while hi - lo > tol:
        mid = 0.5 * (lo + hi)
        if _sigmoid(score + mid).mean() < target:
            lo = mid
        else:
            hi = mid
    return 0.5 * (lo + hi)


@dataclass(frozen=True, eq=False)
class ParametricTestData:
    """Synthetic wafer-test data: one row per device (die).

    Attributes
    ----------
    X : ndarray of float64, shape (n_devices, n_tests)
        Test results in physical units (see ``units``).
    y : ndarray of int64, shape (n_devices,)
        Observed label: 1 = device fails, 0 = device passes.
    p_fail : ndarray of float64, shape (n_devices,)
        True probability that the observed label is 1 (label noise included),
        given the device's tests AND its wafer's hidden defect density: what an
        oracle knows.  No model that sees only the tests can reach it.
    p_fail_tests : ndarray of float64, shape (n_devices,)
        The best probability that can be computed from the device's 20 tests
        alone: ``p_fail`` averaged over the hidden wafer defect (label noise
        included).  The ceiling for any model that sees one die's tests.
    feature_names : list of str, length n_tests
    units : list of str, length n_tests
    wafer : ndarray of int64, shape (n_devices,)
        Wafer id, 0 .. n_wafers - 1.
    lot : ndarray of int64, shape (n_devices,)
        Lot id; five consecutive wafers form a lot.
    """

    X: np.ndarray
    y: np.ndarray
    p_fail: np.ndarray
    p_fail_tests: np.ndarray
    feature_names: list
    units: list
    wafer: np.ndarray
    lot: np.ndarray

    @property
    def bayes_accuracy(self):
        """Accuracy of the oracle rule ``p_fail > 0.5`` on this sample (float).

        The oracle also knows each wafer's hidden defect density; no classifier
        can be expected to beat it.  See :attr:`tests_only_accuracy` for the
        ceiling of a model that sees only the tests.
        """
        return float(np.mean(self.y == (self.p_fail > 0.5)))

    @property
    def expected_bayes_accuracy(self):
        """Expected accuracy of the oracle rule, ``mean(max(p, 1 - p))`` (float)."""
        return float(np.mean(np.maximum(self.p_fail, 1.0 - self.p_fail)))

    @property
    def tests_only_accuracy(self):
        """Accuracy of the best rule from the tests alone, ``p_fail_tests > 0.5``, on this sample (float)."""
        return float(np.mean(self.y == (self.p_fail_tests > 0.5)))

    @property
    def expected_tests_only_accuracy(self):
        """Expected accuracy of the tests-only rule, ``mean(max(q, 1 - q))`` with q = ``p_fail_tests``."""
        return float(np.mean(np.maximum(self.p_fail_tests, 1.0 - self.p_fail_tests)))

    def ceilings(self, rows=None):
        """The two ceilings on some of the devices, e.g. a split's test rows.

        Parameters
        ----------
        rows : int index array or boolean mask of shape (n_devices,), or None for all devices

        Returns
        -------
        Ceilings(oracle, tests_only, expected_tests_only), three floats: the accuracy of
        the oracle rule ``p_fail > 0.5`` and of the tests-only rule ``p_fail_tests > 0.5``
        on those rows, and the tests-only rule's expected accuracy there.
        """
        rows = np.arange(len(self.y)) if rows is None else np.asarray(rows)
        if rows.dtype == bool and rows.shape != self.y.shape:
            raise ValueError(f"ceilings: a boolean mask needs shape {self.y.shape}, got {rows.shape}")
        if rows.dtype != bool and not np.issubdtype(rows.dtype, np.integer):
            raise TypeError(f"ceilings: rows must be integer indices or a boolean mask, got dtype {rows.dtype}")
        y, p, q = self.y[rows], self.p_fail[rows], self.p_fail_tests[rows]
        return Ceilings(
            oracle=float(np.mean(y == (p > 0.5))),
            tests_only=float(np.mean(y == (q > 0.5))),
            expected_tests_only=float(np.mean(np.maximum(q, 1.0 - q))),
        )


class Ceilings(NamedTuple):
    """What :meth:`ParametricTestData.ceilings` returns (accuracies, floats)."""

    oracle: float
    tests_only: float
    expected_tests_only: float


def make_parametric_tests(
    n_devices=5000, n_tests=20, fail_rate=0.5, label_noise=0.0, n_wafers=50, seed=0
):
    """Simulate parametric wafer-test results and pass/fail labels.

    Each device gets four latent process factors (speed, leakage,
    supply voltage, thermal), each the sum of a lot offset, a wafer offset and
    a die-to-die part -- so dies of one wafer are more alike than dies of
    different wafers.  The 20 tests mix these factors, add measurement noise
    and are mapped to physical units, so many tests are strongly
    correlated.  Whether a device fails depends
    *nonlinearly* on the tests (speed path, hot leakage, Vth window, see
    ``_failure_score``) and on a hidden wafer-level defect density.

    Parameters
    ----------
    n_devices : int, default 5000
        Number of devices (rows).
    n_tests : int, default 20
        Number of tests (columns), 2 .. 20; the first ``n_tests`` names of
        ``PARAMETRIC_TESTS`` are used.  The failure mechanism always uses
        all 20 tests, so with fewer columns the Bayes accuracy cannot be
        reached from ``X`` alone.
    fail_rate : float, default 0.5
        Mean true failure probability (before label noise), in (0, 1).
    label_noise : float, default 0.0
        Probability, in [0, 0.5), that a label is flipped (tester error).
    n_wafers : int, default 50
        Number of wafers the devices are spread over (equal shares).
    seed : int, default 0
        Seed for ``numpy.random.default_rng``.  Same seed, same data; ``X``
        does not depend on ``fail_rate`` or ``label_noise``.

    Returns
    -------
    ParametricTestData
    """
    n_devices = integer(n_devices, "n_devices", low=1)
    n_tests = integer(n_tests, "n_tests", low=2)
    n_wafers = integer(n_wafers, "n_wafers", low=1)
    if n_tests > len(PARAMETRIC_TESTS):
        raise ValueError(f"n_tests must be between 2 and {len(PARAMETRIC_TESTS)}, got {n_tests}")
    if n_wafers > n_devices:
        raise ValueError(f"n_wafers ({n_wafers}) cannot exceed n_devices ({n_devices})")
    if not 0.0 < fail_rate < 1.0:
        raise ValueError(f"fail_rate must be in (0, 1), got {fail_rate}")
    if not 0.0 <= label_noise < 0.5:
        raise ValueError(f"label_noise must be in [0, 0.5), got {label_noise}")
    rng = np.random.default_rng(seed)

    # Which wafer / lot each device comes from (equal shares, in order).
    wafer = np.arange(n_devices, dtype=np.int64) * n_wafers // n_devices
    lot = wafer // _WAFERS_PER_LOT

    # Latent factors = lot offset + wafer offset + die-to-die variation.
    n_factors = len(_FACTORS)
    lot_offset = rng.standard_normal((lot[-1] + 1, n_factors))
    wafer_offset = rng.standard_normal((n_wafers, n_factors))
    die = rng.standard_normal((n_devices, n_factors))
    factors = (
        np.sqrt(_LOT_VAR) * lot_offset[lot]
        + np.sqrt(_WAFER_VAR) * wafer_offset[wafer]
        + np.sqrt(1.0 - _LOT_VAR - _WAFER_VAR) * die
    )

    # Standardized tests: shared factors + independent measurement noise.
    specs = list(_TEST_SPECS.values())
    loadings = np.array([spec[4] for spec in specs])  # (20, n_factors)
    noise_sd = np.sqrt(1.0 - np.sum(loadings**2, axis=1))
    S = factors @ loadings.T + noise_sd * rng.standard_normal((n_devices, len(specs)))

    # Map to physical units.
    centre = np.array([spec[1] for spec in specs])
    spread = np.array([spec[2] for spec in specs])
    is_log = np.array([spec[3] for spec in specs])
    X = np.where(is_log, centre * np.exp(spread * S), centre + spread * S)

    # True failure probability, calibrated to the requested fail rate.
    wafer_defect = _WAFER_DEFECT_SD * rng.standard_normal(n_wafers)[wafer]
    score = _failure_score(S, wafer_defect)
    intercept = _calibrate_intercept(score, fail_rate)
    p_true = _sigmoid(score + intercept)
    # What the tests alone can know: the same probability averaged over the hidden
    # defect density d ~ N(0, sd^2) (Gauss-Hermite quadrature, exact to ~1e-10 here).
    nodes, weights = np.polynomial.hermite_e.hermegauss(_QUADRATURE_NODES)
    score_tests = score - wafer_defect + intercept
    p_true_tests = _sigmoid(score_tests[:, None] + _WAFER_DEFECT_SD * nodes) @ (weights / weights.sum())
    # A label flips with probability label_noise, so P(observed label = 1) is:
    p_fail = (1.0 - label_noise) * p_true + label_noise * (1.0 - p_true)
    p_fail_tests = (1.0 - label_noise) * p_true_tests + label_noise * (1.0 - p_true_tests)
    y = (rng.random(n_devices) < p_fail).astype(np.int64)

    names = list(PARAMETRIC_TESTS[:n_tests])
    return ParametricTestData(
        X=np.ascontiguousarray(X[:, :n_tests]),
        y=y,
        p_fail=p_fail,
        p_fail_tests=p_fail_tests,
        feature_names=names,
        units=[TEST_UNITS[name] for name in names],
        wafer=wafer,
        lot=lot,
    )


# The speed screen of shmoo_slice: a device fails if
# _SPEED_SCREEN @ [z_Vdd_min, z_freq_max] > _SPEED_SCREEN_OFFSET.
_SPEED_SCREEN_OFFSET = 0.5


def shmoo_slice(data, margin=0.25):
    """Two-feature "speed screen" slice, linearly separable by construction.

    The story: on a shmoo plot of ``Vdd_min`` against ``freq_max`` the test
    engineer draws a straight line.  A device that needs a high supply voltage
    to work at all *and* reaches only a low frequency lies beyond the line and
    fails the speed screen.  Devices closer than ``margin`` to the line are
    too close to call -- they go to retest and are left out of this slice.
    So the two classes are separated by a straight line with a gap of at
    least ``2 * margin``: exactly the setting in which the perceptron is
    guaranteed to converge.

    Parameters
    ----------
    data : ParametricTestData
        Must contain the ``Vdd_min`` and ``freq_max`` columns (any data made
        by :func:`make_parametric_tests` does).
    margin : float, default 0.25
        Guard band, in standardized units (>= 0).

    Returns
    -------
    X : ndarray of float64, shape (m, 2)
        Standardized ``[Vdd_min, freq_max]`` (z-scores computed over all
        devices of ``data``) of the m devices outside the guard band.
    y : ndarray of int64, shape (m,)
        1 = fails the speed screen, 0 = passes.

    Notes
    -----
    The screen is ``0.8 * z_Vdd_min - 0.6 * z_freq_max > 0.5`` (unit normal
    vector), so every kept point is at distance >= ``margin`` from the line.
    """
    if not isinstance(data, ParametricTestData):
        raise TypeError(f"data must be a ParametricTestData, got {type(data).__name__}")
    if not np.isfinite(margin) or margin < 0:
        raise ValueError(f"margin must be a finite number >= 0, got {margin}")
    missing = {"Vdd_min", "freq_max"} - set(data.feature_names)
    if missing:
        raise ValueError(f"data has no column(s) {sorted(missing)}; columns are {data.feature_names}")
    cols = [data.feature_names.index("Vdd_min"), data.feature_names.index("freq_max")]
    Z = StandardScaler().fit_transform(data.X[:, cols])
    distance = Z @ _SPEED_SCREEN - _SPEED_SCREEN_OFFSET  # signed, _SPEED_SCREEN has norm 1
    keep = np.abs(distance) >= margin
    return np.ascontiguousarray(Z[keep]), (distance[keep] > 0).astype(np.int64)


# --------------------------------------------------------------------------
# Splitting and scaling
# --------------------------------------------------------------------------


class Split(NamedTuple):
    """Result of :func:`train_val_test_split` (unpacks like sklearn's output)."""

    X_train: np.ndarray
    X_val: np.ndarray
    X_test: np.ndarray
    y_train: np.ndarray
    y_val: np.ndarray
    y_test: np.ndarray


def train_val_test_split(X, y, sizes=(0.6, 0.2, 0.2), seed=0, stratify=True, groups=None):
    """Split data into training, validation and test parts (scikit-learn).

    Parameters
    ----------
    X : array_like, shape (n_samples, ...)
    y : array_like, shape (n_samples,)
    sizes : tuple of 3 floats, default (0.6, 0.2, 0.2)
        Fractions for train, validation and test; each > 0, summing to 1.
    seed : int, default 0
        ``random_state`` for scikit-learn.
    stratify : bool, default True
        Keep the class proportions of ``y`` in every part.  Ignored when
        ``groups`` is given.
    groups : array_like, shape (n_samples,), optional
        Group label of each sample (e.g. the wafer id).  If given, whole
        groups are assigned to one part (``GroupShuffleSplit``), so no group
        spans two parts; ``sizes`` are then fractions of the groups, and the
        sample fractions are only approximately equal to them.

    Returns
    -------
    Split
        Named tuple ``(X_train, X_val, X_test, y_train, y_val, y_test)``.
    """
    X, y = np.asarray(X), np.asarray(y)
    if y.ndim != 1:
        raise ValueError(f"y must be 1-D with shape (n_samples,), got shape {y.shape}")
    if X.ndim == 0 or len(X) != len(y):
        raise ValueError(f"X and y must have the same number of samples, got X {X.shape} and y {y.shape}")
    sizes = tuple(float(s) for s in sizes)
    if len(sizes) != 3 or min(sizes) <= 0 or abs(sum(sizes) - 1.0) > 1e-9:
        raise ValueError(f"sizes must be 3 positive fractions (train, val, test) summing to 1, got {sizes}")

    if groups is None:
        n_val, n_test = _part_sizes(sizes, len(y), "samples")
        X_rest, X_test, y_rest, y_test = train_test_split(
            X, y, test_size=n_test, random_state=seed, stratify=y if stratify else None
        )
        X_train, X_val, y_train, y_val = train_test_split(
            X_rest, y_rest, test_size=n_val, random_state=seed, stratify=y_rest if stratify else None
        )
        return Split(X_train, X_val, X_test, y_train, y_val, y_test)

    groups = np.asarray(groups)
    if groups.shape != y.shape:
        raise ValueError(f"groups must have shape {y.shape} like y, got {groups.shape}")
    n_val, n_test = _part_sizes(sizes, len(np.unique(groups)), "groups")
    rest, test = next(GroupShuffleSplit(1, test_size=n_test, random_state=seed).split(X, y, groups))
    train, val = next(GroupShuffleSplit(1, test_size=n_val, random_state=seed).split(rest, groups=groups[rest]))
    train, val = rest[train], rest[val]
    return Split(X[train], X[val], X[test], y[train], y[val], y[test])


def _part_sizes(sizes, n, what):
    """Whole numbers of validation and test items for fractions ``sizes``."""
    n_val, n_test = round(sizes[1] * n), round(sizes[2] * n)
    if min(n_val, n_test, n - n_val - n_test) < 1:
        raise ValueError(f"sizes {sizes} leave a part empty with only {n} {what}; need at least 3 {what}")
    return n_val, n_test


def standardize(X_train, *others):
    """Scale features to zero mean and unit variance, using training data only.

    The mean and standard deviation are estimated on ``X_train`` alone and
    then applied unchanged to every other array.  Fitting the scaler on
    validation or test data would let information about them leak into the
    model, making the reported scores optimistic.

    Parameters
    ----------
    X_train : array_like of float, shape (n_train, n_features)
    *others : array_like of float, shape (n_i, n_features)
        Any number of further arrays (validation, test, ...).

    Returns
    -------
    tuple
        ``(X_train_scaled, *others_scaled, scaler)``: float64 arrays of the
        input shapes, then the fitted ``sklearn.preprocessing.StandardScaler``.
        A constant column of ``X_train`` is only centred (scale 1), so it
        becomes 0 there.

    Raises
    ------
    TypeError
        An array does not hold real numbers (strings, objects, complex).
    ValueError
        Wrong shapes, NaN or inf, or values so large that standardizing
        them overflows float64 (variance beyond about 1e308).
    """
    arrays = [_as_finite_2d(X_train, "X_train")]
    arrays += [_as_finite_2d(X, f"others[{i}]") for i, X in enumerate(others)]
    n_features = arrays[0].shape[1]
    for i, X in enumerate(arrays[1:]):
        if X.shape[1] != n_features:
            raise ValueError(f"others[{i}] has {X.shape[1]} features, X_train has {n_features}")
    with np.errstate(over="ignore", invalid="ignore"):  # reported below, naming the column
        scaler = StandardScaler().fit(arrays[0])
        scaled = [scaler.transform(X) for X in arrays]
    # An overflowing variance is inf, which scikit-learn would treat as a constant column (scale 1).
    fitted = np.vstack([scaler.mean_, scaler.var_])
    names = ["X_train", *(f"others[{i}]" for i in range(len(others)))]
    for name, values in [("X_train", fitted), *zip(names, scaled)]:
        if not np.all(np.isfinite(values)):
            column = int(np.argwhere(~np.isfinite(values))[0][1])
            raise ValueError(
                f"standardizing {name} overflows float64 in column {column} (training mean "
                f"{scaler.mean_[column]:.3g}, standard deviation {np.sqrt(scaler.var_[column]):.3g}): "
                "rescale that feature first, e.g. express it in other units"
            )
    return (*scaled, scaler)


def _as_finite_2d(X, name):
    X = np.asarray(X)
    if X.dtype.kind not in "biuf":
        raise TypeError(f"{name} must be numeric (real numbers), got dtype {X.dtype}")
    if X.ndim != 2:
        raise ValueError(f"{name} must be 2-D with shape (n_samples, n_features), got shape {X.shape}")
    X = X.astype(np.float64)
    if not np.all(np.isfinite(X)):
        bad = np.argwhere(~np.isfinite(X))[0]
        raise ValueError(
            f"{name} contains NaN or inf ({np.count_nonzero(~np.isfinite(X))} values, first at index {tuple(bad.tolist())})"
        )
    return X
