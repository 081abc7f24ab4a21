"""Reference multilayer perceptron: what notebook 03 builds, for notebooks 04-06.

Conventions (as in notebooks 01-03): one example per ROW. A dense layer maps A of shape
(m, n_in) to Z = A @ W + b with W of shape (n_in, n_out) and b of shape (n_out,). Hidden layers
use ReLU (or tanh / sigmoid); the last layer returns raw scores (logits), and the loss functions
below turn logits into probabilities in a numerically stable way.

The network keeps its parameters in a dict {"W1": ..., "b1": ..., "W2": ...} so that the update
rules of notebook 04 can be applied to it name by name.
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from helpers.activations import relu, relu_grad, sigmoid, sigmoid_grad

__all__ = ["MLP", "binary_cross_entropy", "softmax_cross_entropy"]

_HIDDEN = {
    "relu": (relu, relu_grad),
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
        sizes = [int(n) for n in layer_sizes]
        if len(sizes) < 2 or min(sizes) < 1:
            raise ValueError(f"layer_sizes needs >= 2 positive sizes, got {list(layer_sizes)}")
        if hidden not in _HIDDEN:
            raise ValueError(f"unknown hidden activation {hidden!r}; expected one of {sorted(_HIDDEN)}")
        if not 0.0 <= dropout < 1.0:
            raise ValueError(f"dropout must be in [0, 1), got {dropout}")
        self.layer_sizes, self.hidden, self.dropout = sizes, hidden, float(dropout)
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
            self.params[f"W{k}"] = W
            self.params[f"b{k}"] = np.zeros(sizes[k])
        self._cache: list | None = None

    @property
    def n_layers(self) -> int:
        return len(self.layer_sizes) - 1

    def forward(self, X, training=False):
        """Logits for X (m, n_inputs): shape (m,) for one output unit, else (m, n_outputs).

        Keeps what backward needs. Dropout is applied to hidden activations only in training mode.
        """
        X = np.asarray(X, dtype=np.float64)
        if X.ndim != 2 or X.shape[1] != self.layer_sizes[0]:
            raise ValueError(f"X must have shape (m, {self.layer_sizes[0]}), got {X.shape}")
        f, _ = _HIDDEN[self.hidden]
        A, cache = X, []
        for k in range(1, self.n_layers + 1):
            Z = A @ self.params[f"W{k}"] + self.params[f"b{k}"]
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
        self._cache = cache
        return A[:, 0] if self.layer_sizes[-1] == 1 else A

    def backward(self, dlogits):
        """Gradients {"W1": ..., "b1": ...} of the loss, given dL/dlogits from the last forward."""
        if self._cache is None:
            raise RuntimeError("call forward before backward")
        dZ = np.asarray(dlogits, dtype=np.float64)
        if dZ.ndim == 1:
            dZ = dZ[:, None]
        _, df = _HIDDEN[self.hidden]
        grads = {}
        for k in range(self.n_layers, 0, -1):
            A_prev, Z, _ = self._cache[k - 1]
            grads[f"W{k}"] = A_prev.T @ dZ
            grads[f"b{k}"] = dZ.sum(axis=0)
            if k > 1:
                dA = dZ @ self.params[f"W{k}"].T
                _, Z_prev, mask = self._cache[k - 2]
                if mask is not None:
                    dA = dA * mask
                dZ = dA * df(Z_prev)
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


def binary_cross_entropy(logits, y, sample_weight=None):
    """Mean binary cross-entropy of sigmoid(logits) against labels y, and its gradient.

    Computed from logits with log(1 + e^z) written stably, so it is finite for any logits.

    logits : (m,) float, y : (m,) 0/1, sample_weight : optional (m,) positive weights
    returns (loss: float, dlogits: (m,)) with dlogits = w * (sigmoid(logits) - y) / sum(w)
    """
    z = np.asarray(logits, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    if z.shape != y.shape or z.ndim != 1:
        raise ValueError(f"logits and y must both have shape (m,), got {z.shape} and {y.shape}")
    w = np.ones_like(z) if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)
    if w.shape != z.shape or np.any(w < 0):
        raise ValueError("sample_weight must be non-negative with the same shape as y")
    # -[y log s + (1-y) log(1-s)] = log(1 + e^z) - y z, and log(1 + e^z) = logaddexp(0, z)
    losses = np.logaddexp(0.0, z) - y * z
    total = w.sum()
    return float(np.sum(w * losses) / total), w * (sigmoid(z) - y) / total


def softmax_cross_entropy(logits, y):
    """Mean cross-entropy of softmax(logits) against integer labels, and its gradient.

    logits : (m, K) float, y : (m,) ints in 0..K-1
    returns (loss: float, dlogits: (m, K)) with dlogits = (softmax(logits) - onehot(y)) / m
    """
    Z = np.asarray(logits, dtype=np.float64)
    y = np.asarray(y)
    if Z.ndim != 2 or y.shape != (Z.shape[0],):
        raise ValueError(f"logits must be (m, K) and y (m,), got {Z.shape} and {y.shape}")
    if y.min() < 0 or y.max() >= Z.shape[1]:
        raise ValueError(f"labels must be in 0..{Z.shape[1] - 1}")
    shifted = Z - Z.max(axis=1, keepdims=True)
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    m = Z.shape[0]
    loss = -log_probs[np.arange(m), y].mean()
    dZ = np.exp(log_probs)
    dZ[np.arange(m), y] -= 1.0
    return float(loss), dZ / m


LossFn = Callable[[np.ndarray, np.ndarray], tuple]
