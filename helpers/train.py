"""A small mini-batch training loop for the reference MLP (notebooks 04-06).

train() checks all its arguments before the first update (TypeError/ValueError saying what was
expected) and stops with FloatingPointError as soon as a loss, an output or a parameter becomes
NaN or inf, so a diverged run never returns NaN quietly.
"""

from __future__ import annotations

import math

import numpy as np

from helpers._validate import integer, number, real_array, require_finite
from helpers.nn import (MLP, _bce, _check_binary_labels, _check_weights, _class_labels, _softmax_ce,
                        binary_cross_entropy, softmax_cross_entropy)

__all__ = ["minibatches", "train", "accuracy"]


def minibatches(n: int, batch_size: int, rng: np.random.Generator):
    """Yield index arrays that cover range(n) once in a random order, batch_size at a time."""
    integer(n, "n", low=0)
    integer(batch_size, "batch_size", low=1)
    order = rng.permutation(n)
    for start in range(0, n, batch_size):
        yield order[start:start + batch_size]


def accuracy(model: MLP, X, y) -> float:
    """Fraction of rows of X (m, n_inputs) whose predicted class equals y (m,)."""
    predicted, y = model.predict(X), np.asarray(y)
    if y.shape != predicted.shape:
        raise ValueError(f"y must have shape (m,) = {predicted.shape}, one label per row of X, got {y.shape}")
    return float(np.mean(predicted == y))


def _loss(model, logits, y, sample_weight=None):
    if logits.ndim == 1:
        return binary_cross_entropy(logits, y, sample_weight)
    return softmax_cross_entropy(logits, y)   # train() allows sample_weight for one output only


def _checked_data(model, X, y, x_name, y_name):
    """X as float64 (m, n_inputs), finite, m >= 1, and y (m,) labels the model's loss accepts."""
    X = real_array(X, x_name).astype(np.float64, copy=False)
    n_inputs, n_outputs = model.layer_sizes[0], model.layer_sizes[-1]
    if X.ndim != 2 or X.shape[1] != n_inputs or len(X) == 0:
        raise ValueError(f"{x_name} must have shape (m, n_inputs={n_inputs}) with m >= 1, got {X.shape}")
    require_finite(X, x_name)
    y = np.asarray(y)
    if y.shape != (len(X),):
        raise ValueError(f"{y_name} must have shape (m,) = ({len(X)},), one label per row of {x_name}, "
                         f"got {y.shape}")
    if n_outputs == 1:
        _check_binary_labels(real_array(y, y_name), y_name)
    else:
        _class_labels(y, n_outputs, y_name)
    return X, y


