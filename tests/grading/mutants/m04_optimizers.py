"""Plausible wrong answers for notebook 04, each with the hint the student must see."""

from tests.grading.harness import Mutant

_SGD_STEP = 'next_w = w - config["lr"] * dw'
_RUN_STEP = "x, config = update(x, grad_fn(x), config)"
_MOM_V = 'v = config["momentum"] * v - config["lr"] * dw'
_RMS_S = 's = config["beta"] * s + (1 - config["beta"]) * dw * dw'
_RMS_STEP = 'return w - config["lr"] * dw / (np.sqrt(s) + config["eps"]), config'
_ADAM_HAT = "m_hat = m / (1 - beta1 ** t)\n    v_hat = v / (1 - beta2 ** t)"
_ADAM_BETAS = 'beta1, beta2 = config["beta1"], config["beta2"]'
_MOM_DEFAULTS = 'config = {}\n    config.setdefault("lr", 1e-2)\n    config.setdefault("momentum", 0.9)'
_RMS_DEFAULTS = ('config = {}\n    config.setdefault("lr", 1e-2)\n    config.setdefault("beta", 0.99)\n'
                 '    config.setdefault("eps", 1e-8)')
_ADAM_DEFAULTS = ('config = {}\n    for key, default in (("lr", 1e-3), ("beta1", 0.9), ("beta2", 0.999), ("eps", 1e-8), '
                  '("t", 0)):\n        config.setdefault(key, default)')
_SHARED = "a default like config={} (or a module-level dict) is created once"
_PARTIAL = "fill in each missing key, also when a config is given"
_DW_CHANGED = "your rule changed the gradient dw it was given"

