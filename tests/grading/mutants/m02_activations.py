"""Plausible wrong answers for notebook 02, each with the hint the student must see."""

from tests.grading.harness import Mutant

MUTANTS = [
    # Exercise 2.1 collapse_linear_layers
    Mutant("ex2_1_collapse", "weights multiplied in reverse order",
           (("W = W @ W_k", "W = W_k @ W"),), "order of the factors"),
    Mutant("ex2_1_collapse", "later biases not carried through the weights",
           (("b = b @ W_k + b_k", "b = b_k"),), "b1 must be carried through W2"),
    Mutant("ex2_1_collapse", "biases summed without the weights",
           (("    b = np.zeros(weights[0].shape[0])\n", ""),
            ("        b = b @ W_k + b_k\n", ""),
            ("    return W, b", "    b = sum(b_k.sum() for b_k in biases)\n    return W, np.atleast_1d(b)")),
           "pass through every later weight matrix"),
    # Exercise 2.2 sigmoid
    Mutant("ex2_2_sigmoid", "naive sigmoid overflows",
           (("    e = np.exp(-np.abs(z))\n    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))",
             "    return 1.0 / (1.0 + np.exp(-z))"),), "exp overflowed"),
    Mutant("ex2_2_sigmoid", "derivative written as sigma", (("return s * (1.0 - s)", "return s"),),
           "this is sigma(z) itself"),
    Mutant("ex2_2_sigmoid", "derivative applied to z", (("s = sigmoid(z)\n    return", "s = z\n    return"),),
           "first compute s = sigmoid(z)"),
    # Exercise 2.3 tanh', ReLU family
    Mutant("ex2_3_relu_family", "relu_grad(0) = 1", (("return (z > 0).astype(float)", "return (z >= 0).astype(float)"),),
           "use z > 0, not z >= 0"),
    Mutant("ex2_3_relu_family", "alpha hard-coded", (("np.where(z > 0, z, alpha * z)", "np.where(z > 0, z, 0.01 * z)"),),
           "use the alpha argument"),
    Mutant("ex2_3_relu_family", "leaky gradient alpha * z", (("np.where(z > 0, 1.0, alpha)", "np.where(z > 0, 1.0, alpha * z)"),),
           "not alpha * z"),
    Mutant("ex2_3_relu_family", "relu changes its input in place",
           (("return np.maximum(0.0, z)", "z[z < 0] = 0.0\n    return z"),), "you changed the array passed in"),
    Mutant("ex2_3_relu_family", "tanh' applied to z", (("1.0 - np.tanh(z) ** 2", "1.0 - z ** 2"),),
           "first compute t = np.tanh(z)"),
    # Exercise 2.4 ELU and Swish
    Mutant("ex2_4_elu_swish", "ELU exp overflows in the unused branch",
           (("alpha * np.expm1(np.minimum(z, 0.0))", "alpha * np.expm1(z)"),), "np.where computes both branches"),
    Mutant("ex2_4_elu_swish", "ELU gradient keeps the -1",
           (("np.where(z > 0, 1.0, alpha * np.exp(np.minimum(z, 0.0)))",
             "np.where(z > 0, 1.0, alpha * np.expm1(np.minimum(z, 0.0)))"),), "the -1 disappears"),
    Mutant("ex2_4_elu_swish", "Swish gradient without the product rule",
           (("return s + z * s * (1.0 - s)", "return s"),), "only the first term of the product rule"),
    Mutant("ex2_4_elu_swish", "ELU alpha ignored",
           (("return np.where(z > 0, z, alpha * np.expm1", "return np.where(z > 0, z, 1.0 * np.expm1"),),
           "use the alpha argument"),
    # Exercise 2.5 softmax
    Mutant("ex2_5_softmax", "no max shift", (("shifted = Z - Z.max(axis=1, keepdims=True)", "shifted = Z"),),
           "subtract each row's maximum"),
    Mutant("ex2_5_softmax", "normalised over columns",
           (("E / E.sum(axis=1, keepdims=True)", "E / E.sum(axis=0, keepdims=True)"),
            ("Z.max(axis=1, keepdims=True)", "Z.max(axis=0, keepdims=True)")), "you normalised each column"),
    Mutant("ex2_5_softmax", "one global maximum", (("Z - Z.max(axis=1, keepdims=True)", "Z - Z.max()"),),
           "subtract each row's OWN maximum"),
    Mutant("ex2_5_softmax", "row sums without keepdims",
           (("E / E.sum(axis=1, keepdims=True)", "E / E.sum(axis=1)"),), "keepdims=True"),
]

