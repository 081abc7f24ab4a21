"""Unit tests for helpers.data."""

import dataclasses
import time

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression, Perceptron
from sklearn.svm import SVC

from helpers.data import (
    PARAMETRIC_TESTS,
    TEST_UNITS,
    ParametricTestData,
    Split,
    logic_gate,
    make_parametric_tests,
    shmoo_slice,
    standardize,
    train_val_test_split,
)


@pytest.fixture(scope="module")
def data():
    return make_parametric_tests(seed=0)


# --- logic_gate -------------------------------------------------------------


@pytest.mark.parametrize(
    "name, expected",
    [("AND", [0, 0, 0, 1]), ("OR", [0, 1, 1, 1]), ("NAND", [1, 1, 1, 0]), ("NOR", [1, 0, 0, 0]), ("XOR", [0, 1, 1, 0])],
)
def test_logic_gate_truth_tables(name, expected):
    X, y = logic_gate(name)
    assert X.dtype == np.float64 and X.shape == (4, 2)
    assert y.dtype == np.int64 and y.shape == (4,)
    np.testing.assert_array_equal(X, [[0, 0], [0, 1], [1, 0], [1, 1]])
    np.testing.assert_array_equal(y, expected)


def test_logic_gate_is_case_insensitive():
    np.testing.assert_array_equal(logic_gate("xor")[1], logic_gate("XOR")[1])
    np.testing.assert_array_equal(logic_gate("Nand")[1], logic_gate("NAND")[1])


def test_logic_gate_unknown_name_lists_valid_names():
    with pytest.raises(ValueError, match="XNOR") as err:
        logic_gate("XNOR")
    for valid in ("AND", "OR", "NAND", "NOR", "XOR"):
        assert valid in str(err.value)
    with pytest.raises(TypeError, match="str"):
        logic_gate(1)


# --- constants ----------------------------------------------------------------


def test_parametric_test_names_and_units():
    assert isinstance(PARAMETRIC_TESTS, tuple) and len(PARAMETRIC_TESTS) == 20
    assert len(set(PARAMETRIC_TESTS)) == 20
    assert set(TEST_UNITS) == set(PARAMETRIC_TESTS)
    assert all(isinstance(u, str) and u for u in TEST_UNITS.values())
    assert PARAMETRIC_TESTS[:2] == ("Vdd_min", "freq_max")
    assert TEST_UNITS["Vdd_min"] == "V" and TEST_UNITS["freq_max"] == "MHz"


# --- make_parametric_tests: shapes, determinism ---------------------------------


def test_shapes_and_dtypes(data):
    assert isinstance(data, ParametricTestData)
    assert data.X.shape == (5000, 20) and data.X.dtype == np.float64
    for arr, dtype in ((data.y, np.int64), (data.p_fail, np.float64), (data.wafer, np.int64), (data.lot, np.int64)):
        assert arr.shape == (5000,) and arr.dtype == dtype
    assert data.feature_names == list(PARAMETRIC_TESTS)
    assert data.units == [TEST_UNITS[n] for n in PARAMETRIC_TESTS]
    assert set(np.unique(data.y)) == {0, 1}
    assert np.all(np.isfinite(data.X))
    assert np.all((data.p_fail >= 0) & (data.p_fail <= 1))


def test_values_are_physically_plausible(data):
    col = {n: data.X[:, j] for j, n in enumerate(data.feature_names)}
    assert 0.6 < col["Vdd_min"].mean() < 0.9 and 1.1 < col["Vdd_max"].mean() < 1.5
    assert np.all(col["Vdd_min"] < col["Vdd_max"])
    assert np.all(col["Vth_p"] < 0) and np.all(col["Vth_n"] > 0)
    for name in ("leakage", "IDDQ", "Idd_standby", "Idd_active", "freq_max"):
        assert np.all(col[name] > 0), name
    assert 20 < col["temperature"].mean() < 110


def test_dataclass_is_frozen(data):
    with pytest.raises(dataclasses.FrozenInstanceError):
        data.y = None


