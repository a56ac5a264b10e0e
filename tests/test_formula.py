"""The formula language: values, errors with offsets, describe(), robustness."""

from __future__ import annotations

import pickle
from decimal import Decimal as D

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from site_builder import messages
from site_builder.scoring.formula import (
    MAX_DEPTH,
    MAX_LENGTH,
    FormulaError,
    compile_formula,
    describe,
)

ENV = {"a": D("5"), "b": D("2"), "c": D("-1.5"), "zero": D("0"), "ok": True, "bad": False,
       "score.total": D("87.5"), "score.bonus": D("3"), "n": 4}


@pytest.mark.parametrize(("text", "expected"), [
    ("0", "0"),
    ("1.5", "1.5"),
    ("007", "7"),
    ("1 + 2 * 3", "7"),
    ("(1 + 2) * 3", "9"),
    ("10 - 4 - 3", "3"),
    ("12 / 4 / 3", "1"),
    ("2 - -3", "5"),
    ("-a", "-5"),
    ("--a", "5"),
    ("-(2 - 5)", "3"),
    ("-0", "0"),
    ("0.1 + 0.2", "0.3"),
    ("1 / 3", "0." + "3" * 34),  # 34 significant digits, as the engine
    ("2 / 3", "0." + "6" * 33 + "7"),
    ("a * b + c", "8.5"),
    ("score.total + score.bonus", "90.5"),
    ("n * 2", "8"),
    ("min(a, b, c)", "-1.5"),
    ("max(a, b, c)", "5"),
    ("min(7)", "7"),
    ("sum(1, 2, 3.5)", "6.5"),
    ("clamp(a, 0, 3)", "3"),
    ("clamp(c, 0, 3)", "0"),
    ("clamp(b, 0, 3)", "2"),
    ("abs(c)", "1.5"),
    ("floor(2.7)", "2"),
    ("floor(-2.1)", "-3"),
    ("ceil(2.1)", "3"),
    ("ceil(-2.7)", "-2"),
    ("floor(c) + ceil(c)", "-3"),
    ("if(a > b, 1, 2)", "1"),
    ("if(a < b, 1, 2)", "2"),
    ("if(ok, a, b)", "5"),
    ("if(true, 1, 1 / 0)", "1"),  # lazy: the other branch is never evaluated
    ("if(false, undefined_name, 2)", "2"),
    ("if(a >= 5 and b <= 2, 1, 0)", "1"),
    ("if(a > 5 or b != 2, 1, 0)", "0"),
    ("if(not a > 5, 1, 0)", "1"),
    ("if(a == 5.00, 1, 0)", "1"),
    ("if(ok == true, 1, 0)", "1"),
    ("if(ok != bad, 1, 0)", "1"),
    ("if(bad and 1 / zero > 0, 1, 0)", "0"),  # and/or stop early
    ("if(ok or undefined_name, 1, 0)", "1"),
    ("if(not not ok, 3, 4)", "3"),
    ("if(a > 1, if(b > 1, 10, 20), 30)", "10"),
    ("  a\t+\nb ", "7"),
    ("a　+　b", "7"),  # full-width spaces are spaces too
])
def test_values(text: str, expected: str) -> None:
    result = compile_formula(text).evaluate(ENV)
    assert isinstance(result, D)
    assert str(result) == expected


def test_precision_is_34_digits_like_the_engine() -> None:
    # 1/7 to 34 significant digits is 0.1428571428571428571428571428571429 (…57 rounds up);
    # × 7 = 1.0000000000000000000000000000000003, which rounds to 34 digits as exactly 1
    assert compile_formula("1 / 7").evaluate({}) == D("0.1428571428571428571428571428571429")
    assert compile_formula("1 / 7 * 7").evaluate({}) == D(1)
    assert len(compile_formula("1 / 7").evaluate({}).as_tuple().digits) == 34


