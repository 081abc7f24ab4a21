"""Numerical robustness of the helpers under extreme and wrong inputs (issue 6).

Two promises, checked with hypothesis (derandomized: the same examples on every run, no example
database) and with tables of wrong inputs:

1. No NaN/inf leaks. For finite inputs in the documented range every helper returns finite numbers
   without a NumPy warning; where float64 cannot hold the answer it raises a clear error instead
   (FloatingPointError for a diverged or overflowing computation), never a quiet NaN.
2. Clear errors. A wrong shape, dtype, NaN input or impossible label raises TypeError/ValueError
   whose message names the argument and says what was expected.

Properties (documented ranges in brackets):
- activations: finite, in range, monotone and silent for float32 and float64 inputs [|z| <= 1e300,
  all of float32, +-inf]; NaN stays NaN exactly where it was; non-numbers raise TypeError.
- losses: finite, >= 0, gradients finite and bounded [|logits| <= 1e300, labels 0/1 or soft,
  weights in [0, 1e6]]; softmax gradient rows sum to 0.
- MLP: forward and backward finite and silent [|X| <= 1e150, small networks, every activation];
  overflow and NaN parameters raise FloatingPointError naming the cause.
- optimizers: parameters stay finite for gradients from 0 and subnormals up to 1e150 (1e300 for
  SGD); RMSprop and Adam take the same first step for any gradient scale; NaN/inf/too large
  gradients raise FloatingPointError before any parameter changes.
- train: returns finite history and parameters, or raises FloatingPointError - for learning rates
  up to 1e8 and inputs up to 1e100.
- standardize: finite, constant columns become 0 (up to the rounding of their mean), others mean 0
  and sd 1 [|X| <= 1e150]; overflow raises ValueError naming the column.
- gradcheck: finite reports for coefficients from 1e-290 to 1e290; points where x + eps == x raise
  instead of returning a gradient of 0.
- checks: describe never raises and stays short; Checker.array answers anything with PASSED or a
  CheckFailed message, never another exception.

On purpose, one exception to 1.: inside np.errstate(over="ignore") or np.errstate(invalid="ignore")
NaN/inf from overflow pass through logits, dlogits and gradients as in plain NumPy - notebook 05
shows exploding gradients that way - while train() still raises FloatingPointError.
"""

import contextlib
import warnings

import numpy as np
import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from helpers import checks
from helpers.activations import relu, relu_grad, sigmoid, sigmoid_grad
from helpers.data import standardize
from helpers.gradcheck import check_derivative, gradcheck, numerical_gradient, numerical_gradient_of
from helpers.nn import MLP, binary_cross_entropy, softmax_cross_entropy
from helpers.optim import SGD, Adam, RMSprop, cosine_decay, step_decay
from helpers.train import accuracy, minibatches, train

# Deterministic (derandomize) and no .hypothesis folder in the repository (database=None).
ROBUST = settings(derandomize=True, deadline=None, database=None, max_examples=100)


@contextlib.contextmanager
def no_warnings():
    """Any warning - NumPy's RuntimeWarning for overflow or invalid values included - fails."""
    with warnings.catch_warnings(), np.errstate(over="warn", invalid="warn", divide="warn", under="ignore"):
        warnings.simplefilter("error")
        yield


def shapes(min_dims=1, max_dims=3):
    return hnp.array_shapes(min_dims=min_dims, max_dims=max_dims, min_side=0, max_side=5)


# ---------------------------------------------------------------------------------------- activations

@ROBUST
@given(st.one_of(
    hnp.arrays(np.float64, shapes(min_dims=0), elements=st.floats(-1e300, 1e300)),
    hnp.arrays(np.float32, shapes(min_dims=0), elements=st.floats(width=32, allow_nan=False)),
))
def test_activations_are_finite_in_range_monotone_and_silent(z):
    with no_warnings():
        s, ds, r, dr = sigmoid(z), sigmoid_grad(z), relu(z), relu_grad(z)
    for out in (s, ds, r, dr):
        assert out.shape == z.shape and out.dtype == np.float64
    assert np.all(np.isfinite(s)) and np.all((s >= 0) & (s <= 1))
    assert np.all(np.isfinite(ds)) and np.all((ds >= 0) & (ds <= 0.25))
    assert np.array_equal(r, np.maximum(z.astype(np.float64), 0.0))
    assert set(np.unique(dr).tolist()) <= {0.0, 1.0}
    order = np.argsort(z, axis=None)
    assert np.all(np.diff(s.ravel()[order]) >= 0)   # monotone, also where it saturates to 0 and 1


@ROBUST
@given(hnp.arrays(np.float64, shapes(), elements=st.floats(allow_nan=True, allow_infinity=True)))
def test_activations_keep_nan_in_place_and_map_inf_to_the_limits(z):
    with no_warnings():
        s, ds, r, dr = sigmoid(z), sigmoid_grad(z), relu(z), relu_grad(z)
    nan = np.isnan(z)
    assert np.array_equal(np.isnan(s), nan) and np.array_equal(np.isnan(ds), nan)
    assert np.array_equal(np.isnan(r), nan)
    assert not np.isnan(dr).any()                  # z > 0 is False for NaN: derivative 0
    assert np.all(s[z == np.inf] == 1.0) and np.all(s[z == -np.inf] == 0.0)
    assert np.all(ds[np.isinf(z)] == 0.0)


