"""Reference activation functions for notebooks 03 onward (notebook 02 derives them).

Each takes and returns arrays of the same shape; derivatives are with respect to the input z.
The sigmoid is written so that it neither overflows nor warns for any z, inf included (sigmoid(inf)
is 1). Like NumPy's own functions these are elementwise building blocks: a NaN in z gives NaN at
that position and no error (MLP.forward and the losses reject NaN inputs). Input that is not
numbers (strings, None, objects) raises TypeError.
"""

from __future__ import annotations

import numpy as np

from helpers._validate import real_array

__all__ = ["sigmoid", "sigmoid_grad", "relu", "relu_grad"]


def sigmoid(z):
    """Logistic function 1 / (1 + exp(-z)), numerically stable for any finite z (any shape)."""
    z = real_array(z, "z").astype(np.float64, copy=False)
    # exp of a non-positive number never overflows: use exp(-|z|) on both branches.
    e = np.exp(-np.abs(z))
    d = 1.0 + e
    return np.where(z >= 0, 1.0 / d, e / d)


def sigmoid_grad(z):
    """Derivative of the sigmoid, s(z) (1 - s(z)) (same shape as z)."""
    s = sigmoid(z)
    return s * (1.0 - s)


def relu(z):
    """max(0, z) elementwise (same shape as z)."""
    return np.maximum(0.0, real_array(z, "z").astype(np.float64, copy=False))


def relu_grad(z):
    """Derivative of ReLU: 1 where z > 0, else 0 (the value 0 is chosen at the kink z = 0)."""
    return (real_array(z, "z") > 0).astype(np.float64)