def test_names_collects_every_variable() -> None:
    f = compile_formula("if(ok, min(a, score.total), b + a) + max(1)")
    assert f.names == frozenset({"ok", "a", "score.total", "b"})
    assert f.text == "if(ok, min(a, score.total), b + a) + max(1)"
    assert compile_formula("1 + 2").names == frozenset()


# (text, code, offset); the evaluation errors use ENV
COMPILE_ERRORS = [
    ("", "formula.empty", None),
    ("group_mean(a + 1)", "formula.needs_name", 11),
    ("previous(2, 0)", "formula.needs_name", 9),
    ("round(a, 1.5)", "formula.round_places", 9),
    ("round(a, 11)", "formula.round_places", 9),
    ("round(a, b)", "formula.round_places", 9),
    ("   ", "formula.empty", None),
    ("x" * (MAX_LENGTH + 1), "formula.too_long", None),
    ("(" * (MAX_DEPTH + 1) + "1" + ")" * (MAX_DEPTH + 1), "formula.too_deep", MAX_DEPTH),
    ("-" * (MAX_DEPTH + 1) + "1", "formula.too_deep", MAX_DEPTH),
    ("a + $", "formula.unexpected_char", 4),
    ("a = 1", "formula.unexpected_char", 2),
    ("a + .5", "formula.unexpected_char", 4),
    ("1 + 1e5", "formula.bad_number", 4),
    ("2 * 1.", "formula.bad_number", 4),
    ("1.2.3", "formula.bad_number", 0),
    ("3a", "formula.bad_number", 0),
    ("x + a..b", "formula.bad_name", 4),
    ("a.", "formula.bad_name", 0),
    ("a.1", "formula.bad_name", 0),
    ("1 2", "formula.unexpected_token", 2),
    ("a +* b", "formula.unexpected_token", 3),
    ("min(1,)", "formula.unexpected_token", 6),
    ("(1 + 2))", "formula.unexpected_token", 7),
    ("+1", "formula.unexpected_token", 0),
    ("a + not ok", "formula.unexpected_token", 4),
    ("1 +", "formula.unexpected_end", 3),
    ("min(1, 2", "formula.unclosed_paren", 3),
    ("(a + b", "formula.unclosed_paren", 0),
    ("(a + b c", "formula.unexpected_token", 7),
    ("if(0 < a < 10, 1, 0)", "formula.chained_comparison", 9),
    ("mean(a, b)", "formula.unknown_function", 0),
    ("1 + score.max(a)", "formula.unknown_function", 4),
    ("clamp(a, 1)", "formula.arity", 0),
    ("1 + abs(a, b)", "formula.arity", 4),
    ("if(ok, 1)", "formula.arity", 0),
    ("max()", "formula.arity_min", 0),
    ("1 + true", "formula.not_number", 4),
    ("-(a > 1)", "formula.not_number", 2),
    ("min(1, a < b)", "formula.not_number", 7),
    ("if(1, 1, 2)", "formula.not_boolean", 3),
    ("if(not 1, 1, 2)", "formula.not_boolean", 7),
    ("if(ok and 2, 1, 2)", "formula.not_boolean", 10),
    ("if(1 == true, 1, 2)", "formula.type_mismatch", 5),
    ("a > b", "formula.result_not_number", 0),
    ("if(ok, true, false)", "formula.result_not_number", 0),
]


@pytest.mark.parametrize(("text", "code", "offset"), COMPILE_ERRORS)
def test_compile_errors(text: str, code: str, offset: int | None) -> None:
    with pytest.raises(FormulaError) as info:
        compile_formula(text)
    assert (info.value.code, info.value.offset) == (code, offset)
    if offset is not None:
        assert info.value.params["position"] == offset + 1