@pytest.mark.parametrize("fn", [sigmoid, sigmoid_grad, relu, relu_grad])
@pytest.mark.parametrize("z", [["0.5", "1"], None, np.array([1 + 2j]), np.array([1.0, None], dtype=object)],
                         ids=["strings", "None", "complex", "object"])
def test_activations_reject_non_numbers_with_a_type_error(fn, z):
    with pytest.raises(TypeError, match=r"z must be numeric \(real numbers.*got dtype"):
        fn(z)


# ---------------------------------------------------------------------------------------------- losses

@ROBUST
@given(st.data())
def test_binary_cross_entropy_is_finite_for_extreme_logits_labels_and_weights(data):
    m = data.draw(st.integers(1, 20), label="m")
    z = data.draw(hnp.arrays(np.float64, m, elements=st.floats(-1e300, 1e300)), label="logits")
    y = data.draw(hnp.arrays(np.float64, m, elements=st.sampled_from([0.0, 1.0]) | st.floats(0, 1)), label="y")
    w = data.draw(st.none() | hnp.arrays(np.float64, m, elements=st.floats(0, 1e6)).filter(lambda w: w.sum() > 0),
                  label="sample_weight")
    with no_warnings():
        loss, grad = binary_cross_entropy(z, y, w)
    assert isinstance(loss, float) and np.isfinite(loss) and loss >= 0
    assert grad.shape == (m,) and np.all(np.isfinite(grad))
    weights = np.ones(m) if w is None else w
    assert np.all(np.abs(grad) <= weights / weights.sum() * (1 + 1e-12))   # |sigmoid - y| <= 1


@ROBUST
@given(st.data())
def test_softmax_cross_entropy_is_finite_for_extreme_logits(data):
    m, k = data.draw(st.integers(1, 8), label="m"), data.draw(st.integers(1, 5), label="K")
    Z = data.draw(hnp.arrays(np.float64, (m, k), elements=st.floats(-1e300, 1e300)), label="logits")
    y = data.draw(hnp.arrays(np.int64, m, elements=st.integers(0, k - 1)), label="y")
    with no_warnings():
        loss, grad = softmax_cross_entropy(Z, y)
    assert isinstance(loss, float) and np.isfinite(loss) and loss >= 0
    assert grad.shape == (m, k) and np.all(np.isfinite(grad))
    assert np.all(np.abs(grad) <= 1.0 / m)
    assert np.allclose(grad.sum(axis=1), 0.0, atol=1e-12)   # softmax sums to 1, minus the one-hot 1


def _bce(z, y, w=None):
    return lambda: binary_cross_entropy(np.asarray(z, dtype=float), np.asarray(y), w)


_NAN, _INF = float("nan"), float("inf")
LOSS_ERRORS = {
    "bce NaN logit": (_bce([_NAN, 0.0], [0, 1]), ValueError, r"logits contains NaN or inf at index \(0,\)"),
    "bce inf logit": (_bce([_INF], [1]), ValueError, r"logits contains NaN or inf"),
    "bce label 2": (_bce([0.0, 0.0], [0, 2]), ValueError, r"y must hold labels 0 or 1 .*got 2\.0 at index 1"),
    "bce NaN label": (_bce([0.0, 0.0], [0, _NAN]), ValueError, r"y must hold labels 0 or 1 .*got nan at index 1"),
    "bce column logits": (_bce(np.zeros((2, 1)), [0, 1]), ValueError, r"shape \(m,\), got \(2, 1\) and \(2,\)"),
    "bce empty": (_bce(np.zeros(0), np.zeros(0)), ValueError, r"empty \(m = 0\)"),
    "bce string labels": (_bce([0.0, 0.0], ["0", "1"]), TypeError, r"y must be numeric"),
    "bce negative weight": (_bce([0.0, 0.0], [0, 1], np.array([1.0, -1.0])), ValueError, r"sample_weight must be >= 0"),
    "bce zero weights": (_bce([0.0, 0.0], [0, 1], np.zeros(2)), ValueError, r"positive, finite sum"),
    "bce NaN weight": (_bce([0.0, 0.0], [0, 1], np.array([1.0, _NAN])), ValueError,
                       r"sample_weight contains NaN or inf at index \(1,\)"),
    "bce weight shape": (_bce([0.0, 0.0], [0, 1], np.ones(3)), ValueError,
                         r"sample_weight must have shape \(m,\) = \(2,\).*got \(3,\)"),
    "sce label 3": (lambda: softmax_cross_entropy(np.zeros((2, 3)), np.array([0, 3])), ValueError,
                    r"y must hold class labels 0\.\.2 .*got 3 at index 1"),
    "sce float labels": (lambda: softmax_cross_entropy(np.zeros((2, 3)), np.array([0.0, 1.0])), TypeError,
                         r"integer class labels 0\.\.2, got dtype float64 \(convert with \.astype\(int\)\)"),
    "sce one-hot labels": (lambda: softmax_cross_entropy(np.zeros((2, 3)), np.eye(3, dtype=int)[:2]), ValueError,
                           r"y \(m,\) class labels, got \(2, 3\) and \(2, 3\)"),
    "sce no classes": (lambda: softmax_cross_entropy(np.zeros((2, 0)), np.array([0, 0])), ValueError, r"K >= 1"),
    "sce 1-D logits": (lambda: softmax_cross_entropy(np.zeros(3), np.array([0, 0, 0])), ValueError, r"\(m, K\)"),
    "sce NaN logit": (lambda: softmax_cross_entropy(np.array([[_NAN, 0.0]]), np.array([0])), ValueError,
                      r"logits contains NaN or inf at index \(0, 0\)"),
    "sce empty": (lambda: softmax_cross_entropy(np.zeros((0, 3)), np.zeros(0, dtype=int)), ValueError, r"empty"),
}


