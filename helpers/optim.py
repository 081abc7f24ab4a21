"""Reference optimizers and learning-rate schedules (what notebook 04 builds), for notebooks 05-06.

Each optimizer updates a dict of parameters in place from a dict of gradients with the same
names, and keeps its state (velocities, moment estimates, step count) explicitly per name.
Schedules are functions of the epoch (0-based) returning a learning rate.

Hyperparameters and the arguments of step() are checked before anything is updated: wrong
types or shapes raise TypeError/ValueError saying what was expected, and a gradient holding NaN or
inf (or, for RMSprop and Adam, entries so large that their squares overflow) raises
FloatingPointError, so it never reaches the parameters. Only inside np.errstate(over="ignore") or
np.errstate(invalid="ignore") do NaN and inf go through, as in plain NumPy.
"""

from __future__ import annotations

import math

import numpy as np

from helpers._validate import first_bad, integer, nonfinite_ignored, number, real_array

__all__ = ["SGD", "RMSprop", "Adam", "step_decay", "exponential_decay", "cosine_decay",
           "warmup_cosine"]


class _Optimizer:
    #: Largest gradient entry step() accepts (RMSprop and Adam square gradients: float64 squares
    #: overflow beyond about 1.3e154).
    max_grad = float(np.finfo(np.float64).max)

    def __init__(self, lr: float):
        self.lr = number(lr, "lr", 0.0, low_open=True)
        self.state: dict[str, dict] = {}

    def step(self, params: dict, grads: dict) -> None:
        """Update every params[name] in place from grads[name].

        params : dict name -> float ndarray (updated in place)
        grads : dict name -> array of the same shape, finite, entries at most max_grad in size
        Everything is checked before the first update: after an error no parameter has changed.
        A NaN, inf or too large gradient raises FloatingPointError (the loss or its gradient
        overflowed upstream: lower the learning rate or clip the gradients).
        """
        if params.keys() != grads.keys():
            raise ValueError(f"params and grads name different tensors: {sorted(set(params) ^ set(grads))}")
        checked = {}
        for name, w in params.items():
            if not (isinstance(w, np.ndarray) and w.dtype.kind == "f"):
                raise TypeError(f"params[{name!r}] must be a float NumPy array (it is updated in "
                                f"place), got {type(w).__name__} of dtype {np.asarray(w).dtype}")
            g = checked[name] = np.asarray(grads[name])
            if g.dtype.kind not in "biuf":   # real_array's check; its message only when it fails
                real_array(grads[name], f"grads[{name!r}]")
            if g.shape != w.shape:
                raise ValueError(f"{name}: gradient shape {g.shape} != parameter shape {w.shape}")
            if g.size and not np.abs(g).max() <= self.max_grad:   # NaN fails the comparison
                problem = self._bad_gradient(name, g)
                if problem:
                    raise FloatingPointError(problem)
        for name, w in params.items():
            g = checked[name]
            state = self.state.get(name)
            if state is None:
                state = self.state[name] = {}
            self._update(name, w, g, state)

    def _bad_gradient(self, name, g) -> str:
        """Why g cannot be used; "" for NaN/inf inside np.errstate(over/invalid="ignore")."""
        largest = np.abs(g[np.isfinite(g)]).max(initial=0.0)
        if largest > self.max_grad:
            problem = (f"has an entry of size {largest:.3g}, and {type(self).__name__} squares "
                       f"gradients, which overflows float64 beyond {self.max_grad:.0e}")
        elif nonfinite_ignored():
            return ""
        else:
            index = first_bad(g)
            problem = f"contains NaN or inf at index {index} (value {g[index]})"
        return (f"grads[{name!r}] {problem}; no parameter was changed. The loss or its gradient "
                "overflowed: lower the learning rate or clip the gradients (notebook 05).")

    def _update(self, name, w, g, state):  # pragma: no cover - abstract
        raise NotImplementedError