def train(model: MLP, X, y, optimizer, epochs: int, batch_size: int = 64, X_val=None, y_val=None,
          l2: float = 0.0, sample_weight=None, schedule=None, patience: int | None = None,
          seed: int = 0, progress: bool = False) -> dict:
    """Train ``model`` in place with mini-batches; return the history.

    Parameters
    ----------
    X, y : (m, n) inputs and (m,) labels (0/1 for one output unit, 0..K-1 for K outputs).
    optimizer : helpers.optim.SGD / RMSprop / Adam (anything with .lr and .step(params, grads)).
    epochs : passes over the training set; each makes ceil(m / batch_size) updates.
    X_val, y_val : optional validation data, evaluated after every epoch.
    l2 : lambda of the L2 penalty lambda / (2 m_batch) * sum ||W||^2 (weights only, not biases).
    sample_weight : optional (m,) weights for the binary loss (e.g. class weights).
    schedule : optional function epoch -> learning rate, applied at the start of every epoch.
    patience : early stopping on validation loss; after `patience` epochs without improvement
        training stops and the best parameters are restored (needs validation data).
    progress : print one line per tenth of the epochs (off by default; deterministic text).

    Returns
    -------
    dict with lists "train_loss", "val_loss", "val_accuracy", "lr" (one entry per epoch run),
    and "best_epoch" (1-based, by validation loss; None without validation data).

    Raises
    ------
    TypeError, ValueError : before any update, for arguments of the wrong kind, shape or value
        (NaN/inf in the data, labels the loss cannot take, negative l2, ...).
    FloatingPointError : training diverged (a loss, the network's outputs or a parameter became
        NaN or inf): lower the learning rate.
    """
    X, y = _checked_data(model, X, y, "X", "y")
    if (X_val is None) != (y_val is None):
        raise ValueError("X_val and y_val go together: pass both or neither")
    if X_val is not None:
        X_val, y_val = _checked_data(model, X_val, y_val, "X_val", "y_val")
    if patience is not None and X_val is None:
        raise ValueError("early stopping (patience) needs X_val and y_val")
    integer(epochs, "epochs", low=0)
    integer(batch_size, "batch_size", low=1)
    if patience is not None:
        integer(patience, "patience", low=0)
    l2 = number(l2, "l2", 0.0)
    if sample_weight is not None and model.layer_sizes[-1] != 1:
        raise ValueError("sample_weight is supported for one output unit (binary) only")
    w_all = None if sample_weight is None else _check_weights(sample_weight, y.shape)
    # Everything is checked once above; the mini-batch loop uses MLP's unchecked internals (the
    # outputs and the loss are still checked, so divergence raises FloatingPointError as before).
    binary = model.layer_sizes[-1] == 1
    y_fit = y.astype(np.float64) if binary else y
    rng = np.random.default_rng(seed)
    history = {"train_loss": [], "val_loss": [], "val_accuracy": [], "lr": [], "best_epoch": None}
    best_loss, best_params, waited = np.inf, None, 0
    for epoch in range(epochs):
        if schedule is not None:
            optimizer.lr = float(schedule(epoch))
            if not (math.isfinite(optimizer.lr) and optimizer.lr >= 0):
                raise ValueError(f"schedule({epoch}) returned {optimizer.lr}; a learning rate must be "
                                 "a finite number >= 0")
        losses, sizes = [], []
        for idx in minibatches(len(X), batch_size, rng):
            logits = model._forward(X[idx], training=True)
            if binary:
                loss, dlogits = _bce(logits, y_fit[idx], None if w_all is None else w_all[idx])
            else:
                loss, dlogits = _softmax_ce(logits, y_fit[idx])
            grads = model._backward(dlogits)
            if l2 > 0:
                for name in grads:
                    if name.startswith("W"):
                        loss += l2 / (2 * len(idx)) * float(np.sum(model.params[name] ** 2))
                        grads[name] = grads[name] + (l2 / len(idx)) * model.params[name]
            if not np.isfinite(loss):
                raise FloatingPointError(f"loss became {loss} in epoch {epoch + 1}: "
                                         "lower the learning rate or check the inputs")
            optimizer.step(model.params, grads)
            losses.append(loss)
            sizes.append(len(idx))
        broken = [name for name, value in model.params.items() if not np.isfinite(value).all()]
        if broken:
            raise FloatingPointError(f"the parameters {', '.join(broken)} became NaN or inf in epoch "
                                     f"{epoch + 1}: lower the learning rate or check the inputs")
        history["train_loss"].append(float(np.average(losses, weights=sizes)))
        history["lr"].append(optimizer.lr)
        if X_val is not None:
            val_loss, _ = _loss(model, model.forward(X_val), np.asarray(y_val))
            history["val_loss"].append(val_loss)
            history["val_accuracy"].append(accuracy(model, X_val, y_val))
            if val_loss < best_loss:
                best_loss, best_params, waited = val_loss, model.get_params(), 0
                history["best_epoch"] = epoch + 1
            else:
                waited += 1
                if patience is not None and waited >= patience:
                    break
        if progress and ((epoch + 1) % max(1, epochs // 10) == 0 or epoch + 1 == epochs):
            val = f", val loss {history['val_loss'][-1]:.4f}" if history["val_loss"] else ""
            print(f"epoch {epoch + 1}/{epochs}: train loss {history['train_loss'][-1]:.4f}{val}")
    if patience is not None and best_params is not None:
        model.set_params(best_params)
    return history
