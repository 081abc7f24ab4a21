"""Unit tests for helpers.gradcheck."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from helpers.gradcheck import (
    GradcheckReport,
    check_derivative,
    gradcheck,
    numerical_gradient,
    numerical_gradient_of,
    relative_error,
)

# No example database: keep the repository free of a .hypothesis folder.
SETTINGS = settings(max_examples=60, deadline=None, database=None)


def _softmax_cross_entropy_problem(seed=0, n=6, d=4, k=3):
    """Params, a loss reading them, and a function giving exact gradients."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d))
    labels = rng.integers(0, k, size=n)
    params = {"W": 0.5 * rng.standard_normal((d, k)), "b": 0.1 * rng.standard_normal(k)}

    def probabilities():
        logits = X @ params["W"] + params["b"]
        logits -= logits.max(axis=1, keepdims=True)
        e = np.exp(logits)
        return e / e.sum(axis=1, keepdims=True)

    def loss():
        return float(-np.mean(np.log(probabilities()[np.arange(n), labels])))

    def exact_grads():
        dlogits = probabilities()
        dlogits[np.arange(n), labels] -= 1.0
        dlogits /= n
        return {"W": X.T @ dlogits, "b": dlogits.sum(axis=0)}

    return params, loss, exact_grads


# --- numerical_gradient ---------------------------------------------------------


def test_numerical_gradient_of_quadratic():
    rng = np.random.default_rng(0)
    A = rng.standard_normal((5, 5))
    A = A + A.T
    x = rng.standard_normal(5)
    grad = numerical_gradient(lambda: 0.5 * x @ A @ x, x)
    assert relative_error(grad, A @ x) < 1e-7


def test_numerical_gradient_restores_x_exactly():
    x = np.array([[0.1, 1e8, -3.3], [1e-9, 7.0, 0.3]])  # x + eps - eps != x for some of these
    before = x.copy()
    numerical_gradient(lambda: float(np.sum(np.sin(x))), x)
    np.testing.assert_array_equal(x, before)


def test_numerical_gradient_sees_the_perturbation_in_place():
    x = np.zeros(3)
    seen = []
    numerical_gradient(lambda: seen.append(x.copy()) or 0.0, x, eps=0.5)
    assert [s.tolist() for s in seen[:2]] == [[0.5, 0, 0], [-0.5, 0, 0]]


def test_numerical_gradient_of_leaves_x_alone():
    x = np.array([1.0, -2.0, 3.0])
    grad = numerical_gradient_of(lambda v: float(np.sum(v**3)), x)
    np.testing.assert_allclose(grad, 3 * x**2, rtol=1e-8)
    np.testing.assert_array_equal(x, [1.0, -2.0, 3.0])
    np.testing.assert_allclose(numerical_gradient_of(lambda v: float(v @ v), [1, 2]), [2.0, 4.0], rtol=1e-8)


def test_numerical_gradient_bad_input():
    with pytest.raises(TypeError, match="float64.*int64"):
        numerical_gradient(lambda: 0.0, np.arange(3))
    with pytest.raises(TypeError, match="numpy array.*list"):
        numerical_gradient(lambda: 0.0, [1.0, 2.0])
    x = np.ones(3)
    with pytest.raises(ValueError, match=r"scalar.*\(3,\)"):
        numerical_gradient(lambda: x * 2, x)
    with pytest.raises(ValueError, match="finite"), np.errstate(invalid="ignore"):
        numerical_gradient(lambda: np.log(x[0] - 1.0), x)  # log of -eps is NaN
    np.testing.assert_array_equal(x, np.ones(3))  # restored even though f raised
    x.flags.writeable = False
    with pytest.raises(ValueError, match="read-only"):
        numerical_gradient(lambda: 0.0, x)


@SETTINGS
@given(
    hnp.arrays(np.float64, hnp.array_shapes(max_dims=3, max_side=4), elements=st.floats(-100, 100)),
    st.data(),
)
def test_numerical_gradient_of_linear_function_is_its_coefficients(x, data):
    c = data.draw(hnp.arrays(np.float64, x.shape, elements=st.floats(-100, 100)))
    before = x.copy()
    grad = numerical_gradient(lambda: float(np.sum(c * x)), x)
    scale = 1.0 + np.sum(np.abs(c * x)) + np.sum(np.abs(c))
    np.testing.assert_allclose(grad, c, rtol=1e-6, atol=1e-8 * scale * x.size)
    np.testing.assert_array_equal(x, before)