EVAL_ERRORS = [
    ("a + scroe.total", "formula.unknown_name_hint", 4, {"suggestion": "score.total"}),
    ("a + zzzzzz", "formula.unknown_name", 4, {"name": "zzzzzz"}),
    ("a / zero", "formula.division_by_zero", 2, {}),
    ("a / b / (b - 2)", "formula.division_by_zero", 6, {}),
    ("0 / zero", "formula.division_by_zero", 2, {}),
    ("a + ok", "formula.not_number", 4, {}),
    ("if(a < 1 or b, 1, 2)", "formula.not_boolean", 12, {}),
    ("if(a, 1, 2)", "formula.not_boolean", 3, {}),
    ("if(a == true, 1, 2)", "formula.type_mismatch", 5, {}),
    ("if(if(ok, a, ok), 1, 2)", "formula.not_boolean", 3, {}),
    ("if(ok == a, 1, 2)", "formula.type_mismatch", 6, {}),
    ("ok", "formula.result_not_number", 0, {}),
    ("clamp(a, 3, 1)", "formula.clamp_bounds", 0, {"lo": "3", "hi": "1"}),
    ("weird + 1", "formula.bad_value", 0, {"name": "weird", "value": "str"}),
    ("inf + 1", "formula.bad_value", 0, {"name": "inf", "value": "Infinity"}),
    ("huge * huge", "formula.arithmetic", 0, {"detail": "Overflow"}),
    ("previous(a) + 1", "formula.no_previous", 0, {"name": "a"}),
    ("1 + group_mean(a)", "formula.no_statistic", 4, {"name": "a", "function": "group_mean"}),
]


@pytest.mark.parametrize(("text", "code", "offset", "params"), EVAL_ERRORS)
def test_evaluation_errors(text: str, code: str, offset: int, params: dict) -> None:
    env = {**ENV, "weird": "0.5", "inf": D("Infinity"), "huge": D("9E+999990")}
    formula = compile_formula(text)
    with pytest.raises(FormulaError) as info:
        formula.evaluate(env)
    assert (info.value.code, info.value.offset) == (code, offset)
    assert params.items() <= info.value.params.items()


def test_every_formula_code_is_exercised_and_renders() -> None:
    codes = {c for c in messages.known_codes() if c.startswith("formula.")}
    tested = {c for _, c, _ in COMPILE_ERRORS} | {c for _, c, _, _ in EVAL_ERRORS}
    assert codes == tested
    for code in codes:
        msg = messages.get(code)
        assert all((msg.zh_what, msg.zh_fix, msg.en_what, msg.en_fix))


def test_error_messages() -> None:
    with pytest.raises(FormulaError) as info:
        compile_formula("a +* b")
    assert info.value.render("en") == (
        "Unexpected “*” at position 4 of the formula — "
        "Check for a missing operator, comma or parenthesis")
    assert str(info.value).startswith("公式第 4 个字符处出现了意外的“*”")
    copy = pickle.loads(pickle.dumps(info.value))
    assert (copy.code, copy.offset, copy.params) == ("formula.unexpected_token", 3,
                                                     {"token": "*", "position": 4})
    with pytest.raises(FormulaError) as info:
        compile_formula("mean(a)")
    assert "min, max, sum, clamp, if, abs, floor, ceil" in info.value.render("en")
    with pytest.raises(FormulaError) as info:
        compile_formula("scroe.total").evaluate(ENV)
    assert info.value.render("en").endswith("Did you mean “score.total”?")