# -------------------------------------------------------------------------------------------- network

@ROBUST
@given(st.data())
def test_mlp_forward_and_backward_are_finite_and_silent_for_large_inputs(data):
    hidden = data.draw(st.sampled_from(["relu", "tanh", "sigmoid"]), label="hidden")
    sizes = [data.draw(st.integers(1, 4), label="n_inputs"),
             *data.draw(st.lists(st.integers(1, 6), max_size=2), label="hidden sizes"),
             data.draw(st.integers(1, 3), label="n_outputs")]
    m = data.draw(st.integers(1, 6), label="m")
    X = data.draw(hnp.arrays(np.float64, (m, sizes[0]), elements=st.floats(-1e150, 1e150)), label="X")
    model = MLP(sizes, hidden=hidden, init="he" if hidden == "relu" else "xavier", seed=data.draw(st.integers(0, 9)))
    with no_warnings():
        logits = model.forward(X, training=True)
        if sizes[-1] == 1:
            loss, dlogits = binary_cross_entropy(logits, np.arange(m) % 2)
        else:
            loss, dlogits = softmax_cross_entropy(logits, np.arange(m) % sizes[-1])
        grads = model.backward(dlogits)
        proba = model.predict_proba(X)
    assert np.isfinite(loss) and np.all(np.isfinite(logits)) and np.all((proba >= 0) & (proba <= 1))
    assert grads.keys() == model.params.keys()
    for name, g in grads.items():
        assert g.shape == model.params[name].shape and np.all(np.isfinite(g)), name


def test_forward_reports_overflow_and_broken_parameters_instead_of_returning_nan():
    model = MLP([2, 4, 1], seed=0)
    model.params["W1"][...] = 10.0
    with warnings.catch_warnings(), pytest.raises(
            FloatingPointError, match=r"logits\) are NaN or inf: the parameters are finite, so the values "
                                      r"overflowed on the way \(largest \|X\| 1\.7e\+308"):
        warnings.simplefilter("ignore", RuntimeWarning)   # NumPy's own overflow warning
        model.forward(np.full((3, 2), 1.7e308))
    with pytest.raises(RuntimeError, match="call forward before backward"):   # no half-finished cache
        model.backward(np.zeros(3))
    model.params["W1"][...] = 1.0
    model.params["b2"][0] = np.nan
    with no_warnings(), pytest.raises(FloatingPointError, match=r"the parameters b2 contain NaN or inf.*lower the "
                                                                r"learning rate"):
        model.predict(np.ones((3, 2)))   # without the check: NaN >= 0.5 is False, so "class 0"


def test_inside_errstate_ignore_nan_goes_through_as_in_numpy_for_demonstrations_of_divergence():
    # Notebook 05 shows exploding gradients this way: it expects the NaN loss and stops on it.
    model = MLP([2, 4, 1], seed=0)
    model.params["W1"][...] = 1e308   # X @ W1 overflows to inf
    with warnings.catch_warnings():
        warnings.simplefilter("error")   # and no NumPy warning either: overflow is ignored
        with np.errstate(over="ignore", invalid="ignore"):
            logits = model.forward(np.ones((3, 2)), training=True)
            loss, dlogits = binary_cross_entropy(logits, np.array([0, 1, 0]))
            grads = model.backward(dlogits)
            SGD(0.1).step(model.params, grads)
        assert not np.isfinite(logits).all() and np.isnan(loss) and np.isnan(model.params["W2"]).any()
        with pytest.raises(FloatingPointError, match="the parameters W1, b1, W2, b2 contain NaN or inf"):
            model.forward(np.ones((3, 2)))   # outside the errstate block the checks are back


def _forwarded(sizes=(3, 4, 1), m=2):
    model = MLP(list(sizes), seed=0)
    model.forward(np.zeros((m, sizes[0])))
    return model


