"""Plausible wrong answers for notebook 06 (capstone), each with the hint the student must see."""

from tests.grading.harness import Mutant

_WEIGHTS = "return np.where(y == 1, m / (2.0 * m_fail), m / (2.0 * m_pass))"
_PRECISION = "precision = tp / (tp + fp) if tp + fp > 0 else 0.0"
_RECALL = "recall = tp / (tp + fn) if tp + fn > 0 else 0.0"
_F1 = "f1 = 2 * precision * recall / (precision + recall) if precision + recall > 0 else 0.0"
_AP_RETURN = "return float(np.sum(np.diff(np.r_[0.0, recall]) * precision))"
_PICK = "return float(fail_scores[np.argmax(recall >= target_recall)])"

MUTANTS = [
    # Exercise 6.1 balanced_sample_weights
    Mutant("ex6_1_balanced_weights", "weights inverted (m_c / m)",
           ((_WEIGHTS, "return np.where(y == 1, m_fail / m, m_pass / m)"),), "the weights are inverted"),
    Mutant("ex6_1_balanced_weights", "missing the factor 2",
           ((_WEIGHTS, "return np.where(y == 1, m / m_fail, m / m_pass)"),), "twice too large"),
    Mutant("ex6_1_balanced_weights", "classes swapped",
           ((_WEIGHTS, "return np.where(y == 1, m / (2.0 * m_pass), m / (2.0 * m_fail))"),),
           "the classes are swapped"),
    Mutant("ex6_1_balanced_weights", "one weight per class",
           ((_WEIGHTS, "return np.array([m / (2.0 * m_pass), m / (2.0 * m_fail)])"),),
           "one weight per EXAMPLE"),
    Mutant("ex6_1_balanced_weights", "list input not converted",
           (("    y = np.asarray(y)\n", ""),), "np.asarray(y)"),
    Mutant("ex6_1_balanced_weights", "class counts indexed by the labels (breaks on booleans)",
           ((_WEIGHTS, "c = np.bincount(y)\n    return m / (2.0 * c[y])"),), "np.asarray(y).astype(int)"),
    # Exercise 6.2 precision_recall_f1
    Mutant("ex6_2_precision_recall_f1", "precision and recall swapped",
           ((_PRECISION, "precision = tp / (tp + fn) if tp + fn > 0 else 0.0"),
            (_RECALL, "recall = tp / (tp + fp) if tp + fp > 0 else 0.0")), "precision and recall are swapped"),
    Mutant("ex6_2_precision_recall_f1", "F1 as the arithmetic mean",
           ((_F1, "f1 = (precision + recall) / 2"),), "HARMONIC mean"),
    Mutant("ex6_2_precision_recall_f1", "accuracy instead of precision",
           ((_PRECISION, "precision = np.mean(y_true == y_pred)"),), "not the accuracy"),
    Mutant("ex6_2_precision_recall_f1", "no guard for 0 / 0",
           ((_PRECISION, "precision = tp / (tp + fp)"),), "zero_division=0"),
    Mutant("ex6_2_precision_recall_f1", "Python ints: ZeroDivisionError",
           (("tp = np.sum(y_true & y_pred)", "tp = int(np.sum(y_true & y_pred))"),
            ("fp = np.sum(~y_true & y_pred)", "fp = int(np.sum(~y_true & y_pred))"),
            (_PRECISION, "precision = tp / (tp + fp)")), "zero_division=0"),
    Mutant("ex6_2_precision_recall_f1", "no guard for recall 0 / 0 (no real fails)",
           ((_RECALL, "recall = tp / (tp + fn)"),), "TP + FN = 0"),
    Mutant("ex6_2_precision_recall_f1", "list input not converted (compared with 1)",
           (("    y_true = np.asarray(y_true).astype(bool)\n    y_pred = np.asarray(y_pred).astype(bool)\n", ""),
            ("tp = np.sum(y_true & y_pred)", "tp = np.sum((y_true == 1) & (y_pred == 1))"),
            ("fp = np.sum(~y_true & y_pred)", "fp = np.sum((y_true == 0) & (y_pred == 1))"),
            ("fn = np.sum(y_true & ~y_pred)", "fn = np.sum((y_true == 1) & (y_pred == 0))")), "np.asarray(...)"),
    # Exercise 6.3 average_precision
    Mutant("ex6_3_average_precision", "sorted from low to high",
           (('np.argsort(-scores, kind="stable")', 'np.argsort(scores, kind="stable")'),), "from low to high"),
    Mutant("ex6_3_average_precision", "ties not grouped",
           (("last = np.r_[s_sorted[1:] != s_sorted[:-1], True]", "last = np.ones(len(s_sorted), dtype=bool)"),),
           "share ONE threshold"),
    Mutant("ex6_3_average_precision", "trapezoidal interpolation",
           ((_AP_RETURN, "return float(np.sum(np.diff(np.r_[0.0, recall]) * (precision + np.r_[1.0, precision[:-1]]) / 2))"),),
           "trapezoidal"),
    Mutant("ex6_3_average_precision", "plain mean of the precisions",
           ((_AP_RETURN, "return float(np.mean(precision))"),), "averaged the precision over ALL thresholds"),
    Mutant("ex6_3_average_precision", "recall divided by all dies",
           (("recall = tp[last] / tp[-1]", "recall = tp[last] / len(y_true)"),), "number of FAILING dies"),
    # Exercise 6.4 threshold_for_recall
    Mutant("ex6_4_threshold_for_recall", "one fail too far (k+1-th score)",
           ((_PICK, "return float(fail_scores[np.argmax(recall >= target_recall) + 1])"),), "not the (k+1)-th"),
    Mutant("ex6_4_threshold_for_recall", "strict recall > target",
           (("recall >= target_recall", "recall > target_recall"),), "use >= target"),
    Mutant("ex6_4_threshold_for_recall", "one step too high (k-1-th score)",
           ((_PICK, "return float(fail_scores[np.argmax(recall >= target_recall) - 1])"),), "one step too high"),
    Mutant("ex6_4_threshold_for_recall", "lowest threshold that reaches the target",
           ((_PICK, "return float(fail_scores[np.nonzero(recall >= target_recall)[0][-1]])"),),
           "LOWEST fail score"),
    Mutant("ex6_4_threshold_for_recall", "interpolating quantile",
           ((_PICK, "return float(np.quantile(fail_scores, 1 - target_recall))"),), "np.quantile interpolates"),
    Mutant("ex6_4_threshold_for_recall", "threshold taken from all dies' scores",
           (("np.asarray(scores, dtype=float)[y_true]", "np.asarray(scores, dtype=float)"),), "ALL dies' scores"),
    Mutant("ex6_4_threshold_for_recall", "k = np.ceil(r * P) in floating point",
           ((_PICK, "return float(fail_scores[int(np.ceil(target_recall * len(fail_scores))) - 1])"),),
           "np.ceil(0.28 * 25) is 8"),
]