def test_same_seed_same_data_different_seed_different_data():
    a, b, c = (make_parametric_tests(n_devices=500, seed=s) for s in (3, 3, 4))
    for field in ("X", "y", "p_fail", "wafer", "lot"):
        np.testing.assert_array_equal(getattr(a, field), getattr(b, field))
    assert not np.allclose(a.X, c.X)
    assert not np.allclose(a.p_fail, c.p_fail)


def test_X_does_not_depend_on_fail_rate_or_noise():
    a = make_parametric_tests(n_devices=300, seed=1)
    b = make_parametric_tests(n_devices=300, seed=1, fail_rate=0.1, label_noise=0.2)
    np.testing.assert_array_equal(a.X, b.X)


@pytest.mark.parametrize("n_tests", [2, 7, 20])
def test_n_tests_selects_first_columns(n_tests):
    full = make_parametric_tests(n_devices=200, seed=2)
    part = make_parametric_tests(n_devices=200, n_tests=n_tests, seed=2)
    assert part.X.shape == (200, n_tests)
    assert part.feature_names == list(PARAMETRIC_TESTS[:n_tests])
    assert len(part.units) == n_tests
    np.testing.assert_array_equal(part.X, full.X[:, :n_tests])
    np.testing.assert_array_equal(part.p_fail, full.p_fail)


def test_generation_is_fast():
    best = min(_timed(make_parametric_tests) for _ in range(3))
    assert best < 0.05, f"generating 5000 x 20 took {best * 1e3:.1f} ms"


def _timed(fn):
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


# --- make_parametric_tests: labels ------------------------------------------------


@pytest.mark.parametrize("fail_rate", [0.02, 0.15, 0.3, 0.5, 0.85])
@pytest.mark.parametrize("seed", [0, 1])
def test_fail_rate_is_calibrated(fail_rate, seed):
    d = make_parametric_tests(n_devices=2000, fail_rate=fail_rate, seed=seed)
    assert abs(d.p_fail.mean() - fail_rate) < 0.005
    assert abs(d.y.mean() - fail_rate) < 4 * np.sqrt(fail_rate * (1 - fail_rate) / 2000) + 0.005


def test_label_noise_flips_probabilities():
    clean = make_parametric_tests(n_devices=1000, fail_rate=0.2, seed=5)
    noisy = make_parametric_tests(n_devices=1000, fail_rate=0.2, label_noise=0.1, seed=5)
    p = clean.p_fail
    np.testing.assert_allclose(noisy.p_fail, 0.9 * p + 0.1 * (1 - p))
    assert noisy.p_fail.min() >= 0.1 - 1e-12 and noisy.p_fail.max() <= 0.9 + 1e-12
    assert abs(noisy.p_fail.mean() - (0.8 * 0.2 + 0.1)) < 0.005  # (1 - 2 noise) rate + noise
    assert noisy.expected_bayes_accuracy < clean.expected_bayes_accuracy - 0.05


def test_bayes_accuracy_properties(data):
    assert data.bayes_accuracy == pytest.approx(np.mean(data.y == (data.p_fail > 0.5)))
    assert data.expected_bayes_accuracy == pytest.approx(np.mean(np.maximum(data.p_fail, 1 - data.p_fail)))
    assert isinstance(data.bayes_accuracy, float)
    assert 0.93 <= data.bayes_accuracy <= 0.98
    assert abs(data.bayes_accuracy - data.expected_bayes_accuracy) < 0.02


def test_tests_only_probability_is_the_oracle_averaged_over_the_hidden_defect():
    """p_fail_tests is calibrated against the oracle and the labels, and knows less than the oracle."""
    d = make_parametric_tests(n_devices=40000, n_wafers=2000, seed=3)
    q = d.p_fail_tests
    assert q.dtype == np.float64 and q.shape == d.p_fail.shape and np.all((q > 0) & (q < 1))
    # Within bins of q, the oracle's p_fail and the observed labels average to q
    # (E[p_fail | tests] = q): checked against the generator's own draws, not the formula.
    bins = np.digitize(q, np.linspace(0.1, 0.9, 9))
    for b in np.unique(bins):
        inside = bins == b
        n = inside.sum()
        if n < 500:
            continue
        assert abs(d.p_fail[inside].mean() - q[inside].mean()) < 0.03, (b, n)
        assert abs(d.y[inside].mean() - q[inside].mean()) < 4 * np.sqrt(0.25 / n) + 0.03, (b, n)
    # Less sharp than the oracle: the hidden defect is information the tests do not have.
    assert d.expected_tests_only_accuracy < d.expected_bayes_accuracy - 0.003
    assert d.tests_only_accuracy < d.bayes_accuracy


