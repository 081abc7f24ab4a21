"""Reference multilayer perceptron: what notebook 03 builds, for notebooks 04-06.

Conventions (as in notebooks 01-03): one example per ROW. A dense layer maps A of shape
(m, n_in) to Z = A @ W + b with W of shape (n_in, n_out) and b of shape (n_out,). Hidden layers
use ReLU (or tanh / sigmoid); the last layer returns raw scores (logits), and the loss functions
below turn logits into probabilities in a numerically stable way.

The network keeps its parameters in a dict {"W1": ..., "b1": ..., "W2": ...} so that the update
rules of notebook 04 can be applied to it name by name.

Inputs are checked where they enter (forward, backward, the losses): wrong shapes, non-numeric
dtypes, NaN/inf or impossible labels raise TypeError/ValueError saying what was expected, and a
forward pass whose outputs overflow raises FloatingPointError instead of returning NaN. Inside
np.errstate(over="ignore") or np.errstate(invalid="ignore") - where the caller watches for NaN
itself, as notebook 05 does to show exploding gradients - NaN/inf logits, dlogits and losses pass
through as in plain NumPy (the data X and the labels are still checked).
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from helpers._validate import integer, nonfinite_ignored, number, real_array, require_finite
from helpers.activations import sigmoid, sigmoid_grad

__all__ = ["MLP", "binary_cross_entropy", "softmax_cross_entropy"]

_HIDDEN = {
    # helpers.activations.relu and relu_grad without their argument checks (Z is a float64 array
    # here); the derivative as a boolean mask: dA *= mask multiplies by 1.0 or 0.0 all the same.
    "relu": (lambda z: np.maximum(0.0, z), lambda z: z > 0),
    "tanh": (np.tanh, lambda z: 1.0 - np.tanh(z) ** 2),
    "sigmoid": (sigmoid, sigmoid_grad),
}


def _layer_weights(fan_in: int, fan_out: int, method: str, rng: np.random.Generator) -> np.ndarray:
    """Weights of one dense layer, shape (fan_in, fan_out) (internal: notebook 05 derives these).

    method: "he" (normal, variance 2/fan_in, for ReLU), "xavier" (Glorot normal, variance
    2/(fan_in + fan_out), for tanh/sigmoid), "small" (N(0, 0.01^2)) or "zeros".
    """
    if method == "he":
        return rng.normal(0.0, np.sqrt(2.0 / fan_in), size=(fan_in, fan_out))
    if method == "xavier":
        return rng.normal(0.0, np.sqrt(2.0 / (fan_in + fan_out)), size=(fan_in, fan_out))
    if method == "small":
        return rng.normal(0.0, 0.01, size=(fan_in, fan_out))
    if method == "zeros":
        return np.zeros((fan_in, fan_out))
    raise ValueError(f"unknown init method {method!r}; expected 'he', 'xavier', 'small' or 'zeros'")


class MLP:
    """A fully connected network with a logit output.

    Parameters
    ----------
    layer_sizes : sequence of int
        [n_inputs, hidden_1, ..., n_outputs], e.g. [20, 64, 32, 1].
    hidden : {"relu", "tanh", "sigmoid"}
        Activation of every hidden layer.
    init : {"he", "xavier", "small", "zeros"} or callable(fan_in, fan_out, rng) -> (fan_in, fan_out)
        Weight initialisation (biases start at 0).
    dropout : float in [0, 1)
        Probability of dropping a hidden unit in training mode (inverted dropout: kept units are
        scaled by 1 / (1 - dropout), so evaluation needs no rescaling).
    seed : int
        Seeds initialisation and the dropout masks.
    """

    def __init__(self, layer_sizes, hidden="relu", init="he", dropout=0.0, seed=0):
        if isinstance(layer_sizes, (str, bytes)) or not hasattr(layer_sizes, "__iter__"):
            raise TypeError(f"layer_sizes must be a list of ints such as [20, 64, 1], got {layer_sizes!r}")
        sizes = [integer(n, "every entry of layer_sizes", low=1) for n in layer_sizes]
        if len(sizes) < 2:
            raise ValueError(f"layer_sizes needs >= 2 positive sizes, got {sizes}")
        if hidden not in _HIDDEN:
            raise ValueError(f"unknown hidden activation {hidden!r}; expected one of {sorted(_HIDDEN)}")
        self.layer_sizes, self.hidden = sizes, hidden
        self.dropout = number(dropout, "dropout", 0.0, 1.0)
        self._rng = np.random.default_rng(seed)
        self.params: dict[str, np.ndarray] = {}
        for k in range(1, len(sizes)):
            if callable(init):
                W = np.asarray(init(sizes[k - 1], sizes[k], self._rng), dtype=np.float64)
            else:
                W = _layer_weights(sizes[k - 1], sizes[k], init, self._rng)
            if W.shape != (sizes[k - 1], sizes[k]):
                raise ValueError(f"init returned shape {W.shape} for layer {k}, "
                                 f"expected {(sizes[k - 1], sizes[k])}")
            require_finite(W, f"the weights init returned for layer {k}")
            self.params[f"W{k}"] = W
            self.params[f"b{k}"] = np.zeros(sizes[k])
        self._cache: list | None = None

    @property
    def n_layers(self) -> int:
        return len(self.layer_sizes) - 1

    def forward(self, X, training=False):
        """Logits for X (m, n_inputs): shape (m,) for one output unit, else (m, n_outputs).

        Keeps what backward needs. Dropout is applied to hidden activations only in training mode.
        X must be finite numbers (else TypeError/ValueError); if the logits overflow to inf or NaN
        (diverged parameters, enormous inputs) FloatingPointError says which - unless inside
        np.errstate(over="ignore") or np.errstate(invalid="ignore"), where they are returned.
        """
        X = real_array(X, "X").astype(np.float64, copy=False)
        if X.ndim != 2 or X.shape[1] != self.layer_sizes[0]:
            raise ValueError(f"X must have shape (m, n_inputs={self.layer_sizes[0]}), got {X.shape}")
        require_finite(X, "X")
        return self._forward(X, training)

    def _forward(self, X, training):
        """forward for X already checked (float64, (m, n_inputs), finite): train's inner loop."""
        f, _ = _HIDDEN[self.hidden]
        A, cache = X, []
        for k in range(1, self.n_layers + 1):
            Z = A @ self.params[f"W{k}"]
            Z += self.params[f"b{k}"]
            if k == self.n_layers:
                cache.append((A, Z, None))
                A = Z
                break
            H = f(Z)
            mask = None
            if training and self.dropout > 0:
                mask = (self._rng.random(H.shape) >= self.dropout) / (1.0 - self.dropout)
                H = H * mask
            cache.append((A, Z, mask))
            A = H
        if not np.isfinite(A).all() and not nonfinite_ignored():
            self._cache = None
            raise FloatingPointError(self._overflow_message(X))
        self._cache = cache
        return A[:, 0] if self.layer_sizes[-1] == 1 else A

    def _overflow_message(self, X) -> str:
        broken = [name for name, value in self.params.items() if not np.isfinite(value).all()]
        cause = (f"the parameters {', '.join(broken)} contain NaN or inf" if broken else
                 f"the parameters are finite, so the values overflowed on the way (largest |X| "
                 f"{np.abs(X).max():.3g}, largest |weight| "
                 f"{max(np.abs(w).max() for w in self.params.values()):.3g})")
        return (f"the network's outputs (logits) are NaN or inf: {cause}. If this happened in "
                "training, the updates diverged: lower the learning rate; also check that the "
                "inputs are standardized.")

    def backward(self, dlogits):
        """Gradients {"W1": ..., "b1": ...} of the loss, given dL/dlogits from the last forward.

        dlogits has the shape of the logits forward returned: (m,) (or (m, 1)) for one output unit,
        else (m, n_outputs); it must be finite (outside np.errstate(over/invalid="ignore")).
        """
        if self._cache is None:
            raise RuntimeError("call forward before backward")
        dZ = real_array(dlogits, "dlogits").astype(np.float64, copy=False)
        m, n_out = self._cache[-1][1].shape
        if dZ.shape != (m, n_out) and not (n_out == 1 and dZ.shape == (m,)):
            expected = (m,) if n_out == 1 else (m, n_out)
            raise ValueError(f"dlogits must have the shape of the logits of the last forward, "
                             f"{expected}, got {dZ.shape}")
        require_finite(dZ, "dlogits", ignorable=True)
        return self._backward(dZ)

    def _backward(self, dZ):
        """backward for dlogits already checked (float64, the logits' shape): train's inner loop."""
        if dZ.ndim == 1:
            dZ = dZ[:, None]
        _, df = _HIDDEN[self.hidden]
        grads = {}
        for k in range(self.n_layers, 0, -1):
            A_prev, Z, _ = self._cache[k - 1]
            grads[f"W{k}"] = A_prev.T @ dZ
            grads[f"b{k}"] = np.add.reduce(dZ, axis=0)
            if k > 1:
                dA = dZ @ self.params[f"W{k}"].T     # a new array: scaled in place below
                _, Z_prev, mask = self._cache[k - 2]
                if mask is not None:
                    dA *= mask
                dA *= df(Z_prev)
                dZ = dA
        return grads

    def predict_proba(self, X):
        """Probabilities in evaluation mode: (m,) P(class 1) for one output, else (m, K) softmax."""
        logits = self.forward(X, training=False)
        if logits.ndim == 1:
            return sigmoid(logits)
        shifted = logits - logits.max(axis=1, keepdims=True)
        E = np.exp(shifted)
        return E / E.sum(axis=1, keepdims=True)

    def predict(self, X, threshold=0.5):
        """Class labels: (m,) ints (threshold on P(class 1), or argmax for several outputs)."""
        P = self.predict_proba(X)
        return (P >= threshold).astype(int) if P.ndim == 1 else P.argmax(axis=1)

    def get_params(self) -> dict:
        """A deep copy of the parameters (for restore-best in early stopping)."""
        return {name: value.copy() for name, value in self.params.items()}

    def set_params(self, params: dict) -> None:
        missing = set(self.params) ^ set(params)
        if missing:
            raise ValueError(f"parameter names differ: {sorted(missing)}")
        for name, value in params.items():
            if np.shape(value) != self.params[name].shape:
                raise ValueError(f"{name}: expected shape {self.params[name].shape}, got {np.shape(value)}")
            self.params[name] = np.array(value, dtype=np.float64)


