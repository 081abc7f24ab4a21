"""helpers.baselines: the tuned gradient-boosted trees beside the networks (notebooks 03-05)."""

import numpy as np
import pytest

from helpers.baselines import boosted_trees
from helpers.data import make_parametric_tests, standardize


@pytest.fixture(scope="module")
def split():
    devices = make_parametric_tests(n_devices=600, seed=0)
    X_train, X_val, _, _ = standardize(devices.X[:400], devices.X[400:], devices.X[400:])
    return X_train, devices.y[:400], X_val, devices.y[400:]


def test_the_lowest_validation_loss_is_chosen_and_the_inputs_are_left_unchanged(split):
    X_train, y_train, X_val, y_val = split
    kept = [a.copy() for a in split]
    tuned = boosted_trees(X_train, y_train, X_val, y_val, seed=0, learning_rates=(0.01, 0.1, 1.0), rounds=30)
    assert set(tuned.val_loss) == {0.01, 0.1, 1.0}
    assert tuned.learning_rate == min(tuned.val_loss, key=tuned.val_loss.get)
    assert tuned.model.learning_rate == tuned.learning_rate and tuned.model.n_iter_ == 30
    assert tuned.at_edge == (tuned.learning_rate in (0.01, 1.0))
    assert all(np.array_equal(a, b) for a, b in zip(split, kept))


@pytest.mark.parametrize("bad, message", [
    (lambda X, y, Xv, yv: (X[:, 0], y, Xv, yv), r"X_train must have shape \(m, n\)"),
    (lambda X, y, Xv, yv: (X, y[:-1], Xv, yv), r"y_train shape \(m,\)"),
    (lambda X, y, Xv, yv: (X, y, Xv[:, :5], yv), "X_val has 5 features, X_train 20"),
    (lambda X, y, Xv, yv: (np.where(X > 2, np.nan, X), y, Xv, yv), "X_train contains NaN"),
])
def test_bad_inputs_are_named(split, bad, message):
    with pytest.raises(ValueError, match=message):
        boosted_trees(*bad(*split), seed=0, rounds=2)
