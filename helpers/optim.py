"""Reference optimizers and learning-rate schedules (what notebook 04 builds), for notebooks 05-06.

Each optimizer updates a dict of parameters in place from a dict of gradients with the same
names, and keeps its state (velocities, moment estimates, step count) explicitly per name.
Schedules are functions of the epoch (0-based) returning a learning rate.
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["SGD", "RMSprop", "Adam", "step_decay", "exponential_decay", "cosine_decay",
           "warmup_cosine"]


class _Optimizer:
    def __init__(self, lr: float):
        if not lr > 0:
            raise ValueError(f"lr must be > 0, got {lr}")
        self.lr = float(lr)
        self.state: dict[str, dict] = {}

    def step(self, params: dict, grads: dict) -> None:
        """Update every params[name] in place from grads[name] (same shapes)."""
        if set(params) != set(grads):
            raise ValueError(f"params and grads name different tensors: {sorted(set(params) ^ set(grads))}")
        for name, w in params.items():
            g = np.asarray(grads[name])
            if g.shape != w.shape:
                raise ValueError(f"{name}: gradient shape {g.shape} != parameter shape {w.shape}")
            self._update(name, w, g, self.state.setdefault(name, {}))

    def _update(self, name, w, g, state):  # pragma: no cover - abstract
        raise NotImplementedError


class SGD(_Optimizer):
    """Mini-batch SGD with optional classical momentum: v <- mu v - lr g; w <- w + v."""

    def __init__(self, lr: float, momentum: float = 0.0):
        super().__init__(lr)
        if not 0.0 <= momentum < 1.0:
            raise ValueError(f"momentum must be in [0, 1), got {momentum}")
        self.momentum = float(momentum)

    def _update(self, name, w, g, state):
        v = state.get("v", np.zeros_like(w))
        v = self.momentum * v - self.lr * g
        state["v"] = v
        w += v


class RMSprop(_Optimizer):
    """s <- beta s + (1 - beta) g^2;  w <- w - lr g / (sqrt(s) + eps)."""

    def __init__(self, lr: float = 1e-3, beta: float = 0.9, eps: float = 1e-8):
        super().__init__(lr)
        self.beta, self.eps = float(beta), float(eps)

    def _update(self, name, w, g, state):
        s = self.beta * state.get("s", np.zeros_like(w)) + (1.0 - self.beta) * g * g
        state["s"] = s
        w -= self.lr * g / (np.sqrt(s) + self.eps)


class Adam(_Optimizer):
    """Adam with bias correction (Kingma & Ba, 2015); t counts this tensor's updates from 1."""

    def __init__(self, lr: float = 1e-3, beta1: float = 0.9, beta2: float = 0.999, eps: float = 1e-8):
        super().__init__(lr)
        self.beta1, self.beta2, self.eps = float(beta1), float(beta2), float(eps)

    def _update(self, name, w, g, state):
        t = state.get("t", 0) + 1
        m = self.beta1 * state.get("m", np.zeros_like(w)) + (1.0 - self.beta1) * g
        v = self.beta2 * state.get("v", np.zeros_like(w)) + (1.0 - self.beta2) * g * g
        state.update(t=t, m=m, v=v)
        m_hat = m / (1.0 - self.beta1 ** t)
        v_hat = v / (1.0 - self.beta2 ** t)
        w -= self.lr * m_hat / (np.sqrt(v_hat) + self.eps)


def step_decay(lr0: float, drop: float = 0.5, every: int = 10):
    """lr(epoch) = lr0 * drop ** (epoch // every)."""
    return lambda epoch: lr0 * drop ** (epoch // every)


def exponential_decay(lr0: float, gamma: float = 0.95):
    """lr(epoch) = lr0 * gamma ** epoch."""
    return lambda epoch: lr0 * gamma ** epoch


def cosine_decay(lr0: float, total: int, lr_min: float = 0.0):
    """Half a cosine from lr0 (epoch 0) down to lr_min (epoch total), then lr_min."""
    def schedule(epoch):
        progress = min(epoch, total) / total
        return lr_min + 0.5 * (lr0 - lr_min) * (1.0 + math.cos(math.pi * progress))
    return schedule


def warmup_cosine(lr0: float, warmup: int, total: int, lr_min: float = 0.0):
    """Linear warm-up from lr0/warmup to lr0 over `warmup` epochs, then cosine decay to lr_min."""
    cosine = cosine_decay(lr0, max(total - warmup, 1), lr_min)
    return lambda epoch: lr0 * (epoch + 1) / warmup if epoch < warmup else cosine(epoch - warmup)