class SGD(_Optimizer):
    """Mini-batch SGD with optional classical momentum: v <- mu v - lr g; w <- w + v."""

    def __init__(self, lr: float, momentum: float = 0.0):
        super().__init__(lr)
        self.momentum = number(momentum, "momentum", 0.0, 1.0)

    def _update(self, name, w, g, state):
        if "v" not in state:
            state["v"] = np.zeros_like(w)
        v = state["v"]
        v *= self.momentum            # v <- mu v - lr g, in place (same arithmetic, no new arrays)
        v -= self.lr * g
        w += v


class RMSprop(_Optimizer):
    """s <- beta s + (1 - beta) g^2;  w <- w - lr g / (sqrt(s) + eps)."""

    max_grad = 1e154

    def __init__(self, lr: float = 1e-3, beta: float = 0.9, eps: float = 1e-8):
        super().__init__(lr)
        self.beta = number(beta, "beta", 0.0, 1.0)
        self.eps = number(eps, "eps", 0.0, low_open=True)

    def _update(self, name, w, g, state):
        if "s" not in state:
            state["s"] = np.zeros_like(w)
        s = state["s"]
        s *= self.beta
        s += (1.0 - self.beta) * g * g
        w -= self.lr * g / (np.sqrt(s) + self.eps)


class Adam(_Optimizer):
    """Adam with bias correction (Kingma & Ba, 2015); t counts this tensor's updates from 1."""

    max_grad = 1e154

    def __init__(self, lr: float = 1e-3, beta1: float = 0.9, beta2: float = 0.999, eps: float = 1e-8):
        super().__init__(lr)
        self.beta1 = number(beta1, "beta1", 0.0, 1.0)
        self.beta2 = number(beta2, "beta2", 0.0, 1.0)
        self.eps = number(eps, "eps", 0.0, low_open=True)

    def _update(self, name, w, g, state):
        if "t" not in state:
            state.update(t=0, m=np.zeros_like(w), v=np.zeros_like(w))
        state["t"] = t = state["t"] + 1
        m, v = state["m"], state["v"]
        # m <- b1 m + (1 - b1) g;  v <- b2 v + (1 - b2) g^2;  w <- w - lr m_hat / (sqrt(v_hat) + eps)
        # updated in place (this runs for every tensor of every mini-batch): the same operations
        # in the same order as the textbook form, so the same numbers, with fewer new arrays.
        m *= self.beta1
        m += (1.0 - self.beta1) * g
        g2 = (1.0 - self.beta2) * g
        g2 *= g
        v *= self.beta2
        v += g2
        step = m / (1.0 - self.beta1 ** t)                   # m_hat
        step *= self.lr
        denominator = np.sqrt(v / (1.0 - self.beta2 ** t))  # sqrt(v_hat)
        denominator += self.eps
        step /= denominator
        w -= step


def step_decay(lr0: float, drop: float = 0.5, every: int = 10):
    """lr(epoch) = lr0 * drop ** (epoch // every)."""
    integer(every, "every", low=1)
    return lambda epoch: lr0 * drop ** (epoch // every)


def exponential_decay(lr0: float, gamma: float = 0.95):
    """lr(epoch) = lr0 * gamma ** epoch."""
    return lambda epoch: lr0 * gamma ** epoch


def cosine_decay(lr0: float, total: int, lr_min: float = 0.0):
    """Half a cosine from lr0 (epoch 0) down to lr_min (epoch total), then lr_min."""
    integer(total, "total", low=1)

    def schedule(epoch):
        progress = min(epoch, total) / total
        return lr_min + 0.5 * (lr0 - lr_min) * (1.0 + math.cos(math.pi * progress))
    return schedule


def warmup_cosine(lr0: float, warmup: int, total: int, lr_min: float = 0.0):
    """Linear warm-up from lr0/warmup to lr0 over `warmup` epochs, then cosine decay to lr_min."""
    cosine = cosine_decay(lr0, max(total - warmup, 1), lr_min)
    return lambda epoch: lr0 * (epoch + 1) / warmup if epoch < warmup else cosine(epoch - warmup)