MLP_ERRORS = {
    "1-D X": (lambda: MLP([3, 4, 1]).forward(np.zeros(3)), ValueError,
              r"X must have shape \(m, n_inputs=3\), got \(3,\)"),
    "X width": (lambda: MLP([3, 4, 1]).forward(np.zeros((2, 4))), ValueError, r"n_inputs=3\), got \(2, 4\)"),
    "NaN in X": (lambda: MLP([3, 1]).forward(np.array([[0.0, _NAN, 0.0]])), ValueError,
                 r"X contains NaN or inf at index \(0, 1\) \(value nan\)"),
    "inf in X": (lambda: MLP([3, 1]).predict(np.array([[0.0, 0.0, -_INF]])), ValueError, r"X contains NaN or inf"),
    "string X": (lambda: MLP([2, 1]).forward(np.array([["1", "2"]])), TypeError, r"X must be numeric"),
    "object X": (lambda: MLP([2, 1]).forward(np.array([[1.0, None]], dtype=object)), TypeError, r"got dtype object"),
    "dlogits length": (lambda: _forwarded().backward(np.zeros(5)), ValueError,
                       r"dlogits must have the shape of the logits of the last forward, \(2,\), got \(5,\)"),
    "dlogits for K": (lambda: _forwarded((3, 4, 3)).backward(np.zeros(2)), ValueError, r"\(2, 3\), got \(2,\)"),
    "NaN dlogits": (lambda: _forwarded().backward(np.array([0.0, _NAN])), ValueError, r"dlogits contains NaN"),
    "backward first": (lambda: MLP([3, 1]).backward(np.zeros(2)), RuntimeError, r"call forward before backward"),
    "sizes string": (lambda: MLP("32"), TypeError, r"layer_sizes must be a list of ints such as \[20, 64, 1\]"),
    "sizes float": (lambda: MLP([3.0, 1]), TypeError, r"every entry of layer_sizes must be an int, got float"),
    "size 0": (lambda: MLP([3, 0, 1]), ValueError, r"every entry of layer_sizes must be >= 1, got 0"),
    "one size": (lambda: MLP([3]), ValueError, r">= 2 positive sizes"),
    "dropout 1": (lambda: MLP([3, 1], dropout=1.0), ValueError, r"dropout must be in \[0, 1\), got 1"),
    "NaN init": (lambda: MLP([3, 1], init=lambda i, o, rng: np.full((i, o), _NAN)), ValueError,
                 r"the weights init returned for layer 1 contains NaN"),
}


# ----------------------------------------------------------------------------------------- optimizers

def _optimizer(data, kind):
    lr = data.draw(st.floats(1e-8, 1.0), label="lr")
    if kind == "SGD":
        return SGD(lr, momentum=data.draw(st.sampled_from([0.0, 0.5, 0.9, 0.99]), label="momentum"))
    eps = data.draw(st.floats(1e-12, 1e-4), label="eps")
    if kind == "RMSprop":
        return RMSprop(lr, beta=data.draw(st.floats(0.0, 0.999), label="beta"), eps=eps)
    return Adam(lr, beta1=data.draw(st.floats(0.0, 0.95), label="beta1"),
                beta2=data.draw(st.floats(0.9, 0.9999), label="beta2"), eps=eps)


@ROBUST
@given(st.data())
def test_update_rules_stay_finite_for_huge_and_tiny_gradients(data):
    kind = data.draw(st.sampled_from(["SGD", "RMSprop", "Adam"]), label="optimizer")
    opt = _optimizer(data, kind)
    limit = 1e300 if kind == "SGD" else 1e150      # RMSprop and Adam square the gradient
    sizes = st.sampled_from([0.0, 5e-324, 1e-300, 1e-8, 1.0, limit])
    entries = st.builds(lambda size, sign: sign * size, sizes, st.sampled_from([-1.0, 1.0])) | st.floats(-limit, limit)
    params = {"W": data.draw(hnp.arrays(np.float64, (2, 2), elements=st.floats(-1e3, 1e3)), label="W"),
              "b": np.zeros(2)}
    for _ in range(data.draw(st.integers(1, 6), label="steps")):
        grads = {"W": data.draw(hnp.arrays(np.float64, (2, 2), elements=entries), label="dW"),
                 "b": data.draw(hnp.arrays(np.float64, 2, elements=entries), label="db")}
        before = {name: p.copy() for name, p in params.items()}
        with no_warnings():
            opt.step(params, grads)
        for name, p in params.items():
            assert np.all(np.isfinite(p)), name
            if kind == "RMSprop":   # |g| / sqrt(s) <= 1 / sqrt(1 - beta), since s >= (1 - beta) g^2
                assert np.all(np.abs(p - before[name]) <= opt.lr / np.sqrt(1 - opt.beta) * (1 + 1e-9) + 1e-12)


@ROBUST
@given(scale=st.floats(1e-4, 1e150), signs=hnp.arrays(np.float64, 3, elements=st.sampled_from([-1.0, 1.0])),
       lr=st.floats(1e-6, 1.0))
def test_first_steps_of_rmsprop_and_adam_do_not_depend_on_the_gradient_scale(scale, signs, lr):
    g = signs * scale * np.array([1.0, 2.0, 0.5])
    adam, rms = Adam(lr), RMSprop(lr, beta=0.9)
    params_adam, params_rms = {"w": np.zeros(3)}, {"w": np.zeros(3)}
    with no_warnings():
        adam.step(params_adam, {"w": g})
        rms.step(params_rms, {"w": g})
    np.testing.assert_allclose(params_adam["w"], -lr * signs, rtol=1e-3)               # lr g / (|g| + eps)
    np.testing.assert_allclose(params_rms["w"], -lr * signs / np.sqrt(0.1), rtol=1e-3)  # s = 0.1 g^2


@pytest.mark.parametrize("make", [lambda: SGD(0.1, momentum=0.9), lambda: RMSprop(0.1), lambda: Adam(0.1)],
                         ids=["SGD", "RMSprop", "Adam"])