def test_tests_only_probability_follows_label_noise_and_is_deterministic():
    clean = make_parametric_tests(n_devices=1000, fail_rate=0.2, seed=5)
    noisy = make_parametric_tests(n_devices=1000, fail_rate=0.2, label_noise=0.1, seed=5)
    np.testing.assert_allclose(noisy.p_fail_tests, 0.9 * clean.p_fail_tests + 0.1 * (1 - clean.p_fail_tests))
    again = make_parametric_tests(n_devices=1000, fail_rate=0.2, seed=5)
    np.testing.assert_array_equal(again.p_fail_tests, clean.p_fail_tests)
    assert clean.tests_only_accuracy == pytest.approx(np.mean(clean.y == (clean.p_fail_tests > 0.5)))
    assert clean.expected_tests_only_accuracy == pytest.approx(
        np.mean(np.maximum(clean.p_fail_tests, 1 - clean.p_fail_tests)))


def test_failures_are_nonlinear_in_the_tests(data):
    """Logistic regression must stay well below the Bayes accuracy."""
    split = train_val_test_split(data.X, data.y, seed=0)
    X_train, X_test, _ = standardize(split.X_train, split.X_test)
    accuracy = LogisticRegression(max_iter=1000).fit(X_train, split.y_train).score(X_test, split.y_test)
    assert 0.82 <= accuracy <= data.bayes_accuracy - 0.05


# --- make_parametric_tests: wafers ------------------------------------------------


def test_wafer_and_lot_ids(data):
    np.testing.assert_array_equal(np.unique(data.wafer), np.arange(50))
    np.testing.assert_array_equal(np.bincount(data.wafer), np.full(50, 100))
    np.testing.assert_array_equal(data.lot, data.wafer // 5)
    d = make_parametric_tests(n_devices=103, n_wafers=10, seed=0)
    assert np.bincount(d.wafer).min() >= 10 and np.bincount(d.wafer).max() <= 11


def _pair_correlations(Z, groups):
    """Mean product of z-scores over pairs in the same group / in different groups."""
    same, n_same, group_sums_sq = 0.0, 0, 0.0
    for g in np.unique(groups):
        z = Z[groups == g]
        s = z.sum(axis=0)
        same += s**2 - (z**2).sum(axis=0)
        n_same += len(z) * (len(z) - 1)
        group_sums_sq += s**2
    n = len(Z)
    different = (Z.sum(axis=0) ** 2 - group_sums_sq) / (n * (n - 1) - n_same)
    return same / n_same, different


def test_dies_of_one_wafer_are_more_alike(data):
    Z = (data.X - data.X.mean(axis=0)) / data.X.std(axis=0)
    same, different = _pair_correlations(Z, data.wafer)
    assert same.mean() > 0.1
    assert np.all(same[:16] > different[:16] + 0.05)  # tests driven by process factors
    assert abs(different.mean()) < 0.02


# --- make_parametric_tests: bad input ----------------------------------------------


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(n_tests=1), "n_tests"),
        (dict(n_tests=21), "n_tests"),
        (dict(n_devices=0), "n_devices"),
        (dict(fail_rate=0.0), "fail_rate"),
        (dict(fail_rate=1.0), "fail_rate"),
        (dict(fail_rate=float("nan")), "fail_rate"),
        (dict(label_noise=0.5), "label_noise"),
        (dict(label_noise=-0.1), "label_noise"),
        (dict(n_devices=10, n_wafers=20), "n_wafers"),
        (dict(n_wafers=0), "n_wafers"),
    ],
)
def test_bad_arguments_raise_value_error(kwargs, match):
    with pytest.raises(ValueError, match=match):
        make_parametric_tests(**kwargs)


def test_non_integer_sizes_raise_type_error():
    with pytest.raises(TypeError, match="n_devices must be an int, got float"):
        make_parametric_tests(n_devices=100.0)


# --- shmoo_slice --------------------------------------------------------------------


