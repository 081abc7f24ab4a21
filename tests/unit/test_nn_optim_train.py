"""Reference network, optimizers and training loop: gradients, stability, determinism."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers.data import make_parametric_tests, standardize, train_val_test_split
from helpers.gradcheck import gradcheck
from helpers.nn import MLP, binary_cross_entropy, softmax_cross_entropy
from helpers.optim import SGD, Adam, RMSprop, cosine_decay, exponential_decay, step_decay, warmup_cosine
from helpers.train import accuracy, train


@pytest.mark.parametrize("hidden", ["relu", "tanh", "sigmoid"])
@pytest.mark.parametrize("outputs", [1, 3])
def test_backward_matches_finite_differences(hidden, outputs):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(7, 4))
    y = rng.integers(0, 2, 7) if outputs == 1 else rng.integers(0, 3, 7)
    model = MLP([4, 5, 3, outputs], hidden=hidden, seed=1)
    loss_fn = binary_cross_entropy if outputs == 1 else softmax_cross_entropy
    _, dlogits = loss_fn(model.forward(X), y)
    grads = model.backward(dlogits)
    # 1e-6: sigmoid hidden layers give gradients ~1e-4 whose finite differences lose digits.
    report = gradcheck(lambda: loss_fn(model.forward(X), y)[0], model.params, grads, tol=1e-6)
    assert report.ok, str(report)


def test_dropout_is_inverted_and_off_in_evaluation():
    model = MLP([3, 2000, 1], dropout=0.5, seed=0)
    X = np.ones((1, 3))
    model.forward(X, training=True)
    _, _, mask = model._cache[0]
    assert set(np.unique(mask)) == {0.0, 2.0} and abs(mask.mean() - 1.0) < 0.1
    assert np.array_equal(model.forward(X), model.forward(X))   # evaluation is deterministic


@given(st.floats(-1e4, 1e4), st.integers(0, 1))
def test_bce_is_finite_for_extreme_logits(z, y):
    loss, grad = binary_cross_entropy(np.array([z]), np.array([y]))
    assert np.isfinite(loss) and loss >= 0 and np.all(np.isfinite(grad))


def test_bce_sample_weights_and_errors():
    loss_w, grad_w = binary_cross_entropy(np.array([0.0, 0.0]), np.array([1, 0]), np.array([3.0, 1.0]))
    assert loss_w == pytest.approx(np.log(2)) and grad_w == pytest.approx([-0.375, 0.125])
    with pytest.raises(ValueError, match="shape"):
        binary_cross_entropy(np.zeros((2, 1)), np.zeros(2))


def test_optimizers_closed_form_first_steps():
    for opt, expected in ((SGD(0.1), [0.8]), (SGD(0.1, momentum=0.9), [0.8]),
                          (RMSprop(0.1, beta=0.9), [1 - 0.1 * 2 / (np.sqrt(0.4) + 1e-8)]),
                          (Adam(0.1), [0.9])):
        params, grads = {"w": np.array([1.0])}, {"w": np.array([2.0])}
        opt.step(params, grads)
        assert params["w"] == pytest.approx(expected, rel=1e-6), type(opt).__name__
    momentum = SGD(0.1, momentum=0.9)
    params = {"w": np.array([1.0])}
    for _ in range(2):
        momentum.step(params, {"w": np.array([2.0])})
    assert params["w"] == pytest.approx([1.0 - 0.2 - (0.9 * 0.2 + 0.2)])
    adam = Adam(0.1)
    params = {"w": np.array([1.0])}
    for _ in range(3):   # bias correction keeps the step at lr for a constant gradient
        adam.step(params, {"w": np.array([5.0])})
    assert params["w"] == pytest.approx([0.7], rel=1e-6)
    with pytest.raises(ValueError, match="shape"):
        Adam().step({"w": np.zeros(2)}, {"w": np.zeros(3)})


def test_schedules():
    assert [step_decay(1.0, 0.5, 2)(e) for e in range(5)] == [1, 1, 0.5, 0.5, 0.25]
    assert exponential_decay(2.0, 0.5)(3) == 0.25
    cos = cosine_decay(1.0, 10, 0.1)
    assert cos(0) == 1.0 and cos(10) == pytest.approx(0.1) and cos(5) == pytest.approx(0.55)
    warm = warmup_cosine(1.0, 4, 14)
    assert [warm(e) for e in range(4)] == [0.25, 0.5, 0.75, 1.0] and warm(14) == pytest.approx(0.0)


@pytest.mark.parametrize("seed", range(3))
def test_training_on_parametric_data_beats_a_constant_and_is_deterministic(seed):
    data = make_parametric_tests(n_devices=1500, seed=seed)
    split = train_val_test_split(data.X, data.y, seed=seed)
    X_tr, X_va, _ = standardize(split.X_train, split.X_val)
    runs = []
    for _ in range(2):
        model = MLP([20, 32, 1], seed=seed)
        history = train(model, X_tr, split.y_train, Adam(3e-3), epochs=15, X_val=X_va,
                        y_val=split.y_val, seed=seed)
        runs.append(history["val_loss"])
    assert runs[0] == runs[1]
    assert accuracy(model, X_va, split.y_val) > 0.85
    assert history["train_loss"][-1] < history["train_loss"][0]


def test_early_stopping_restores_the_best_parameters():
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(60, 5)), rng.integers(0, 2, 60)   # pure noise: overfits at once
    X_val, y_val = rng.normal(size=(60, 5)), rng.integers(0, 2, 60)
    model = MLP([5, 64, 1], seed=0)
    history = train(model, X, y, Adam(1e-2), epochs=200, X_val=X_val, y_val=y_val, patience=5)
    assert len(history["val_loss"]) < 200
    best = history["best_epoch"]
    from helpers.nn import binary_cross_entropy as bce
    assert bce(model.forward(X_val), y_val)[0] == pytest.approx(history["val_loss"][best - 1])


def test_training_rejects_bad_input_clearly():
    model = MLP([2, 3, 1])
    with pytest.raises(ValueError, match="NaN"):
        train(model, np.array([[np.nan, 0.0]]), np.array([1]), SGD(0.1), epochs=1)
    with pytest.raises(ValueError, match="shape"):
        model.forward(np.zeros((4, 3)))
    with pytest.raises(FloatingPointError, match="learning rate"), np.errstate(all="ignore"):
        X_big = np.random.default_rng(0).normal(size=(8, 2)) * 1e100
        train(MLP([2, 8, 1], seed=0), X_big, np.arange(8) % 2, SGD(1e100), epochs=5)