MUTANTS = [
    # Exercise 4.1 sgd and run_optimizer
    Mutant("ex4_1_sgd_run", "sgd moves uphill", ((_SGD_STEP, 'next_w = w + config["lr"] * dw'),),
           "you moved uphill"),
    Mutant("ex4_1_sgd_run", "sgd ignores config lr", ((_SGD_STEP, "next_w = w - 1e-2 * dw"),),
           "read config['lr']"),
    Mutant("ex4_1_sgd_run", "trajectory without x0", (("path = [x.copy()]", "path = []"),),
           "the trajectory starts with x0"),
    Mutant("ex4_1_sgd_run", "state not carried over", ((_RUN_STEP, "x, _ = update(x, grad_fn(x), config)"),),
           "the state must carry over"),
    Mutant("ex4_1_sgd_run", "gradient always at x0", ((_RUN_STEP, "x, config = update(x, grad_fn(x0), config)"),),
           "not at x0"),
    Mutant("ex4_1_sgd_run", "schedule off by one", (('config["lr"] = schedule(t)', 'config["lr"] = schedule(t + 1)'),),
           "off by one: the first step uses schedule(0)"),
    Mutant("ex4_1_sgd_run", "sgd returns only next_w", (("return next_w, config", "return next_w"),),
           "end with: return next_w, config."),
    Mutant("ex4_1_sgd_run", "sgd defaults only when config is None",
           (('config = {}\n    config.setdefault("lr", 1e-2)', 'config = {"lr": 1e-2}'),), _PARTIAL),
    Mutant("ex4_1_sgd_run", "sgd with a shared default dict",
           (("def sgd(w, dw, config=None):", "def sgd(w, dw, config={}):"),), _SHARED),
    Mutant("ex4_1_sgd_run", "trajectory returned as a list", (("return np.array(path)", "return path"),),
           "return np.array(path)."),
    Mutant("ex4_1_sgd_run", "trajectory holds the same array (no copies)",
           (("path.append(np.array(x, dtype=float))", "path.append(x)"),
            ("path = [x.copy()]", "path = [x]")),
           "every row is the last point"),
    Mutant("ex4_1_sgd_run", "x0 not copied", (("x = np.array(x0, dtype=float)", "x = np.asarray(x0, dtype=float)"),),
           "start from a copy"),
    Mutant("ex4_1_sgd_run", "caller's config modified",
           (("config = {} if config is None else dict(config)", "config = {} if config is None else config"),),
           "work on a copy"),
    Mutant("ex4_1_sgd_run", "sgd scales dw in place",
           ((_SGD_STEP, 'dw *= config["lr"]\n    next_w = w - dw'),), _DW_CHANGED),
    # Exercise 4.2 sgd_momentum
    Mutant("ex4_2_momentum", "momentum sign flipped",
           ((_MOM_V, 'v = config["momentum"] * v + config["lr"] * dw'),), "momentum sign flipped"),
    Mutant("ex4_2_momentum", "velocity subtracted", (("return w + v, config", "return w - v, config"),),
           "momentum sign flipped"),
    Mutant("ex4_2_momentum", "EMA form instead of classical",
           ((_MOM_V, 'v = config["momentum"] * v + (1 - config["momentum"]) * dw'),
            ("return w + v, config", 'return w - config["lr"] * v, config')),
           "this is the EMA form"),
    Mutant("ex4_2_momentum", "momentum hard-coded", ((_MOM_V, 'v = 0.9 * v - config["lr"] * dw'),),
           "but 0.9 was used"),
    Mutant("ex4_2_momentum", "velocity not stored", (('config["velocity"] = v', "pass"),),
           "the velocity did not carry over"),
    Mutant("ex4_2_momentum", "PyTorch form of the velocity",
           ((_MOM_V, 'v = config["momentum"] * v + dw'), ("return w + v, config", 'return w - config["lr"] * v, config')),
           "you stored the PyTorch velocity"),
    Mutant("ex4_2_momentum", "velocity stored with the opposite sign (same steps from a zero start)",
           ((_MOM_V, 'v = config["momentum"] * v + config["lr"] * dw'), ("return w + v, config", "return w - v, config")),
           "your velocity has the opposite sign"),
    Mutant("ex4_2_momentum", "defaults only when config is None",
           ((_MOM_DEFAULTS, 'config = {"lr": 1e-2, "momentum": 0.9}'),), _PARTIAL),
    Mutant("ex4_2_momentum", "shared default dict",
           (("def sgd_momentum(w, dw, config=None):", "def sgd_momentum(w, dw, config={}):"),), _SHARED),
    Mutant("ex4_2_momentum", "momentum scales dw in place",
           ((_MOM_V, 'dw *= config["lr"]\n    v = config["momentum"] * v - dw'),), _DW_CHANGED),
    # Exercise 4.3 rmsprop
    Mutant("ex4_3_rmsprop", "epsilon inside the square root",
           ((_RMS_STEP, 'return w - config["lr"] * dw / np.sqrt(s + config["eps"]), config'),),
           "epsilon inside the square root"),
    Mutant("ex4_3_rmsprop", "squared gradient not weighted",
           ((_RMS_S, 's = config["beta"] * s + dw * dw'),), "weighted by (1 - beta)"),
    Mutant("ex4_3_rmsprop", "beta hard-coded", ((_RMS_S, "s = 0.99 * s + (1 - 0.99) * dw * dw"),),
           "but 0.99 was used"),
    Mutant("ex4_3_rmsprop", "no square root",
           ((_RMS_STEP, 'return w - config["lr"] * dw / (s + config["eps"]), config'),), "ROOT mean square"),
    Mutant("ex4_3_rmsprop", "bias correction added",
           (('config["s"] = s', 'config["s"] = s\n    config["t"] = config.get("t", 0) + 1\n'
                                '    s = s / (1 - config["beta"] ** config["t"])'),),
           "or you added a bias correction; RMSprop has none"),
    Mutant("ex4_3_rmsprop", "eps hard-coded",
           ((_RMS_STEP, 'return w - config["lr"] * dw / (np.sqrt(s) + 1e-8), config'),), "but 1e-8 was used"),
    Mutant("ex4_3_rmsprop", "defaults only when config is None",
           ((_RMS_DEFAULTS, 'config = {"lr": 1e-2, "beta": 0.99, "eps": 1e-8}'),), _PARTIAL),
    Mutant("ex4_3_rmsprop", "rmsprop divides dw in place",
           ((_RMS_STEP, 'dw /= np.sqrt(s) + config["eps"]\n    return w - config["lr"] * dw, config'),), _DW_CHANGED),
    # Exercise 4.4 adam
    Mutant("ex4_4_adam", "no bias correction", ((_ADAM_HAT, "m_hat = m\n    v_hat = v"),),
           "Adam without bias correction"),
    Mutant("ex4_4_adam", "t incremented after use",
           (('t = config["t"] + 1', 't = config["t"]'), ("config.update(m=m, v=v, t=t)", "config.update(m=m, v=v, t=t + 1)")),
           "Increment t BEFORE using it"),
    Mutant("ex4_4_adam", "bias correction one step late",
           ((_ADAM_HAT, "m_hat = m / (1 - beta1 ** (t + 1))\n    v_hat = v / (1 - beta2 ** (t + 1))"),),
           "bias correction at the wrong t"),
    Mutant("ex4_4_adam", "betas swapped", ((_ADAM_BETAS, 'beta2, beta1 = config["beta1"], config["beta2"]'),),
           "beta1 and beta2 swapped"),
    Mutant("ex4_4_adam", "epsilon inside the square root",
           (('m_hat / (np.sqrt(v_hat) + config["eps"])', 'm_hat / np.sqrt(v_hat + config["eps"])'),),
           "epsilon inside the square root"),
    Mutant("ex4_4_adam", "default hyperparameters hard-coded",
           ((_ADAM_BETAS, "beta1, beta2 = 0.9, 0.999"),
            ('(np.sqrt(v_hat) + config["eps"])', "(np.sqrt(v_hat) + 1e-8)")),
           "the defaults were used"),
    Mutant("ex4_4_adam", "t never stored", (("config.update(m=m, v=v, t=t)", "config.update(m=m, v=v)"),),
           "keep m, v and t in config"),
    Mutant("ex4_4_adam", "bias-corrected moments stored",
           (("config.update(m=m, v=v, t=t)", "config.update(m=m_hat, v=v_hat, t=t)"),),
           "store the raw m and v in config, not m_hat and v_hat"),
    Mutant("ex4_4_adam", "the paper's efficient form without rescaling eps",
           ((_ADAM_HAT, 'lr_t = config["lr"] * np.sqrt(1 - beta2 ** t) / (1 - beta1 ** t)'),
            ('config["lr"] * m_hat / (np.sqrt(v_hat) + config["eps"])', 'lr_t * m / (np.sqrt(v) + config["eps"])')),
           "it equals Adam only if eps is rescaled too"),
    Mutant("ex4_4_adam", "defaults only when config is None",
           ((_ADAM_DEFAULTS, 'config = {"lr": 1e-3, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8, "t": 0}'),), _PARTIAL),
    Mutant("ex4_4_adam", "shared default dict", (("def adam(w, dw, config=None):", "def adam(w, dw, config={}):"),),
           _SHARED),
    Mutant("ex4_4_adam", "adam squares dw in place",
           (("v = beta2 * v + (1 - beta2) * dw * dw", "dw **= 2\n    v = beta2 * v + (1 - beta2) * dw"),), _DW_CHANGED),
    # Exercise 4.5 schedules
    Mutant("ex4_5_schedules", "step decay off by one",
           (("lr0 * drop ** (epoch // every)", "lr0 * drop ** ((epoch + 1) // every)"),),
           "not (epoch + 1) // every"),
    Mutant("ex4_5_schedules", "step decay without floor",
           (("lr0 * drop ** (epoch // every)", "lr0 * drop ** (epoch / every)"),), "integer division"),
    Mutant("ex4_5_schedules", "exponential off by one", (("lr0 * gamma ** epoch", "lr0 * gamma ** (epoch + 1)"),),
           "gamma ** 0 = 1"),
    Mutant("ex4_5_schedules", "cosine off by one",
           (("progress = min(epoch, total) / total", "progress = min(epoch + 1, total) / total"),),
           "epoch 0 must give lr0"),
    Mutant("ex4_5_schedules", "cosine not clamped", (("progress = min(epoch, total) / total", "progress = epoch / total"),),
           "use min(epoch, total)"),
    Mutant("ex4_5_schedules", "warm-up starts at zero", (("lr0 * (epoch + 1) / warmup", "lr0 * epoch / warmup"),),
           "must not have lr 0"),
    Mutant("ex4_5_schedules", "cosine not shifted after warm-up",
           (("cosine_decay(epoch - warmup, lr0, total - warmup, lr_min)", "cosine_decay(epoch, lr0, total, lr_min)"),),
           "pass epoch - warmup to cosine_decay"),
    Mutant("ex4_5_schedules", "warm-up climbs from lr_min",
           (("lr0 * (epoch + 1) / warmup", "lr_min + (lr0 - lr_min) * (epoch + 1) / warmup"),),
           "the warm-up climbs from 0 (not from lr_min)"),
    Mutant("ex4_5_schedules", "warm-up drops lr_min",
           (("cosine_decay(epoch - warmup, lr0, total - warmup, lr_min)", "cosine_decay(epoch - warmup, lr0, total - warmup)"),),
           "pass lr_min on to cosine_decay"),
    Mutant("ex4_5_schedules", "cosine part over the full total",
           (("cosine_decay(epoch - warmup, lr0, total - warmup, lr_min)",
             "cosine_decay(epoch - warmup, lr0, total, lr_min)"),),
           "lasts total - warmup epochs"),
]

# Correct answers written differently: each must pass every check of its exercise (tests/grading/test_accepted_answers.py).
ACCEPTED = [
    Mutant("ex4_4_adam", "the paper's efficient form with eps rescaled",
           ((_ADAM_HAT, 'lr_t = config["lr"] * np.sqrt(1 - beta2 ** t) / (1 - beta1 ** t)\n'
                        '    eps_hat = config["eps"] * np.sqrt(1 - beta2 ** t)'),
            ('config["lr"] * m_hat / (np.sqrt(v_hat) + config["eps"])', 'lr_t * m / (np.sqrt(v) + eps_hat)')),
           ""),
]