@pytest.mark.parametrize("seed", range(5))
def test_shmoo_slice_shapes_and_balance(seed):
    d = make_parametric_tests(seed=seed)
    X, y = shmoo_slice(d)
    assert X.dtype == np.float64 and X.ndim == 2 and X.shape[1] == 2
    assert y.dtype == np.int64 and y.shape == (len(X),)
    assert 0.8 * len(d.y) < len(X) < len(d.y)
    assert 0.2 <= y.mean() <= 0.8


@pytest.mark.parametrize("seed", range(3))
def test_shmoo_slice_is_linearly_separable(seed):
    X, y = shmoo_slice(make_parametric_tests(seed=seed))
    perceptron = Perceptron(max_iter=1000, tol=None, random_state=0).fit(X, y)
    assert perceptron.score(X, y) == 1.0


@pytest.mark.parametrize("margin", [0.1, 0.25, 0.5])
def test_shmoo_slice_margin_is_respected(margin):
    X, y = shmoo_slice(make_parametric_tests(n_devices=400, seed=1), margin=margin)
    svm = SVC(kernel="linear", C=1e6).fit(X, y)  # (nearly) hard-margin SVM
    assert svm.score(X, y) == 1.0
    w, b = svm.coef_[0], svm.intercept_[0]
    distances = (2 * y - 1) * (X @ w + b) / np.linalg.norm(w)
    assert distances.min() >= margin - 1e-6


def test_shmoo_slice_definition(data):
    X_all, y_all = shmoo_slice(data, margin=0.0)
    raw = data.X[:, :2]
    np.testing.assert_allclose(X_all, (raw - raw.mean(axis=0)) / raw.std(axis=0))
    # Failing devices need more voltage and reach lower frequencies.
    assert X_all[y_all == 1, 0].mean() > X_all[y_all == 0, 0].mean()
    assert X_all[y_all == 1, 1].mean() < X_all[y_all == 0, 1].mean()
    # A wider guard band removes more devices.
    sizes = [len(shmoo_slice(data, margin=m)[1]) for m in (0.0, 0.25, 0.5, 1.0)]
    assert sizes == sorted(sizes, reverse=True) and sizes[0] == len(data.y)


def test_shmoo_slice_bad_input(data):
    with pytest.raises(ValueError, match="margin"):
        shmoo_slice(data, margin=-0.1)
    with pytest.raises(TypeError, match="ParametricTestData"):
        shmoo_slice(data.X)
    other = dataclasses.replace(data, feature_names=["a"] * 20)
    with pytest.raises(ValueError, match="Vdd_min"):
        shmoo_slice(other)


# --- train_val_test_split -------------------------------------------------------


def test_split_sizes_and_disjointness():
    n = 1000
    X, y = np.arange(n)[:, None], np.arange(n) % 4 == 0
    split = train_val_test_split(X, y, sizes=(0.7, 0.1, 0.2), seed=0)
    assert isinstance(split, Split)
    assert split._fields == ("X_train", "X_val", "X_test", "y_train", "y_val", "y_test")
    assert [len(part) for part in split[:3]] == [700, 100, 200]
    ids = [part[:, 0] for part in split[:3]]
    np.testing.assert_array_equal(np.sort(np.concatenate(ids)), np.arange(n))
    for ids_part, y_part in zip(ids, split[3:]):
        np.testing.assert_array_equal(y_part, y[ids_part])


def test_split_is_stratified():
    d = make_parametric_tests(n_devices=2000, fail_rate=0.15, seed=0)
    split = train_val_test_split(d.X, d.y, seed=3)
    for y_part in split[3:]:
        assert abs(y_part.mean() - d.y.mean()) < 0.005


def test_split_is_deterministic():
    X, y = np.arange(200)[:, None], np.arange(200) % 2
    a, b, c = (train_val_test_split(X, y, seed=s) for s in (1, 1, 2))
    for part_a, part_b in zip(a, b):
        np.testing.assert_array_equal(part_a, part_b)
    assert not np.array_equal(a.X_train, c.X_train)