# Issue 13 (items 11a, 11b, 12): slips that the old checks let through or answered with the wrong hint.
MUTANTS += [
    Mutant("ex2_1_collapse", "hard-wired to two layers",
           (("    W = np.eye(weights[0].shape[0])\n    b = np.zeros(weights[0].shape[0])\n"
             "    for W_k, b_k in zip(weights, biases):\n        W = W @ W_k\n        b = b @ W_k + b_k\n",
             "    W = weights[0] @ weights[1]\n    b = biases[0] @ weights[1] + biases[1]\n"),),
           "handle exactly two layers"),
    Mutant("ex2_1_collapse", "np.linalg.multi_dot of all weights",
           (("    return W, b", "    return np.linalg.multi_dot(weights), b"),),
           "np.linalg.multi_dot needs at least two matrices"),
    Mutant("ex2_1_collapse", "bias accumulated in place from the last layer",
           (("    W = np.eye(weights[0].shape[0])\n    b = np.zeros(weights[0].shape[0])\n"
             "    for W_k, b_k in zip(weights, biases):\n        W = W @ W_k\n        b = b @ W_k + b_k\n",
             "    W, b = weights[-1], biases[-1]\n"
             "    for W_k, b_k in zip(reversed(weights[:-1]), reversed(biases[:-1])):\n"
             "        b += b_k @ W\n        W = W_k @ W\n"),),
           "you changed one of the arrays passed in"),
    Mutant("ex2_2_sigmoid", "clips the caller's z in place",
           (("    z = np.asarray(z)\n", "    z = np.asarray(z)\n    np.clip(z, -500, 500, out=z)\n"),),
           "np.clip(..., out=z)"),
    Mutant("ex2_2_sigmoid", "clipped copy of z loses tiny values",
           (("    e = np.exp(-np.abs(z))\n    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))",
             "    z = np.clip(z, -500, 500)\n    return 1.0 / (1.0 + np.exp(-z))"),),
           "tiny values lost their precision"),
    Mutant("ex2_2_sigmoid", "1 - sigmoid(-z) for negative z",
           (("e / (1.0 + e))", "1.0 - 1.0 / (1.0 + e))"),), "1 - sigmoid(-z) rounds to 0"),
    Mutant("ex2_2_sigmoid", "math.exp one value at a time",
           (("    e = np.exp(-np.abs(z))\n    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))",
             "    import math\n"
             "    return np.array([1.0 / (1.0 + math.exp(-v)) for v in z.ravel()]).reshape(z.shape)"),),
           "np.exp on the whole array"),
    Mutant("ex2_3_relu_family", "tanh_grad clips the caller's z in place",
           (("    return 1.0 - np.tanh(z) ** 2", "    np.clip(z, -20, 20, out=z)\n    return 1.0 - np.tanh(z) ** 2"),),
           "np.clip(..., out=z)"),
    Mutant("ex2_4_elu_swish", "swish clips the caller's z in place",
           (("    return z * sigmoid(z)", "    np.clip(z, -500, 500, out=z)\n    return z * sigmoid(z)"),),
           "np.clip(..., out=z)"),
    Mutant("ex2_5_softmax", "shifts the caller's logits in place",
           (("shifted = Z - Z.max(axis=1, keepdims=True)", "Z -= Z.max(axis=1, keepdims=True)\n    shifted = Z"),),
           "you changed the caller's logits"),
]
