"""A small mini-batch training loop for the reference MLP (notebooks 04-06)."""

from __future__ import annotations

import numpy as np

from helpers.nn import MLP, binary_cross_entropy, softmax_cross_entropy

__all__ = ["minibatches", "train", "accuracy"]


def minibatches(n: int, batch_size: int, rng: np.random.Generator):
    """Yield index arrays that cover range(n) once in a random order, batch_size at a time."""
    if batch_size < 1:
        raise ValueError(f"batch_size must be >= 1, got {batch_size}")
    order = rng.permutation(n)
    for start in range(0, n, batch_size):
        yield order[start:start + batch_size]


def accuracy(model: MLP, X, y) -> float:
    return float(np.mean(model.predict(X) == np.asarray(y)))


def _loss(model, logits, y, sample_weight=None):
    if logits.ndim == 1:
        return binary_cross_entropy(logits, y, sample_weight)
    if sample_weight is not None:
        raise ValueError("sample_weight is supported for one output unit (binary) only")
    return softmax_cross_entropy(logits, y)


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
    """
    X, y = np.asarray(X, dtype=np.float64), np.asarray(y)
    if X.ndim != 2 or len(X) != len(y):
        raise ValueError(f"X must be (m, n) and y (m,), got {X.shape} and {y.shape}")
    if not np.all(np.isfinite(X)):
        raise ValueError("X contains NaN or inf")
    if patience is not None and X_val is None:
        raise ValueError("early stopping (patience) needs X_val and y_val")
    w_all = None if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)
    rng = np.random.default_rng(seed)
    history = {"train_loss": [], "val_loss": [], "val_accuracy": [], "lr": [], "best_epoch": None}
    best_loss, best_params, waited = np.inf, None, 0
    for epoch in range(epochs):
        if schedule is not None:
            optimizer.lr = float(schedule(epoch))
        losses, sizes = [], []
        for idx in minibatches(len(X), batch_size, rng):
            logits = model.forward(X[idx], training=True)
            loss, dlogits = _loss(model, logits, y[idx], None if w_all is None else w_all[idx])
            grads = model.backward(dlogits)
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