@pytest.mark.parametrize(("text", "zh", "en"), [
    ("a+b*c", "a + b * c", "a + b * c"),
    ("((a+b))*c", "(a + b) * c", "(a + b) * c"),
    ("a-(b-c)", "a - (b - c)", "a - (b - c)"),
    ("(a-b)-c", "a - b - c", "a - b - c"),
    ("a/(b*c)", "a / (b * c)", "a / (b * c)"),
    ("-(a+b)", "-(a + b)", "-(a + b)"),
    ("-(-a)", "-(-a)", "-(-a)"),
    ("2--1", "2 - -1", "2 - -1"),
    ("min(a,b ,  1.50)", "最小值(a, b, 1.50)", "min(a, b, 1.50)"),
    ("max(a,b)+sum(a)", "最大值(a, b) + 合计(a)", "max(a, b) + sum(a)"),
    ("clamp(score.total,0,100)", "限定(score.total, 0, 100)", "clamp(score.total, 0, 100)"),
    ("abs(a)+floor(b)+ceil(c)", "绝对值(a) + 向下取整(b) + 向上取整(c)",
     "abs(a) + floor(b) + ceil(c)"),
    ("if(a>=60 and b<3 or not ok,1,0)", "如果(a >= 60 且 b < 3 或 非 ok, 1, 0)",
     "if(a >= 60 and b < 3 or not ok, 1, 0)"),
    ("if((a>1 or b>1) and ok,1,0)", "如果((a > 1 或 b > 1) 且 ok, 1, 0)",
     "if((a > 1 or b > 1) and ok, 1, 0)"),
    ("if(not(a>1),1,0)", "如果(非 a > 1, 1, 0)", "if(not a > 1, 1, 0)"),
    ("if((not ok)==bad,1,0)", "如果((非 ok) == bad, 1, 0)", "if((not ok) == bad, 1, 0)"),
    ("if(ok==true,1,0)", "如果(ok == true, 1, 0)", "if(ok == true, 1, 0)"),
])
def test_describe(text: str, zh: str, en: str) -> None:
    formula = compile_formula(text)
    assert describe(formula, "zh-CN") == zh
    assert describe(formula, "en") == en
    assert describe(text) == zh  # default locale, text accepted too
    assert describe(compile_formula(en), "en") == en  # the English text is a formula again


# ---------------------------------------------------------------- properties
_NAMES = ("a", "b", "c", "zero", "ok", "bad", "score.total", "x")
_ALPHABET = st.sampled_from(
    list("0123456789.+-*/(),<>=!_ aboklnt") + ["min(", "max(", "sum(", "clamp(", "if(", "abs(",
                                                 "floor(", "ceil(", " and ", " or ", " not ",
                                                 "true", "false", "<=", ">=", "==", "!=",
                                                 *_NAMES])
_FORMULAISH = st.lists(_ALPHABET, max_size=60).map("".join)
_ATOMS = st.one_of(st.sampled_from(_NAMES), st.integers(0, 999).map(str),
                   st.sampled_from(["0.5", "1.25", "0", "true", "false"]))


