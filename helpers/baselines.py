"""The strongest honest baseline on tabular data, beside the networks: gradient-boosted trees.

One function, used by notebooks 03, 04 and 05 so that the trees are tuned the same way
everywhere: scikit-learn's ``HistGradientBoostingClassifier`` with a fixed number of rounds, its
learning rate chosen on the validation log-loss (the test split is never looked at here).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from helpers._validate import real_array, require_finite

#: Learning rates tried (the notebooks assert that the chosen one is not at an edge).
TREE_LEARNING_RATES = (0.003, 0.01, 0.03, 0.1, 0.3)


@dataclass(frozen=True)
class TunedTrees:
    """model: the fitted trees of the chosen learning rate; val_loss: learning rate -> validation log-loss."""
    model: object        # sklearn.ensemble.HistGradientBoostingClassifier, fitted
    learning_rate: float
    val_loss: dict

    @property
    def at_edge(self) -> bool:
        """True when the chosen learning rate is the smallest or largest of the grid."""
        return self.learning_rate in (min(self.val_loss), max(self.val_loss))


def _xy(X, y, part: str) -> tuple[np.ndarray, np.ndarray]:
    X, y = real_array(X, f"X_{part}"), real_array(y, f"y_{part}")
    if X.ndim != 2 or y.shape != (len(X),):
        raise ValueError(f"X_{part} must have shape (m, n) and y_{part} shape (m,), got {X.shape} and {y.shape}")
    require_finite(X, f"X_{part}")
    return X, y


def boosted_trees(X_train, y_train, X_val, y_val, seed: int, learning_rates=TREE_LEARNING_RATES,
                  rounds: int = 300) -> TunedTrees:
    """Fit one model per learning rate on the training split; keep the lowest validation log-loss.

    Parameters
    ----------
    X_train : ndarray (m_train, n);  y_train : ndarray (m_train,) of labels 0/1
    X_val : ndarray (m_val, n);      y_val : ndarray (m_val,)
    seed : int, the trees' random_state;  rounds : boosting rounds (no early stopping)

    One fit per learning rate on one split: a single run, to be labelled as one. The inputs are
    not modified. One OpenMP thread: faster on data this small, and the same on every machine.
    """
    # imported here: every grading kernel imports the helpers, and most notebooks never need trees
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.metrics import log_loss
    from threadpoolctl import threadpool_limits

    X_train, y_train = _xy(X_train, y_train, "train")
    X_val, y_val = _xy(X_val, y_val, "val")
    if X_val.shape[1] != X_train.shape[1]:
        raise ValueError(f"X_val has {X_val.shape[1]} features, X_train {X_train.shape[1]}: they must match")
    models, val_loss = {}, {}
    with threadpool_limits(limits=1, user_api="openmp"):
        for lr in learning_rates:
            models[lr] = HistGradientBoostingClassifier(learning_rate=lr, max_iter=rounds, early_stopping=False,
                                                        random_state=seed).fit(X_train, y_train)
            val_loss[lr] = float(log_loss(y_val, models[lr].predict_proba(X_val)))
    best = min(val_loss, key=val_loss.get)
    return TunedTrees(model=models[best], learning_rate=best, val_loss=val_loss)