@pytest.mark.parametrize("bad", [_NAN, _INF, 1e200], ids=["nan", "inf", "1e200"])
def test_a_bad_gradient_raises_before_any_parameter_changes(make, bad):
    opt = make()
    params = {"W": np.ones((2, 2)), "b": np.ones(2)}
    grads = {"W": np.ones((2, 2)), "b": np.array([1.0, bad])}
    if bad == 1e200 and isinstance(opt, SGD):   # SGD does not square: a huge finite step is fine
        with no_warnings():
            opt.step(params, grads)
        assert np.all(np.isfinite(params["b"]))
        return
    message = (r"grads\['b'\] has an entry of size 1e\+200, and \w+ squares gradients" if bad == 1e200 else
               r"grads\['b'\] contains NaN or inf at index \(1,\)")
    with no_warnings(), pytest.raises(FloatingPointError, match=message + r".*no parameter was changed"):
        opt.step(params, grads)
    assert np.array_equal(params["W"], np.ones((2, 2))) and np.array_equal(params["b"], np.ones(2))
    assert opt.state == {}


OPTIMIZER_ERRORS = {
    "lr 0": (lambda: SGD(0.0), ValueError, r"lr must be a finite number > 0, got 0"),
    "lr nan": (lambda: Adam(_NAN), ValueError, r"lr must be a finite number > 0, got nan"),
    "lr inf": (lambda: RMSprop(_INF), ValueError, r"lr must be a finite number > 0, got inf"),
    "lr string": (lambda: SGD("0.1"), TypeError, r"lr must be a number, got str"),
    "momentum 1": (lambda: SGD(0.1, momentum=1.0), ValueError, r"momentum must be in \[0, 1\), got 1"),
    "beta 1": (lambda: RMSprop(beta=1.0), ValueError, r"beta must be in \[0, 1\)"),
    "eps 0": (lambda: RMSprop(eps=0.0), ValueError, r"eps must be a finite number > 0"),
    "beta1 1": (lambda: Adam(beta1=1.0), ValueError, r"beta1 must be in \[0, 1\)"),
    "beta2 < 0": (lambda: Adam(beta2=-0.1), ValueError, r"beta2 must be in \[0, 1\)"),
    "eps nan": (lambda: Adam(eps=_NAN), ValueError, r"eps must be a finite number > 0, got nan"),
    "list param": (lambda: SGD(0.1).step({"w": [1.0]}, {"w": np.ones(1)}), TypeError,
                   r"params\['w'\] must be a float NumPy array \(it is updated in place\), got list"),
    "int param": (lambda: Adam().step({"w": np.arange(2)}, {"w": np.ones(2)}), TypeError,
                  r"got ndarray of dtype int64"),
    "string grad": (lambda: SGD(0.1).step({"w": np.ones(1)}, {"w": np.array(["1"])}), TypeError,
                    r"grads\['w'\] must be numeric"),
    "grad shape": (lambda: SGD(0.1).step({"w": np.ones(2)}, {"w": np.ones(3)}), ValueError,
                   r"w: gradient shape \(3,\) != parameter shape \(2,\)"),
    "names": (lambda: SGD(0.1).step({"w": np.ones(1)}, {"v": np.ones(1)}), ValueError, r"name different tensors"),
    "step every 0": (lambda: step_decay(0.1, every=0), ValueError, r"every must be >= 1, got 0"),
    "cosine total 0": (lambda: cosine_decay(0.1, total=0), ValueError, r"total must be >= 1, got 0"),
}


# ------------------------------------------------------------------------------------------- training

_OPTIMIZERS = {"SGD": SGD, "momentum": lambda lr: SGD(lr, momentum=0.9), "RMSprop": RMSprop, "Adam": Adam}


@ROBUST
@given(st.data())
def test_training_returns_finite_numbers_or_raises_floating_point_error(data):
    rng = np.random.default_rng(data.draw(st.integers(0, 9), label="data seed"))
    X = rng.normal(size=(24, 3)) * 10.0 ** data.draw(st.integers(0, 100), label="log10 input scale")
    y = (rng.random(24) < 0.5).astype(int)
    lr = 10.0 ** data.draw(st.integers(-3, 8), label="log10 lr")
    optimizer = _OPTIMIZERS[data.draw(st.sampled_from(sorted(_OPTIMIZERS)), label="optimizer")](lr)
    model = MLP([3, 8, 1], hidden=data.draw(st.sampled_from(["relu", "tanh", "sigmoid"]), label="hidden"), seed=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)   # NumPy may warn on the way; the outcome counts
        try:
            history = train(model, X, y, optimizer, epochs=3, batch_size=8, X_val=X[:8], y_val=y[:8],
                            l2=data.draw(st.sampled_from([0.0, 0.1]), label="l2"))
        except FloatingPointError as err:
            assert "learning rate" in str(err)
            event("diverged: FloatingPointError")
            return
    event("finished with finite numbers")
    numbers = history["train_loss"] + history["val_loss"] + history["val_accuracy"] + history["lr"]
    assert len(numbers) == 12 and np.all(np.isfinite(numbers))
    assert all(np.all(np.isfinite(p)) for p in model.params.values())