# --- relative_error ---------------------------------------------------------------


def test_relative_error_known_values():
    assert relative_error([1.0, 2.0], [1.0, 2.0]) == 0.0
    assert relative_error(1.0, 1.1) == pytest.approx(0.1 / 2.1)
    assert relative_error([1.0, -1.0], [1.0, 1.0]) == 1.0
    assert relative_error(0.0, 0.0) == 0.0
    assert relative_error(1e-13, 0.0) == pytest.approx(0.1)  # eps floor: |a-b| / 1e-12
    assert relative_error(np.zeros((0, 3)), np.zeros((0, 3))) == 0.0
    assert isinstance(relative_error(1.0, 2.0), float)


@pytest.mark.parametrize(
    "a, b, expected",
    [
        (1.7e308, -1.7e308, 1.0),  # |a| + |b| would overflow
        (1.7e308, 1.7e308, 0.0),
        (5e-324, 0.0, 0.0),  # subnormal: below the eps floor
        (1e-300, 2e-300, 0.0),
        (0.0, -0.0, 0.0),
    ],
)
def test_relative_error_extreme_values(a, b, expected):
    assert relative_error(a, b) == pytest.approx(expected, abs=1e-12)


def test_relative_error_shape_mismatch_names_both_shapes():
    with pytest.raises(ValueError, match=r"\(2, 3\).*\(3, 2\)"):
        relative_error(np.zeros((2, 3)), np.zeros((3, 2)))


def test_relative_error_rejects_nan():
    with pytest.raises(ValueError, match=r"b contains NaN or inf at index \(1,\)"):
        relative_error([1.0, 2.0], [1.0, np.nan])


finite_floats = st.floats(allow_nan=False, allow_infinity=False)  # includes huge, tiny, subnormal, 0.0


@SETTINGS
@given(st.data())
def test_relative_error_is_symmetric_bounded_and_finite(data):
    shape = data.draw(hnp.array_shapes(min_dims=0, max_dims=2, max_side=5))
    a = data.draw(hnp.arrays(np.float64, shape, elements=finite_floats))
    b = data.draw(hnp.arrays(np.float64, shape, elements=finite_floats))
    e = relative_error(a, b)
    assert np.isfinite(e) and 0.0 <= e <= 1.0
    assert e == relative_error(b, a)
    assert relative_error(a, a) == 0.0


# --- check_derivative -------------------------------------------------------------


def test_check_derivative_of_activations():
    z = np.linspace(-4, 4, 41) + 0.05  # avoid the ReLU kink at exactly 0
    sigmoid = lambda t: 1 / (1 + np.exp(-t))  # noqa: E731
    assert check_derivative(sigmoid, lambda t: sigmoid(t) * (1 - sigmoid(t)), z) < 1e-7
    assert check_derivative(np.tanh, lambda t: 1 - np.tanh(t) ** 2, z) < 1e-7
    assert check_derivative(lambda t: np.maximum(t, 0), lambda t: (t > 0).astype(float), z) < 1e-7
    assert check_derivative(np.tanh, lambda t: 1 - np.tanh(t), z) > 0.1  # wrong derivative


def test_check_derivative_rejects_non_elementwise_functions():
    with pytest.raises(ValueError, match="elementwise"):
        check_derivative(np.sum, lambda t: np.ones_like(t), np.ones(3))


# --- gradcheck --------------------------------------------------------------------


def test_gradcheck_quadratic_and_matrix_product():
    rng = np.random.default_rng(1)
    X, G = rng.standard_normal((5, 3)), rng.standard_normal((5, 4))
    params = {"W": rng.standard_normal((3, 4)), "v": rng.standard_normal(7)}

    def loss():  # linear in W through a matrix product, quadratic in v
        return float(np.sum(G * (X @ params["W"])) + 0.5 * params["v"] @ params["v"])

    report = gradcheck(loss, params, {"W": X.T @ G, "v": params["v"].copy()})
    assert isinstance(report, GradcheckReport) and report.ok
    assert [row.name for row in report.rows] == ["W", "v"]
    assert all(row.rel_error < 1e-7 for row in report.rows)
    assert report["W"].shape == (3, 4) and report["W"].n_checked == 12