def _compound(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    ops = st.sampled_from(["+", "-", "*", "/", "<", "<=", ">", "==", "!=", "and", "or"])
    calls = st.sampled_from(["min", "max", "sum", "abs", "floor", "ceil"])
    return st.one_of(
        st.tuples(inner, ops, inner).map(lambda t: f"({t[0]} {t[1]} {t[2]})"),
        inner.map(lambda x: f"-{x}"),
        inner.map(lambda x: f"not {x}"),
        st.tuples(calls, st.lists(inner, min_size=1, max_size=3)).map(
            lambda t: f"{t[0]}({', '.join(t[1])})"),
        st.tuples(st.sampled_from(["if", "clamp"]), inner, inner, inner).map(
            lambda t: f"{t[0]}({t[1]}, {t[2]}, {t[3]})"),
    )


_GRAMMATICAL = st.recursive(_ATOMS, _compound, max_leaves=12)


def _outcome(text: str, env: dict) -> tuple:
    try:
        formula = compile_formula(text)
    except FormulaError as exc:
        return ("compile", exc.code, exc.offset)
    try:
        return ("value", formula.evaluate(env))
    except FormulaError as exc:
        return ("eval", exc.code, exc.offset)


_VALUES = st.one_of(st.booleans(), st.decimals(allow_nan=False, allow_infinity=False,
                                               places=3, min_value=-1000, max_value=1000))


@settings(max_examples=400, deadline=None)
@given(st.one_of(st.text(max_size=80), _FORMULAISH, _GRAMMATICAL),
       st.fixed_dictionaries({name: _VALUES for name in _NAMES}))
def test_only_formula_errors_and_deterministic(text: str, env: dict) -> None:
    first = _outcome(text, env)
    assert _outcome(text, dict(reversed(list(env.items())))) == first
    if first[0] == "value":
        assert isinstance(first[1], D) and first[1].is_finite()
    elif first[0] == "compile" and first[2] is not None:
        assert 0 <= first[2] <= len(text)


@settings(max_examples=300, deadline=None)
@given(st.one_of(_FORMULAISH, _GRAMMATICAL))
def test_describe_round_trips(text: str) -> None:
    try:
        formula = compile_formula(text)
    except FormulaError:
        return
    again = describe(formula, "en")
    assert describe(compile_formula(again), "en") == again
    assert compile_formula(again).names == formula.names
    describe(formula, "zh-CN")


@settings(max_examples=50, deadline=None)
@given(st.text(alphabet="()-+1a ,notmi", min_size=MAX_LENGTH - 5, max_size=MAX_LENGTH))
def test_long_inputs_fail_cleanly(text: str) -> None:
    try:
        compile_formula(text).evaluate({"a": D(1)})
    except FormulaError:
        pass


def test_depth_limit_is_inclusive() -> None:
    deep = "(" * MAX_DEPTH + "1" + ")" * MAX_DEPTH
    assert compile_formula(deep).evaluate({}) == 1
    chain = "+".join(["1"] * 900)  # one level however long
    assert compile_formula(chain).evaluate({}) == 900
    with pytest.raises(FormulaError) as info:
        compile_formula("abs(" * 26 + "(" * 25 + "1" + ")" * 51)
    assert info.value.code == "formula.too_deep"


def test_non_text_is_a_bug() -> None:
    with pytest.raises(TypeError):
        compile_formula(None)  # type: ignore[arg-type]


@pytest.mark.parametrize(("expr", "values", "zh"), [
    ("max - lost", {"max": "10", "lost": "0.3"}, "10 - 0.3"),
    ("max(group_mean(pct) - pct, 0) * 0.1", {"pct": "80", "group_mean(pct)": "90"}, "最大值(90 - 80, 0) * 0.1"),
    ("min(max(n - previous(n, n), 0) * 0.5, max)", {"n": "7", "previous(n)": "4", "max": "2"},
     "最小值(最大值(7 - 4, 0) * 0.5, 2)"),
    ("a - b", {"a": "1", "b": "-2"}, "1 - (-2)"),  # a negative figure in brackets
    ("if(a > 1, 1, 0)", {"a": "2"}, None),  # a condition: the figures would not say which branch
    ("a + b", {"a": "1"}, None),  # a name without its figure
])
def test_arithmetic_puts_the_figures_in(expr, values, zh):
    from site_builder.scoring.formula import arithmetic

    assert arithmetic(expr, values, "zh-CN") == zh


def test_worked_follows_the_branch_taken():
    from site_builder.scoring.formula import worked

    expr = "if(cases == 0, 1, if(errors * 2 > cases, 0, max - errors * 0.5))"
    env = {"cases": D(15), "errors": D(1), "max": D(2)}
    figures = {"cases": "15", "errors": "1", "max": "2"}
    assert worked(expr, figures, "zh-CN", env) == ((("15 = 0", False), ("1 * 2 > 15", False)), "2 - 1 * 0.5")
    env0 = {"cases": D(0), "errors": D(0), "max": D(2)}
    assert worked(expr, {"cases": "0", "errors": "0", "max": "2"}, "zh-CN", env0) == ((("0 = 0", True),), "1")
    assert worked(expr, figures, "zh-CN") is None  # a condition needs the figures' values