@pytest.mark.parametrize("name", sorted(_OPTIMIZERS))
def test_divergence_is_a_floating_point_error_whatever_numpy_is_told_to_do(name):
    X = np.random.default_rng(0).normal(size=(16, 2)) * 1e200   # gradients beyond what Adam can square
    y = np.arange(16) % 2
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        with pytest.raises(FloatingPointError, match="learning rate"):
            train(MLP([2, 8, 1], seed=0), X, y, _OPTIMIZERS[name](1e8), epochs=5, batch_size=4)
    for numpy_says in ("raise", "ignore"):   # train() promises FloatingPointError either way
        with np.errstate(over=numpy_says, invalid=numpy_says), pytest.raises(FloatingPointError):
            train(MLP([2, 8, 1], seed=0), X, y, _OPTIMIZERS[name](1e8), epochs=5, batch_size=4)


class _PoisonOnLastStep:
    """An optimizer (duck-typed, like notebook 04's) that writes NaN into W1."""

    lr = 0.1

    def step(self, params, grads):
        params["W1"][0, 0] = np.nan


def test_parameters_that_become_nan_in_the_last_step_do_not_leave_train_quietly():
    X, y = np.ones((4, 2)), np.array([0, 1, 0, 1])
    with no_warnings(), pytest.raises(FloatingPointError, match=r"the parameters W1 became NaN or inf in epoch 1"):
        train(MLP([2, 3, 1], seed=0), X, y, _PoisonOnLastStep(), epochs=1, batch_size=4)


_X, _Y = np.random.default_rng(0).normal(size=(8, 3)), np.arange(8) % 2


def _train(**kwargs):
    args = dict(model=MLP([3, 1]), X=_X, y=_Y, optimizer=SGD(0.1), epochs=1)
    args.update(kwargs)
    return lambda: train(**args)


TRAIN_ERRORS = {
    "1-D X": (_train(X=_X[:, 0]), ValueError, r"X must have shape \(m, n_inputs=3\) with m >= 1, got \(8,\)"),
    "X width": (_train(X=_X[:, :2]), ValueError, r"n_inputs=3\) with m >= 1, got \(8, 2\)"),
    "no rows": (_train(X=_X[:0], y=_Y[:0]), ValueError, r"m >= 1, got \(0, 3\)"),
    "NaN in X": (_train(X=np.where(_X > 1, _NAN, _X)), ValueError, r"X contains NaN or inf at index"),
    "string X": (_train(X=_X.astype(str)), TypeError, r"X must be numeric"),
    "column y": (_train(y=_Y[:, None]), ValueError, r"y must have shape \(m,\) = \(8,\).*got \(8, 1\)"),
    "short y": (_train(y=_Y[:5]), ValueError, r"got \(5,\)"),
    "label 2": (_train(y=_Y + 1), ValueError, r"y must hold labels 0 or 1 .*got 2 at index 1"),
    "NaN label": (_train(y=np.where(_Y == 1, _NAN, 0.0)), ValueError, r"got nan at index 1"),
    "class 3 of 3": (_train(model=MLP([3, 3]), y=_Y * 3), ValueError, r"y must hold class labels 0\.\.2 .*got 3"),
    "X_val alone": (_train(X_val=_X), ValueError, r"X_val and y_val go together"),
    "NaN in X_val": (_train(X_val=_X * _NAN, y_val=_Y), ValueError, r"X_val contains NaN or inf"),
    "short y_val": (_train(X_val=_X, y_val=_Y[:3]), ValueError, r"y_val must have shape \(m,\) = \(8,\)"),
    "patience alone": (_train(patience=3), ValueError, r"patience\) needs X_val and y_val"),
    "epochs -1": (_train(epochs=-1), ValueError, r"epochs must be >= 0, got -1"),
    "epochs 1.5": (_train(epochs=1.5), TypeError, r"epochs must be an int, got float"),
    "batch 0": (_train(batch_size=0), ValueError, r"batch_size must be >= 1, got 0"),
    "l2 nan": (_train(l2=_NAN), ValueError, r"l2 must be a finite number >= 0, got nan"),
    "l2 -1": (_train(l2=-1.0), ValueError, r"l2 must be a finite number >= 0, got -1"),
    "NaN weight": (_train(sample_weight=np.full(8, _NAN)), ValueError, r"sample_weight contains NaN"),
    "short weights": (_train(sample_weight=np.ones(3)), ValueError, r"sample_weight must have shape \(m,\) = \(8,\)"),
    "weights for K": (_train(model=MLP([3, 3]), sample_weight=np.ones(8)), ValueError, r"one output unit"),
    "NaN schedule": (_train(schedule=lambda epoch: _NAN), ValueError, r"schedule\(0\) returned nan"),
    "accuracy y": (lambda: accuracy(MLP([3, 1]), _X, _Y[:, None]), ValueError, r"y must have shape \(m,\) = \(8,\)"),
    "batches of 2.5": (lambda: list(minibatches(8, 2.5, np.random.default_rng(0))), TypeError,
                       r"batch_size must be an int"),
}


# ----------------------------------------------------------------------------------------------- data