def test_gradcheck_softmax_cross_entropy_passes():
    params, loss, exact_grads = _softmax_cross_entropy_problem()
    before = {k: v.copy() for k, v in params.items()}
    report = gradcheck(loss, params, exact_grads())
    assert report.ok, str(report)
    assert max(row.rel_error for row in report.rows) < 1e-7
    for name in params:  # parameters restored exactly
        np.testing.assert_array_equal(params[name], before[name])


def test_gradcheck_reports_wrong_gradient_with_worst_index():
    params, loss, exact_grads = _softmax_cross_entropy_problem()
    grads = exact_grads()
    grads["W"][2, 1] += 0.05
    report = gradcheck(loss, params, grads)
    assert not report.ok
    row = report["W"]
    assert not row.passed and row.worst_index == (2, 1)
    assert row.analytic == grads["W"][2, 1]
    assert row.numeric == pytest.approx(exact_grads()["W"][2, 1], rel=1e-6)
    assert row.rel_error > 1e-3
    assert report["b"].passed


def test_gradcheck_table_text():
    params, loss, exact_grads = _softmax_cross_entropy_problem()
    grads = exact_grads()
    grads["b"][0] *= -1
    text = str(report := gradcheck(loss, params, grads))
    lines = text.splitlines()
    assert lines[0].split() == ["tensor", "shape", "rel.", "error", "worst", "index", "analytic", "numeric", "checked", "result"]
    assert "PASS" in lines[1] and "FAIL" in lines[2]
    column = lines[0].index("result")
    assert lines[1].index("PASS") == column and lines[2].index("FAIL") == column
    assert "SOME FAILED" in lines[-1]
    html = report._repr_html_()
    assert html.startswith("<table>") and "FAIL" in html
    with pytest.raises(KeyError, match="W"):
        report["nope"]


def test_gradcheck_sampling_big_tensors():
    params, loss, exact_grads = _softmax_cross_entropy_problem(d=20, k=5)
    calls = []
    counted = lambda: calls.append(1) or loss()  # noqa: E731
    report = gradcheck(counted, params, exact_grads(), max_checks_per_tensor=10, seed=3)
    assert report.ok
    assert report["W"].n_checked == 10 and report["b"].n_checked == 5
    assert len(calls) == 2 * (10 + 5)
    again = gradcheck(loss, params, exact_grads(), max_checks_per_tensor=10, seed=3)
    assert again["W"].worst_index == report["W"].worst_index


def test_gradcheck_copies_grads_before_calling_loss():
    params, loss, exact_grads = _softmax_cross_entropy_problem()
    grads = exact_grads()

    def loss_that_overwrites_grads():
        grads["W"][...] = 0.0
        grads["b"][...] = 0.0
        return loss()

    assert gradcheck(loss_that_overwrites_grads, params, grads).ok


def test_gradcheck_bad_input():
    x = {"W": np.ones((2, 2))}
    loss = lambda: float(np.sum(x["W"] ** 2))  # noqa: E731
    with pytest.raises(ValueError, match=r"missing from grads: \['W'\], extra in grads: \['V'\]"):
        gradcheck(loss, x, {"V": np.ones((2, 2))})
    with pytest.raises(ValueError, match=r"\(2, 3\).*\(2, 2\)"):
        gradcheck(loss, x, {"W": np.ones((2, 3))})
    with pytest.raises(ValueError, match=r"NaN or inf at index \(1, 0\)"):
        gradcheck(loss, x, {"W": np.array([[1.0, 1.0], [np.nan, 1.0]])})
    with pytest.raises(TypeError, match="float64"):
        gradcheck(loss, {"W": np.ones((2, 2), dtype=np.float32)}, {"W": np.ones((2, 2))})
    with pytest.raises(ValueError, match="max_checks_per_tensor"):
        gradcheck(loss, x, {"W": 2 * x["W"]}, max_checks_per_tensor=0)