def _check_binary_labels(y, name="y"):
    """ValueError unless every label lies in [0, 1] (0/1, or soft labels); NaN fails too."""
    if y.size and not (y.min() >= 0.0 and y.max() <= 1.0):
        bad = int(np.flatnonzero(~((y >= 0.0) & (y <= 1.0)))[0])
        raise ValueError(f"{name} must hold labels 0 or 1 (or probabilities in [0, 1]), "
                         f"got {y[bad]} at index {bad}")


def _class_labels(y, n_classes, name="y"):
    """y as an integer array of class labels 0..n_classes-1 (TypeError/ValueError otherwise)."""
    y = np.asarray(y)
    if y.dtype.kind not in "iu":
        raise TypeError(f"{name} must hold integer class labels 0..{n_classes - 1}, got dtype {y.dtype}"
                        + (" (convert with .astype(int))" if y.dtype.kind in "bf" else ""))
    if y.size and (y.min() < 0 or y.max() >= n_classes):
        bad = int(np.flatnonzero((y < 0) | (y >= n_classes))[0])
        raise ValueError(f"{name} must hold class labels 0..{n_classes - 1} (one per column of the "
                         f"logits), got {y[bad]} at index {bad}")
    return y


def _check_weights(sample_weight, shape):
    """sample_weight as float64, checked: shape (m,), finite, >= 0, positive finite sum."""
    w = real_array(sample_weight, "sample_weight").astype(np.float64, copy=False)
    if w.shape != shape:
        raise ValueError(f"sample_weight must have shape (m,) = {shape}, one weight per label, got {w.shape}")
    require_finite(w, "sample_weight")
    if w.size and not (w.min() >= 0 and 0 < w.sum() < np.inf):
        raise ValueError(f"sample_weight must be >= 0 with a positive, finite sum, got min {w.min():g}, "
                         f"sum {w.sum():g}")
    return w