@ROBUST
@given(st.data())
def test_standardize_is_finite_and_centres_constant_columns(data):
    m, n = data.draw(st.integers(1, 12), label="m"), data.draw(st.integers(1, 4), label="n")
    columns = []
    for _ in range(n):
        if data.draw(st.booleans(), label="constant column"):
            columns.append(np.full(m, data.draw(st.floats(-1e150, 1e150), label="value")))
        else:
            columns.append(data.draw(hnp.arrays(np.float64, m, elements=st.floats(-1e150, 1e150)), label="values"))
    X = np.column_stack(columns)
    with no_warnings():
        X_scaled, X_other, scaler = standardize(X, X[::-1] * 0.5)
    assert X_scaled.shape == X.shape and X_other.shape == X.shape
    assert np.all(np.isfinite(X_scaled)) and np.all(np.isfinite(X_other))
    for j in range(n):
        col = X[:, j]
        if np.all(col == col[0]):   # scale 1, only centred: 0 up to the rounding of the mean
            assert np.all(np.abs(X_scaled[:, j]) <= 2 * m * np.spacing(abs(col[0])))
        elif np.ptp(col) > max(1e-6 * np.abs(col).max(), 1e-150):   # clearly not constant
            # (a spread below ~1e-154 has a variance that underflows to 0: then it is only centred)
            assert abs(X_scaled[:, j].mean()) < 1e-6 and abs(X_scaled[:, j].std() - 1.0) < 1e-6


@pytest.mark.parametrize("train_X, other, name", [
    (np.array([[1e200], [-1e200], [1.0]]), None, r"X_train overflows float64 in column 0 .*standard deviation inf"),
    (np.array([[1.0, 0.0], [1.0, 1e-100]]), np.array([[1.0, 1e300]]), r"others\[0\] overflows float64 in column 1"),
])
def test_standardize_reports_overflow_naming_the_column(train_X, other, name):
    with no_warnings(), pytest.raises(ValueError, match=name + r".*rescale that feature"):
        standardize(train_X) if other is None else standardize(train_X, other)


def test_standardize_rejects_complex_input():
    with pytest.raises(TypeError, match=r"X_train must be numeric \(real numbers\), got dtype complex128"):
        standardize(np.ones((3, 2), dtype=complex))


# ------------------------------------------------------------------------------------------ gradcheck

@ROBUST
@given(st.data())
def test_gradcheck_handles_extreme_coefficients(data):
    magnitude = 10.0 ** data.draw(st.integers(-290, 290), label="log10 |c|")
    c = magnitude * data.draw(hnp.arrays(np.float64, 4, elements=st.floats(0.1, 1.0) | st.floats(-1.0, -0.1)),
                              label="c (within a factor 10 of each other)")
    x = data.draw(hnp.arrays(np.float64, 4, elements=st.floats(-1.0, 1.0)), label="x")
    params = {"x": x}
    with no_warnings():
        report = gradcheck(lambda: float(c @ params["x"]), params, {"x": c}, tol=1e-5)
        numeric = numerical_gradient_of(lambda v: float(c @ v), x)
    assert report.ok, str(report)
    assert np.all(np.isfinite(numeric)) and np.allclose(numeric, c, rtol=1e-5)


@ROBUST
@given(x=hnp.arrays(np.float64, 3, elements=st.floats(-1e300, 1e300)).filter(lambda x: np.abs(x).max() > 1e11))
def test_gradient_checks_refuse_points_where_eps_is_lost(x):
    saved = x.copy()
    too_small = r"eps = 1e-06 is too small next to .* x \+ eps rounds back to x"
    with no_warnings():
        with pytest.raises(ValueError, match=too_small):
            numerical_gradient(lambda: float(np.sum(np.sin(x))), x)
        with pytest.raises(ValueError, match=too_small):
            gradcheck(lambda: float(np.sum(np.sin(x))), {"x": x}, {"x": np.cos(x)})
        with pytest.raises(ValueError, match=too_small):
            check_derivative(sigmoid, sigmoid_grad, x)
    assert np.array_equal(x, saved)   # nothing nudged and left behind


@ROBUST
@given(z=hnp.arrays(np.float64, shapes(), elements=st.floats(-1e9, 1e9)))
def test_check_derivative_of_the_sigmoid_is_finite_up_to_the_eps_limit(z):
    with no_warnings():
        error = check_derivative(sigmoid, sigmoid_grad, z)
    assert 0.0 <= error <= 1.0


def _quiet(fn):
    """fn with NumPy's floating-point warnings off (a user's function that overflows)."""
    def quiet(*args):
        with np.errstate(over="ignore", invalid="ignore"):
            return fn(*args)
    return quiet


