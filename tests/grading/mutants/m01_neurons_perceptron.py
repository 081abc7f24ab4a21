"""Plausible wrong answers for notebook 01, each with the hint the student must see."""

from tests.grading.harness import Mutant

_VARIANTS_UPDATE = "perceptron_update(w, b, x_i, y_i, lr)"
_VARIANTS_UPDATE_LINE = "w, b = " + _VARIANTS_UPDATE
_VARIANTS_RETURN = 'return {"final": (w, b), "averaged": (w_sum / visits, b_sum / visits), "pocket": pocket}'

MUTANTS = [
    # Exercise 1.1 predict
    Mutant("ex1_1_predict", "strict step (z > 0)", (("z >= 0", "z > 0"),), "use z >= 0, not z > 0"),
    Mutant("ex1_1_predict", "returns z, no step", (("return (z >= 0).astype(int)", "return z"),),
           "raw weighted sum"),
    Mutant("ex1_1_predict", "np.sign labels", (("return (z >= 0).astype(int)", "return np.sign(z)"),),
           "not -1 and +1"),
    Mutant("ex1_1_predict", "bias left out", (("z = X @ w + b", "z = X @ w"),), "bias was left out"),
    # Exercise 1.2 perceptron_update
    Mutant("ex1_2_update", "error sign flipped", (("error = y - y_hat", "error = y_hat - y"),),
           "moved the wrong way"),
    Mutant("ex1_2_update", "learning rate ignored",
           (("w_new = w + lr * error * x", "w_new = w + error * x"),), "learning rate seems to be ignored"),
    Mutant("ex1_2_update", "bias not updated", (("b_new = b + lr * error", "b_new = b"),),
           "bias was not updated"),
    Mutant("ex1_2_update", "bias restarted from zero (b_new = lr * error)", (("b_new = b + lr * error", "b_new = lr * error"),),
           "b_new starts from the current bias"),
    Mutant("ex1_2_update", "updates the caller's w in place",
           (("w_new = w + lr * error * x", "w += lr * error * x\n    w_new = w"),),
           "changes the caller's array in place"),
    Mutant("ex1_2_update", "bias left out of the prediction", (("x @ w + b >= 0", "x @ w >= 0"),),
           "y_hat must include the bias"),
    Mutant("ex1_2_update", "strict step at z = 0", (("x @ w + b >= 0", "x @ w + b > 0"),),
           "at z = 0 the prediction is 1"),
    # Exercise 1.3 train_perceptron
    Mutant("ex1_3_train", "no convergence detection",
           (("        if mistakes == 0:\n            break\n", ""),), "did not stop at convergence"),
    Mutant("ex1_3_train", "stops before recording the final epoch",
           (("        errors.append(mistakes)\n        if mistakes == 0:\n            break",
             "        if mistakes == 0:\n            break\n        errors.append(mistakes)"),),
           "error-free epoch is missing"),
    Mutant("ex1_3_train", "mistake counter never reset",
           (("    for _ in range(max_epochs):\n        mistakes = 0\n",
             "    mistakes = 0\n    for _ in range(max_epochs):\n"),), "counter is not reset"),
    Mutant("ex1_3_train", "learning rate hard-coded to 1",
           (("perceptron_update(w, b, x_i, y_i, lr)", "perceptron_update(w, b, x_i, y_i, 1.0)"),),
           "pass the lr argument"),
    Mutant("ex1_3_train", "one epoch too many", (("range(max_epochs)", "range(max_epochs + 1)"),),
           "range(max_epochs)"),
    Mutant("ex1_3_train", "mistakes counted after the update",
           (("            if predict(x_i[None, :], w, b)[0] != y_i:\n"
             "                mistakes += 1\n"
             "            w, b = perceptron_update(w, b, x_i, y_i, lr)\n",
             "            w, b = perceptron_update(w, b, x_i, y_i, lr)\n"
             "            if predict(x_i[None, :], w, b)[0] != y_i:\n"
             "                mistakes += 1\n"),),
           "count a mistake BEFORE calling perceptron_update"),
    # Exercise 1.4 train_perceptron_variants
    Mutant("ex1_4_variants", "a tuple instead of the dict",
           ((_VARIANTS_RETURN, "return (w, b), (w_sum / visits, b_sum / visits), pocket"),), "end with: return {'final'"),
    Mutant("ex1_4_variants", "learning rate hard-coded to 1", ((_VARIANTS_UPDATE, "perceptron_update(w, b, x_i, y_i, 1.0)"),),
           "pass the lr argument on to perceptron_update"),
    Mutant("ex1_4_variants", "averaged at the end of each epoch only",
           (("            w_sum += w\n            b_sum += b\n        val_accuracy", "        w_sum += w\n        b_sum += b\n        val_accuracy"),
            ("visits = epochs * len(y)", "visits = epochs")),
           "not only at the end of each epoch"),
    Mutant("ex1_4_variants", "sum not divided", (('"averaged": (w_sum / visits, b_sum / visits)', '"averaged": (w_sum, b_sum)'),),
           "divide the sum of the weights by the number of visits"),
    Mutant("ex1_4_variants", "divided by the number of epochs", (("visits = epochs * len(y)", "visits = epochs"),),
           "not by the number of epochs"),
    Mutant("ex1_4_variants", "bias not averaged", (("(w_sum / visits, b_sum / visits)", "(w_sum / visits, b)"),),
           "average the bias too"),
    Mutant("ex1_4_variants", "pocket judged on the training data",
           (("np.mean(predict(X_val, w, b) == y_val)", "np.mean(predict(X, w, b) == y)"),), "judge the pocket on the validation data"),
    Mutant("ex1_4_variants", "pocket keeps the last of tied epochs",
           (("if val_accuracy > best_accuracy:", "if val_accuracy >= best_accuracy:"),), "on ties keep the earliest epoch"),
    Mutant("ex1_4_variants", "stops early after an epoch without mistakes",
           (("        for x_i, y_i in zip(X, y):\n            " + _VARIANTS_UPDATE_LINE,
             "        mistakes = 0\n        for x_i, y_i in zip(X, y):\n"
             "            mistakes += predict(x_i[None, :], w, b)[0] != y_i\n            " + _VARIANTS_UPDATE_LINE),
            ("            best_accuracy, pocket = val_accuracy, (w.copy(), b)\n",
             "            best_accuracy, pocket = val_accuracy, (w.copy(), b)\n        if mistakes == 0:\n"
             "            epochs = _ + 1\n            break\n")),
           "run exactly `epochs` epochs"),
    Mutant("ex1_4_variants", "in-place updates and a pocket without a copy",
           ((_VARIANTS_UPDATE_LINE, "error = y_i - predict(x_i[None, :], w, b)[0]\n            w += lr * error * x_i\n"
                                    "            b += lr * error"),
            ("(w.copy(), b)", "(w, b)")),
           "your pocket holds the final weights"),
    # Exercise 1.5 two_layer_step_network and XOR weights
    Mutant("ex1_5_xor_network", "no step in the hidden layer",
           (("H = (X @ W1 + b1 >= 0).astype(int)", "H = X @ W1 + b1"),), "hidden layer has no step"),
    Mutant("ex1_5_xor_network", "W1 transposed", (("X @ W1 + b1", "X @ W1.T + b1"),),
           "W1 seems transposed"),
    Mutant("ex1_5_xor_network", "strict steps", (("b1 >= 0", "b1 > 0"), ("b2 >= 0", "b2 > 0")),
           "use >= 0, not > 0"),
    Mutant("ex1_5_xor_network", "XOR weights that give OR",
           (("XOR_w2 = np.array([1.0, 1.0])", "XOR_w2 = np.array([1.0, 0.0])"),
            ("XOR_b2 = -1.5", "XOR_b2 = -0.5")), "computes OR"),
    Mutant("ex1_5_xor_network", "XOR weights that give XNOR",
           (("XOR_w2 = np.array([1.0, 1.0])", "XOR_w2 = np.array([-1.0, -1.0])"),
            ("XOR_b2 = -1.5", "XOR_b2 = 1.5")), "(XNOR)"),
]