def _finite_loss(loss, z):
    if not np.isfinite(loss) and not nonfinite_ignored():
        raise FloatingPointError(f"the loss overflowed to {loss} (largest |logit| {np.abs(z).max():.3g}): "
                                 "logits this large mean the network diverged; lower the learning rate")
    return float(loss)


def binary_cross_entropy(logits, y, sample_weight=None):
    """Mean binary cross-entropy of sigmoid(logits) against labels y, and its gradient.

    Computed from logits with log(1 + e^z) written stably, so it is finite for any finite logits
    (up to about 1e300 in size, where the mean itself would overflow).

    logits : (m,) finite floats, m >= 1; y : (m,) 0/1 (or probabilities in [0, 1]);
    sample_weight : optional (m,) finite weights >= 0 with a positive, finite sum
    returns (loss: float, dlogits: (m,)) with dlogits = w * (sigmoid(logits) - y) / sum(w)
    """
    z = real_array(logits, "logits").astype(np.float64, copy=False)
    y = real_array(y, "y").astype(np.float64, copy=False)
    if z.shape != y.shape or z.ndim != 1:
        raise ValueError(f"logits and y must both have shape (m,), got {z.shape} and {y.shape}")
    if z.size == 0:
        raise ValueError("logits and y are empty (m = 0): a mean loss needs at least one example")
    require_finite(z, "logits", ignorable=True)
    _check_binary_labels(y)
    return _bce(z, y, None if sample_weight is None else _check_weights(sample_weight, z.shape))