GRADCHECK_ERRORS = {
    "eps 0": (lambda: numerical_gradient(lambda: 0.0, np.ones(2), eps=0.0), ValueError,
              r"eps must be a finite number > 0"),
    "eps nan": (lambda: numerical_gradient_of(lambda v: 0.0, np.ones(2), eps=_NAN), ValueError, r"got nan"),
    "eps < 0": (lambda: check_derivative(sigmoid, sigmoid_grad, np.ones(2), eps=-1e-6), ValueError, r"got -1e-06"),
    "tol nan": (lambda: gradcheck(lambda: 0.0, {"w": np.ones(1)}, {"w": np.zeros(1)}, tol=_NAN), ValueError,
                r"tol must be a finite number > 0"),
    "NaN point": (lambda: numerical_gradient(lambda: 0.0, np.array([0.0, _NAN])), ValueError,
                  r"x contains NaN or inf at index \(1,\).*finite point"),
    "NaN param": (lambda: gradcheck(lambda: 0.0, {"w": np.array([_INF])}, {"w": np.zeros(1)}), ValueError,
                  r"params\['w'\] contains NaN or inf"),
    "string grads": (lambda: gradcheck(lambda: 0.0, {"w": np.ones(1)}, {"w": np.array(["0"])}), TypeError,
                     r"grads\['w'\] must be numeric"),
    "NaN z": (lambda: check_derivative(sigmoid, sigmoid_grad, [0.0, _NAN]), ValueError,
              r"z contains NaN or inf at index \(1,\)"),
    "string z": (lambda: check_derivative(sigmoid, sigmoid_grad, ["0"]), TypeError, r"z must be numeric"),
    "df gives NaN": (lambda: check_derivative(sigmoid, lambda z: z * _NAN, [0.5]), ValueError,
                     r"df\(z\) is nan at z = 0\.5 \(index \(0,\)\)"),
    "f overflows": (lambda: check_derivative(_quiet(np.exp), np.zeros_like, [1000.0]), ValueError,
                    r"f\(z \+ eps\) is inf at z = 1000\.0 \(index \(0,\)\)"),
}


WRONG_INPUT = {f"{area}: {case}": row
               for area, table in (("loss", LOSS_ERRORS), ("network", MLP_ERRORS), ("optimizer", OPTIMIZER_ERRORS),
                                   ("train", TRAIN_ERRORS), ("gradcheck", GRADCHECK_ERRORS))
               for case, row in table.items()}


@pytest.mark.parametrize("call, error, message", WRONG_INPUT.values(), ids=WRONG_INPUT.keys())
def test_wrong_input_raises_a_clear_error_saying_what_was_expected(call, error, message):
    with no_warnings(), pytest.raises(error, match=message):
        call()


# --------------------------------------------------------------------------------------------- checks

class _Unprintable:
    def __repr__(self):
        raise RuntimeError("no repr for you")

    def __array__(self, *args, **kwargs):
        raise RuntimeError("no array either")


_ODD_ARRAYS = hnp.arrays(
    dtype=st.one_of(hnp.floating_dtypes(), hnp.integer_dtypes(), hnp.unsigned_integer_dtypes(), hnp.boolean_dtypes(),
                    hnp.complex_number_dtypes(), hnp.datetime64_dtypes(), hnp.timedelta64_dtypes(),
                    hnp.unicode_string_dtypes(), hnp.byte_string_dtypes()),
    shape=shapes(min_dims=0))
ODD_VALUES = st.one_of(
    _ODD_ARRAYS,
    hnp.arrays(np.float64, shapes(min_dims=0), elements=st.floats(allow_nan=True, allow_infinity=True)),
    st.builds(lambda xs: np.array([*xs, None], dtype=object), st.lists(st.floats(allow_nan=True), max_size=4)),
    st.sampled_from([np.zeros(10**6), np.full((1000, 1000), np.nan), np.zeros(3, dtype=[("a", float), ("b", int)]),
                     np.ma.masked_array([1.0, 2.0], mask=[True, False]), np.float32(1e-30), np.int8(-128),
                     [[1.0], [1.0, 2.0]], {1, 2}, "x" * 100_000, 10**400, complex(1, 1)]),
    st.none(), st.floats(allow_nan=True), st.integers(), st.text(max_size=50), st.binary(max_size=50),
    st.lists(st.floats(allow_nan=True), max_size=50),
)


@ROBUST
@given(value=ODD_VALUES, max_chars=st.integers(10, 300))
def test_describe_never_raises_and_stays_short(value, max_chars):
    with no_warnings():
        text = checks.describe(value, max_chars=max_chars)
    if value is None:
        assert text == "None"
        return
    suffix = (f"  (shape {value.shape}, dtype {value.dtype})" if isinstance(value, np.ndarray)
              else f"  (type {type(value).__name__})")
    assert text.endswith(suffix) and len(text) - len(suffix) <= max_chars


@ROBUST
@given(value=ODD_VALUES)
def test_a_check_answers_any_value_with_passed_or_a_check_failed_message(value):
    with no_warnings():
        try:
            checks.Checker("Exercise 0.0 - odd").array(value, np.array([1.0, 2.0]), "odd(...)")
        except checks.CheckFailed as failure:
            assert str(failure).startswith("FAILED - Exercise 0.0 - odd\n  check: odd(...)")


def test_an_object_whose_repr_and_array_conversion_are_broken_is_described_by_its_type():
    # (not in ODD_VALUES: hypothesis itself needs repr() to report an example)
    assert checks.describe(_Unprintable()) == ("<_Unprintable object whose repr() raised RuntimeError>  "
                                               "(type _Unprintable)")
    with no_warnings(), pytest.raises(checks.CheckFailed, match=r"got:      <_Unprintable object whose repr"):
        checks.Checker("ex").array(_Unprintable(), np.array([1.0, 2.0]), "f(x)")


def test_a_complex_or_timedelta_result_gets_a_hint_instead_of_a_numpy_error():
    for got, hint in ((np.array([1 + 1e-9j, 2]), "your result is complex"),
                      (np.array([1, 2], dtype="m8[s]"), "not strings or objects")):
        with no_warnings(), pytest.raises(checks.CheckFailed, match=hint):
            checks.Checker("ex").array(got, np.array([1.0, 2.0]), "f(x)")