def test_split_with_groups_keeps_groups_together(data):
    ids = np.arange(len(data.y))[:, None]
    split = train_val_test_split(ids, data.y, groups=data.wafer, seed=0)
    wafers = [set(data.wafer[part[:, 0]]) for part in split[:3]]
    assert not (wafers[0] & wafers[1] or wafers[0] & wafers[2] or wafers[1] & wafers[2])
    assert len(wafers[0] | wafers[1] | wafers[2]) == 50
    assert [len(part) for part in split[:3]] == [3000, 1000, 1000]


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(sizes=(0.6, 0.2, 0.1)), "sum"),
        (dict(sizes=(0.8, 0.2)), "3 positive"),
        (dict(sizes=(1.0, 0.0, 0.0)), "positive"),
        (dict(y=np.zeros(9)), r"\(10, 1\).*\(9,\)"),
        (dict(groups=np.zeros(5)), "groups"),
        (dict(groups=np.arange(10) % 2), "only 2 groups"),
        (dict(sizes=(0.9, 0.05, 0.05)), "leave a part empty"),
        (dict(y=np.zeros((10, 2))), "1-D"),
    ],
)
def test_split_bad_input(kwargs, match):
    args = dict(X=np.zeros((10, 1)), y=np.arange(10) % 2, stratify=False) | kwargs
    with pytest.raises(ValueError, match=match):
        train_val_test_split(**args)


# --- standardize -----------------------------------------------------------------


def test_standardize_fits_on_train_only():
    rng = np.random.default_rng(0)
    X_train = rng.normal(5.0, 2.0, size=(100, 3))
    X_test = rng.normal(5.0, 2.0, size=(40, 3)) + 10.0
    train_s, test_s, scaler = standardize(X_train, X_test)
    np.testing.assert_allclose(train_s.mean(axis=0), 0.0, atol=1e-12)
    np.testing.assert_allclose(train_s.std(axis=0), 1.0)
    mean, std = X_train.mean(axis=0), X_train.std(axis=0)
    np.testing.assert_allclose(test_s, (X_test - mean) / std)
    assert np.all(test_s.mean(axis=0) > 3)  # test data keep their shift
    np.testing.assert_allclose(scaler.mean_, mean)


def test_standardize_returns_one_array_per_input():
    X = np.arange(12.0).reshape(6, 2)
    out = standardize(X, X, X[:2], X[:1])
    assert len(out) == 5
    assert [a.shape for a in out[:4]] == [(6, 2), (6, 2), (2, 2), (1, 2)]
    assert len(standardize(X)) == 2


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_standardize_rejects_nan_and_inf(bad):
    X = np.ones((4, 2))
    X[2, 1] = bad
    with pytest.raises(ValueError, match=r"X_train contains NaN or inf.*\(2, 1\)"):
        standardize(X)
    with pytest.raises(ValueError, match=r"others\[0\] contains NaN"):
        standardize(np.ones((4, 2)), X)


def test_standardize_bad_shapes_and_types():
    with pytest.raises(ValueError, match=r"2-D.*\(5,\)"):
        standardize(np.ones(5))
    with pytest.raises(ValueError, match="3 features, X_train has 2"):
        standardize(np.ones((4, 2)), np.ones((4, 3)))
    with pytest.raises(TypeError, match="numeric"):
        standardize(np.array([["a", "b"]]))


def test_ceilings_on_rows_match_the_properties_of_the_subset(data):
    rows = np.arange(0, len(data.y), 3)
    c = data.ceilings(rows)
    assert c.oracle == pytest.approx(np.mean(data.y[rows] == (data.p_fail[rows] > 0.5)))
    assert c.tests_only == pytest.approx(np.mean(data.y[rows] == (data.p_fail_tests[rows] > 0.5)))
    q = data.p_fail_tests[rows]
    assert c.expected_tests_only == pytest.approx(np.mean(np.maximum(q, 1 - q)))
    mask = np.zeros(len(data.y), dtype=bool)
    mask[rows] = True
    assert data.ceilings(mask) == c
    assert data.ceilings() == (data.bayes_accuracy, data.tests_only_accuracy, data.expected_tests_only_accuracy)
    with pytest.raises(ValueError, match="boolean mask needs shape"):
        data.ceilings(mask[:-1])
    with pytest.raises(TypeError, match="integer indices or a boolean mask"):
        data.ceilings(rows.astype(float))