def _bce(z, y, w=None):
    """binary_cross_entropy for checked arguments (w None: all weights 1): train's inner loop."""
    # -[y log s + (1-y) log(1-s)] = log(1 + e^z) - y z, and log(1 + e^z) = logaddexp(0, z)
    losses = np.logaddexp(0.0, z) - y * z
    if w is None:   # all weights 1: the same numbers without multiplying by ones
        return _finite_loss(np.sum(losses) / z.size, z), (sigmoid(z) - y) / z.size
    total = w.sum()
    return _finite_loss(np.sum(w * losses) / total, z), w * (sigmoid(z) - y) / total


def softmax_cross_entropy(logits, y):
    """Mean cross-entropy of softmax(logits) against integer labels, and its gradient.

    logits : (m, K) finite floats, m >= 1, K >= 1; y : (m,) ints in 0..K-1
    returns (loss: float, dlogits: (m, K)) with dlogits = (softmax(logits) - onehot(y)) / m
    """
    Z = real_array(logits, "logits").astype(np.float64, copy=False)
    y = np.asarray(y)
    if Z.ndim != 2 or Z.shape[1] < 1 or y.shape != Z.shape[:1]:
        raise ValueError(f"logits must be (m, K) with K >= 1 and y (m,) class labels, "
                         f"got {Z.shape} and {y.shape}")
    y = _class_labels(y, Z.shape[1])
    if Z.shape[0] == 0:
        raise ValueError("logits and y are empty (m = 0): a mean loss needs at least one example")
    require_finite(Z, "logits", ignorable=True)
    return _softmax_ce(Z, y)


def _softmax_ce(Z, y):
    """softmax_cross_entropy for checked arguments: train's inner loop."""
    shifted = Z - Z.max(axis=1, keepdims=True)
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    m = Z.shape[0]
    loss = -log_probs[np.arange(m), y].mean()
    dZ = np.exp(log_probs)
    dZ[np.arange(m), y] -= 1.0
    return _finite_loss(loss, Z), dZ / m


LossFn = Callable[[np.ndarray, np.ndarray], tuple]
