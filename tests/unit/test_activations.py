"""Reference activations: values, stability at extreme inputs, derivatives vs finite differences."""

import warnings

import numpy as np
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import array_shapes, arrays

from helpers.activations import relu, relu_grad, sigmoid, sigmoid_grad
from helpers.gradcheck import check_derivative


def test_known_values():
    assert np.allclose(sigmoid([0.0, np.log(3.0)]), [0.5, 0.75])
    assert np.array_equal(relu([-2.0, 0.0, 3.0]), [0.0, 0.0, 3.0])
    assert np.array_equal(relu_grad([-2.0, 0.0, 3.0]), [0.0, 0.0, 1.0])


@given(arrays(np.float64, array_shapes(max_dims=3, max_side=6), elements=st.floats(-1e300, 1e300)))
def test_sigmoid_is_finite_in_range_and_silent(z):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        s = sigmoid(z)
    assert s.shape == z.shape and np.all((s >= 0) & (s <= 1))
    assert np.allclose(sigmoid(-z), 1 - s, atol=1e-15)


def test_derivatives_match_finite_differences_away_from_the_kink():
    z = np.linspace(-6, 6, 101) + 0.013   # avoids z = 0 exactly (ReLU's kink)
    assert check_derivative(sigmoid, sigmoid_grad, z) < 1e-7
    assert check_derivative(relu, relu_grad, z) < 1e-7
