"""Plausible wrong answers for notebook 01, each with the hint the student must see."""

from tests.grading.harness import Mutant

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
    Mutant("ex1_2_update", "updates the caller's w in place",
           (("w_new = w + lr * error * x", "w += lr * error * x\n    w_new = w"),),
           "changes the caller's array in place"),
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
    # Exercise 1.4 two_layer_step_network and XOR weights
    Mutant("ex1_4_xor_network", "no step in the hidden layer",
           (("H = (X @ W1 + b1 >= 0).astype(int)", "H = X @ W1 + b1"),), "hidden layer has no step"),
    Mutant("ex1_4_xor_network", "W1 transposed", (("X @ W1 + b1", "X @ W1.T + b1"),),
           "W1 seems transposed"),
    Mutant("ex1_4_xor_network", "strict steps", (("b1 >= 0", "b1 > 0"), ("b2 >= 0", "b2 > 0")),
           "use >= 0, not > 0"),
    Mutant("ex1_4_xor_network", "XOR weights that give OR",
           (("XOR_w2 = np.array([1.0, 1.0])", "XOR_w2 = np.array([1.0, 0.0])"),
            ("XOR_b2 = -1.5", "XOR_b2 = -0.5")), "computes OR"),
    Mutant("ex1_4_xor_network", "XOR weights that give XNOR",
           (("XOR_w2 = np.array([1.0, 1.0])", "XOR_w2 = np.array([-1.0, -1.0])"),
            ("XOR_b2 = -1.5", "XOR_b2 = 1.5")), "(XNOR)"),
]
