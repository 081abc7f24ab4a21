"""The student-facing checks: pass quietly, fail with expected/got/shape and the right hint."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import array_shapes, arrays

from helpers import checks


def _fail_message(fn) -> str:
    with pytest.raises(checks.CheckFailed) as info:
        fn()
    return str(info.value)


def test_passing_checks_print_passed_with_count(capsys):
    with checks.exercise("demo") as check:
        check.array(np.array([1.0, 2.0]), [1.0, 2.0], "two values")
        check.true(True, "a condition")
    assert "PASSED - demo: 2 of 2 checks" in capsys.readouterr().out


def test_failure_names_expected_got_and_hint():
    msg = _fail_message(lambda: checks.Checker("ex").array(np.array([0, 0]), [0, 1], "call", hint="h!"))
    assert "FAILED - ex" in msg and "expected:" in msg and "got:" in msg and "hint: h!" in msg
    assert "shape (2,)" in msg and "index (1,)" in msg


def test_known_mistake_hint_wins_over_generic_hint():
    msg = _fail_message(lambda: checks.Checker("ex").array(
        np.array([2.0]), [1.0], "call", hint="generic", mistakes={"doubled!": [2.0]}))
    assert "doubled!" in msg and "generic" not in msg


def test_predicate_mistakes_and_broken_predicates():
    check = checks.Checker("ex")
    msg = _fail_message(lambda: check.array(np.array([5.0]), [1.0], "c", hint="generic",
                                            mistakes={"boom": lambda g: 1 / 0, "big": lambda g: g[0] > 3}))
    assert "big" in msg


def test_none_shape_nan_and_non_numeric_have_specific_messages():
    check = checks.Checker("ex")
    assert "return" in _fail_message(lambda: check.array(None, [1], "c"))
    msg = _fail_message(lambda: check.array(np.zeros((3, 1)), np.zeros(3), "c"))
    assert "expected shape (3,), got shape (3, 1)" in msg and ".ravel()" in msg
    assert "transposed" in _fail_message(lambda: check.array(np.zeros((2, 3)), np.zeros((3, 2)), "c"))
    assert "NaN" in _fail_message(lambda: check.array(np.array([np.nan]), [1.0], "c"))
    assert "numbers" in _fail_message(lambda: check.array("abc", [1.0], "c"))
    assert "NumPy array" in _fail_message(lambda: check.array([[1], [1, 2]], [1.0], "c"))


def test_earlier_passes_are_reported_in_the_failure():
    check = checks.Checker("ex")
    check.true(True, "first")
    assert "1 earlier check(s) passed" in _fail_message(lambda: check.true(False, "second"))


def test_raises_check():
    check = checks.Checker("ex")
    check.raises(ValueError, lambda: int("x"), "bad int")
    assert "nothing was raised" in _fail_message(lambda: check.raises(ValueError, lambda: 1, "c"))
    assert "KeyError" in _fail_message(lambda: check.raises(ValueError, lambda: {}["k"], "c"))


def test_check_failed_is_an_assertion_error_so_nbgrader_scores_zero():
    assert issubclass(checks.CheckFailed, AssertionError)


@given(arrays(np.float64, array_shapes(max_dims=3, max_side=5),
              elements=st.floats(-1e300, 1e300, allow_nan=False)))
def test_an_array_always_passes_against_itself(values):
    checks.Checker("prop").array(values.copy(), values, "itself")


@given(arrays(np.float64, array_shapes(max_dims=2, max_side=4), elements=st.floats(allow_nan=True,
                                                                                     allow_infinity=True)))
def test_describe_never_fails_and_stays_short(values):
    text = checks.describe(values)
    assert "shape" in text and len(text) < 400


def test_an_unsolved_stub_gets_a_plain_not_done_yet_message():
    def stub():
        raise NotImplementedError()

    with pytest.raises(checks.CheckFailed) as info:
        with checks.exercise("Exercise 9.9 - stub") as check:
            check.array(stub(), [1.0], "stub()")
    assert "NOT DONE YET - Exercise 9.9 - stub" in str(info.value)
    assert "raise NotImplementedError()" in str(info.value)
    assert info.value.__suppress_context__


def test_quietly_returns_the_value_or_fails_on_a_numpy_warning():
    check = checks.Checker("ex")
    assert check.quietly(lambda: np.exp(np.array([1.0])), "fine")[0] == pytest.approx(np.e)
    msg = _fail_message(lambda: check.quietly(lambda: np.exp(np.array([1e4])), "overflow", hint="shift!"))
    assert "overflow" in msg and "hint: shift!" in msg
    with np.errstate(all="ignore"):  # even when the caller silenced NumPy, the check still sees it
        msg = _fail_message(lambda: check.quietly(lambda: np.array([0.0]) / 0.0, "nan", hint="h"))
    assert "invalid value" in msg


def test_a_shape_error_in_student_code_becomes_a_failure_with_a_shape_hint():
    with pytest.raises(checks.CheckFailed) as info:
        with checks.exercise("Exercise 9.8 - shapes") as check:
            check.array(np.ones((2, 3)) - np.ones((2, 3)).max(axis=1), np.zeros((2, 3)), "c")
    message = " ".join(str(info.value).split())   # messages are wrapped for Validate
    assert "could not be broadcast" in message and "keepdims=True" in message
    with pytest.raises(ValueError, match="unrelated"):   # other ValueErrors pass through untouched
        with checks.exercise("x"):
            raise ValueError("unrelated")


def test_a_matmul_shape_error_gets_the_order_of_factors_hint():
    with pytest.raises(checks.CheckFailed) as info:
        with checks.exercise("Exercise 9.7 - matmul"):
            np.ones((2, 3)) @ np.ones((2, 3))
    assert "order of the factors" in str(info.value)


def test_messages_fit_nbgraders_90_columns_and_render_without_frames():
    long_hint = "word " * 60
    with pytest.raises(checks.CheckFailed) as info:
        checks.Checker("ex").true(False, "a check with a long hint", hint=long_hint)
    assert all(len(line) <= 90 for line in str(info.value).splitlines())
    rendered = info.value._render_traceback_()
    assert rendered[0].startswith("CheckFailed: FAILED - ex") and len(rendered) > 2


def test_a_one_element_array_where_a_number_is_expected_gets_a_scalar_hint():
    msg = _fail_message(lambda: checks.Checker("ex").array(np.array([0.1]), 0.1, "b_new"))
    assert "single number" in msg and "float(...)" in msg


def test_not_done_yet_names_the_unfinished_function_and_scalar_type_errors_get_a_hint():
    def relu_grad(z):
        raise NotImplementedError()

    with pytest.raises(checks.CheckFailed, match="`relu_grad` still raises"):
        with checks.exercise("Exercise 9.6"):
            relu_grad(1.0)
    import math
    with pytest.raises(checks.CheckFailed, match="np.exp, not math.exp"):
        with checks.exercise("Exercise 9.5"):
            math.exp(np.array([1.0, 2.0]))


def test_flattened_result_gets_a_wrong_shape_hint():
    msg = _fail_message(lambda: checks.Checker("ex").array(np.zeros(6), np.zeros((2, 3)), "c"))
    assert "right number of values, wrong shape" in msg


def test_nan_failures_keep_the_exercise_hint_and_float32_gets_its_own_hint():
    msg = _fail_message(lambda: checks.Checker("ex").array(np.array([np.inf]), [1.0], "c",
                                                          hint="compute the loss from the logits"))
    assert "NaN or inf" in msg and "from the logits" in " ".join(msg.split())
    got = np.array([0.1, 0.2], dtype=np.float32)
    msg = _fail_message(lambda: checks.Checker("ex").array(got, np.array([0.1, 0.2]) + 1e-8, "c", rtol=1e-9, atol=0))
    assert "float32" in msg


def test_the_reported_element_is_the_one_furthest_outside_the_tolerance():
    # A clipped sigmoid: sigmoid(-700) came back as sigmoid(-500) (relative error ~1e87, absolute
    # 7e-218), sigmoid(-36) is right up to rounding (absolute difference ~1e-31, within rtol).
    # The largest ABSOLUTE difference sits at index 1, which passed; the report must name index 0.
    expected = np.array([np.exp(-700.0), np.exp(-36.0) / (1 + np.exp(-36.0))])
    got = np.array([np.exp(-500.0), expected[1] * (1 + 1e-15)])
    assert np.argmax(np.abs(got - expected)) == 1            # the old ranking would point at index 1
    msg = _fail_message(lambda: checks.Checker("ex").array(got, expected, "tiny values", rtol=1e-6, atol=0))
    assert "index (0,)" in msg and "index (1,)" not in msg


def test_an_exact_zero_tolerance_ranks_any_difference_first():
    # atol = 0 and expected 0: any difference there is infinitely far outside the tolerance.
    got, expected = np.array([1.0 + 1e-3, 1e-300]), np.array([1.0, 0.0])
    msg = _fail_message(lambda: checks.Checker("ex").array(got, expected, "zeros", rtol=1e-6, atol=0))
    assert "index (1,)" in msg


@pytest.mark.parametrize("slip, error, hint", [
    (lambda: __import__("math").exp(800.0), "OverflowError: math range error", "np.exp on the whole array"),
    (lambda: np.linalg.multi_dot([np.eye(2)]), "Expecting at least two arrays", "multi_dot needs at least two"),
    (lambda: [np.eye(2)][1], "IndexError: list index out of range", "assume a fixed size"),
])
def test_math_exp_multi_dot_and_index_slips_become_failures_with_a_hint(slip, error, hint):
    def cell():
        with checks.exercise("ex") as check:
            check.array(slip(), 0.0, "a call")
    msg = _fail_message(cell)
    assert msg.startswith("FAILED - ex") and error in msg and hint in " ".join(msg.split())


def test_other_value_errors_still_propagate_unchanged():
    with pytest.raises(ValueError, match="too many values"):
        with checks.exercise("ex"):
            a, b = (1, 2, 3)


def test_an_exact_match_where_nothing_is_allowed_does_not_outrank_a_real_difference():
    # atol = 0 and expected 0 allow nothing, but got is 0 there too: the report names the element
    # that is off, with its row and column in a 2-D result.
    got, expected = np.array([[0.0, 1.0], [2.0, 3.5]]), np.array([[0.0, 1.0], [2.0, 3.0]])
    msg = _fail_message(lambda: checks.Checker("ex").array(got, expected, "grid", rtol=1e-6, atol=0))
    assert "index (1, 1), difference 0.5 (allowed 3e-06)" in msg


def test_parse_failure_reads_back_the_check_and_the_wrapped_hint():
    what = "w_new after a missed 1 on a long description that certainly wraps over two lines of the message"
    hint = ("w_new = w + lr * (y - y_hat) * x, with y_hat = step(w . x + b); this hint is long enough to be "
            "wrapped over several lines too")
    checker = checks.Checker("Exercise 1.2 - perceptron_update")
    checker.array(1.0, 1.0, "an earlier check")
    msg = _fail_message(lambda: checker.array(np.array([1.0, 2.0]), [1.0, 3.0], what, hint=hint))
    assert "\n    " in msg and "(1 earlier check(s) passed.)" in msg     # wrapped, with the count last
    failure = checks.parse_failure(msg)
    assert failure == checks.Failure("FAILED - Exercise 1.2 - perceptron_update", what, hint, "")
    assert failure.check_and_hint() == [f"check: {what}", f"hint: {hint}"] and not failure.not_done
    coloured = msg.replace("FAILED", "\x1b[0;31mFAILED\x1b[0m").replace("hint:", "\x1b[1mhint:\x1b[0m")
    assert checks.parse_failure(coloured) == failure


def test_parse_failure_of_a_stub_an_error_turned_into_a_hint_and_other_exceptions():
    def stub():
        raise NotImplementedError()

    def not_done():
        with checks.exercise("Exercise 3.4 - dense"):
            stub()
    failure = checks.parse_failure(_fail_message(not_done))
    assert failure.not_done and failure.title == "NOT DONE YET - Exercise 3.4 - dense:"

    def math_exp():
        with checks.exercise("ex"):
            __import__("math").exp(800.0)
    failure = checks.parse_failure(_fail_message(math_exp))
    assert failure.detail == "your code raised OverflowError: math range error" and failure.check == ""
    assert failure.hint.startswith("Python's math functions") and failure.hint.endswith("large and positive.")
    assert failure.check_and_hint() == [f"hint: {failure.hint}"]
    assert checks.parse_failure("name 'np' is not defined") == checks.Failure()
    assert checks.parse_failure("") == checks.Failure() and not checks.Failure().check_and_hint()
