"""A small, safe formula language: the escape hatch for clauses no rule kind covers.

``compile_formula(text)`` tokenizes and parses by hand into a tiny AST (no
``eval``/``compile``/``ast``); :meth:`Formula.evaluate` walks it on
:class:`~decimal.Decimal` (precision 34, as the engine) and :func:`describe` renders it back
as text for the published scheme document.  Whatever the input string, only
:class:`FormulaError` escapes, carrying a message code, its parameters and the
0-based offset into the text.

Grammar, loosest first: ``or``, ``and``, ``not``, one comparison (``a < b < c``
is rejected), ``+ -``, ``* /``, unary minus, atoms: ``12``, ``1.5``, names (``a.b``
is one name), ``true``, ``false``, calls ``min max sum`` (1+ arguments),
``clamp(x, lo, hi)``, ``if(cond, then, else)`` (lazy), ``abs floor ceil``,
``round(x, places)`` (the scheme's rounding mode, passed to :meth:`Formula.evaluate`),
and parentheses.  *Look-ups* take a bare name whose value the caller supplies:
``group_mean group_median group_max group_min group_count`` (a statistic over the
unit's group or peers) and ``previous(x)`` / ``previous(x, default)`` (the previous
period's value); the caller puts them in the environment under ``"fn(x)"``
(see :attr:`Formula.lookups`).  ``and``/``or`` stop as soon as the result is known.  Arithmetic,
ordering and functions need numbers; ``and or not`` and the ``if`` condition need
booleans; ``==``/``!=`` need one type on both sides.  ``compile_formula`` checks
every type known without the values (all but names), including the result's.

Nesting depth is the height of the syntax tree, where parentheses count as a
level: ``1`` is 0, ``a + b`` is 1, ``(a + b) * c`` is 3 and so is ``-min(a, (b))``.
Chains of one precedence level (``a + b - c + d``) are one level however long.
"""

from __future__ import annotations

import difflib
import operator
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from decimal import (
    ROUND_CEILING,
    ROUND_DOWN,
    ROUND_FLOOR,
    ROUND_HALF_EVEN,
    ROUND_HALF_UP,
    ROUND_UP,
    Context,
    Decimal,
    DecimalException,
    DivisionByZero,
    InvalidOperation,
    Overflow,
    localcontext,
)

from site_builder import messages
from site_builder.messages import DEFAULT_LOCALE

__all__ = ["MAX_DEPTH", "MAX_LENGTH", "STATISTICS", "Formula", "FormulaError", "check_types", "compile_formula",
           "describe"]

MAX_LENGTH = 2000
MAX_DEPTH = 50
PRECISION = 34  # the same as the scoring engine
MAX_PLACES = 10  # as the scheme's rounding.places
ROUNDING_MODES = {"half_up": ROUND_HALF_UP, "half_even": ROUND_HALF_EVEN, "down": ROUND_DOWN, "up": ROUND_UP}

from site_builder.scoring import formula_messages  # noqa: F401  (registers formula.* messages)


class FormulaError(Exception):
    """A problem with a formula: ``code`` is a ``formula.*`` message code; when
    ``offset`` (0-based, into the text) is known, ``params`` holds ``position``
    (1-based) for the message."""

    def __init__(self, code: str, offset: int | None = None, **params: object) -> None:
        if offset is not None:
            params.setdefault("position", offset + 1)
        self.code = code
        self.offset = offset
        self.params: dict[str, object] = params
        super().__init__(code, offset)

    def render(self, locale: str = DEFAULT_LOCALE) -> str:
        what, fix = messages.get(self.code).render(locale, self.params)
        return f"{what} — {fix}"

    def __str__(self) -> str:
        return self.render()


# ---------------------------------------------------------------- syntax tree
@dataclass(frozen=True)
class _Node:
    kind: str  # num bool name neg not or and add mul cmp call
    offset: int
    value: object = None  # Decimal/bool of a literal, a name, a comparison or function name
    args: tuple[_Node, ...] = ()
    ops: tuple[tuple[str, int], ...] = ()  # operators and offsets, one before each of args[1:]
    text: str = ""  # a number as written
    depth: int = 0


_FUNCTIONS = {"min": (1, None), "max": (1, None), "sum": (1, None), "clamp": (3, 3), "if": (3, 3),
              "abs": (1, 1), "floor": (1, 1), "ceil": (1, 1), "round": (2, 2),
              "group_mean": (1, 1), "group_median": (1, 1), "group_max": (1, 1), "group_min": (1, 1),
              "group_count": (1, 1), "previous": (1, 2)}
#: Statistics over the unit's group or peers, supplied by the caller under ``"fn(name)"``.
STATISTICS = ("group_mean", "group_median", "group_max", "group_min", "group_count")
_LOOKUPS = frozenset({*STATISTICS, "previous"})
_LEVELS = {"or": ({"or"}, "bool"), "and": ({"and"}, "bool"), "add": ({"+", "-"}, "num"),
           "mul": ({"*", "/"}, "num")}
_COMPARISONS = ("<", "<=", ">", ">=", "==", "!=")
_ARITHMETIC = {"+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv}
_ORDER = {"<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge}
_KEYWORDS = frozenset({"and", "or", "not", "true", "false"})
_SYMBOLS = ("<=", ">=", "==", "!=", "<", ">", "+", "-", "*", "/", "(", ")", ",")
_NUMBER = re.compile(r"[0-9]+(?:\.[0-9]+)?")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*")
_WORD = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.")
_NUM_KINDS = frozenset({"num", "neg", "add", "mul"})
_BOOL_KINDS = frozenset({"bool", "not", "or", "and", "cmp"})


def _type(node: _Node) -> str | None:
    """"num", "bool", or None when only evaluation can tell (names, a mixed ``if``)."""
    if node.kind in _NUM_KINDS or (node.kind == "call" and node.value != "if"):
        return "num"
    if node.kind in _BOOL_KINDS:
        return "bool"
    if node.kind == "call":
        a, b = _type(node.args[1]), _type(node.args[2])
        return a if a == b else None
    return None


# ---------------------------------------------------------------- parsing
@dataclass(frozen=True)
class _Token:
    kind: str  # num name kw op end
    text: str
    offset: int


def _tokenize(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c.isspace():
            i += 1
        elif c in _WORD and c != ".":
            j = i
            while j < n and text[j] in _WORD:
                j += 1
            word = text[i:j]
            if c.isdigit():
                if not _NUMBER.fullmatch(word):
                    raise FormulaError("formula.bad_number", i, text=word)
                tokens.append(_Token("num", word, i))
            elif not _NAME.fullmatch(word):
                raise FormulaError("formula.bad_name", i, text=word)
            else:
                tokens.append(_Token("kw" if word in _KEYWORDS else "name", word, i))
            i = j
        else:
            sym = next((s for s in _SYMBOLS if text.startswith(s, i)), None)
            if sym is None:
                char = c if c.isprintable() else f"U+{ord(c):04X}"
                raise FormulaError("formula.unexpected_char", i, char=char)
            tokens.append(_Token("op", sym, i))
            i += len(sym)
    tokens.append(_Token("end", "", n))
    return tokens


class _Parser:
    """Recursive descent, one method per precedence level."""

    def __init__(self, text: str) -> None:
        self.tokens = _tokenize(text)
        self.i = 0
        self.open = 0  # enclosing parentheses, calls and unary operators: bounds the recursion
        self.names: set[str] = set()
        self.lookups: set[tuple[str, str]] = set()

    def peek(self) -> _Token:
        return self.tokens[self.i]

    def take(self) -> _Token:
        self.i += 1
        return self.tokens[self.i - 1]

    def at(self, *texts: str) -> bool:
        t = self.tokens[self.i]
        return t.kind in ("op", "kw") and t.text in texts

    def fail(self, t: _Token) -> FormulaError:
        if t.kind == "end":
            return FormulaError("formula.unexpected_end", t.offset)
        return FormulaError("formula.unexpected_token", t.offset, token=t.text)

    def enter(self, t: _Token) -> None:
        self.open += 1
        if self.open > MAX_DEPTH:
            raise FormulaError("formula.too_deep", t.offset, limit=MAX_DEPTH)

    def close(self, opener: _Token) -> None:
        if self.peek().kind == "end":
            raise FormulaError("formula.unclosed_paren", opener.offset)
        if not self.at(")"):
            raise self.fail(self.peek())
        self.take()
        self.open -= 1

    @staticmethod
    def make(node: _Node, depth: int | None = None) -> _Node:
        if depth is None:
            depth = max((a.depth for a in node.args), default=-1) + 1
        if depth > MAX_DEPTH:
            raise FormulaError("formula.too_deep", node.offset, limit=MAX_DEPTH)
        return replace(node, depth=depth)

    @staticmethod
    def need(node: _Node, kind: str) -> None:
        if _type(node) not in (kind, None):
            raise FormulaError("formula.not_number" if kind == "num" else "formula.not_boolean",
                               node.offset)

    def parse(self) -> _Node:
        if self.peek().kind == "end":
            raise FormulaError("formula.empty")
        node = self.chain("or")
        if self.peek().kind != "end":
            raise self.fail(self.peek())
        if _type(node) == "bool":
            raise FormulaError("formula.result_not_number", node.offset)
        return node

    def chain(self, level: str) -> _Node:
        ops, kind = _LEVELS[level]
        sub: Callable[[], _Node] = {"or": lambda: self.chain("and"), "and": self.negation,
                                    "add": lambda: self.chain("mul"), "mul": self.unary}[level]
        args, seps = [sub()], []
        while self.at(*ops):
            t = self.take()
            seps.append((t.text, t.offset))
            args.append(sub())
        if not seps:
            return args[0]
        for a in args:
            self.need(a, kind)
        return self.make(_Node(level, args[0].offset, args=tuple(args), ops=tuple(seps)))

    def prefix(self, op: str, operand: Callable[[], _Node], kind: str) -> _Node:
        t = self.take()
        self.enter(t)
        node = operand()
        self.open -= 1
        self.need(node, kind)
        return self.make(_Node(op, t.offset, args=(node,)))

    def negation(self) -> _Node:
        return self.prefix("not", self.negation, "bool") if self.at("not") else self.comparison()

    def comparison(self) -> _Node:
        left = self.chain("add")
        if not self.at(*_COMPARISONS):
            return left
        t = self.take()
        right = self.chain("add")
        if self.at(*_COMPARISONS):
            raise FormulaError("formula.chained_comparison", self.peek().offset)
        if t.text not in ("==", "!="):
            self.need(left, "num")
            self.need(right, "num")
        elif None not in (_type(left), _type(right)) and _type(left) != _type(right):
            raise FormulaError("formula.type_mismatch", t.offset)
        return self.make(_Node("cmp", left.offset, value=t.text, args=(left, right),
                               ops=((t.text, t.offset),)))

    def unary(self) -> _Node:
        return self.prefix("neg", self.unary, "num") if self.at("-") else self.primary()

    def primary(self) -> _Node:
        t = self.take()
        if t.kind == "num":
            return _Node("num", t.offset, value=Decimal(t.text), text=t.text)
        if t.kind == "kw" and t.text in ("true", "false"):
            return _Node("bool", t.offset, value=t.text == "true")
        if t.kind == "name" and self.at("("):
            return self.call(t)
        if t.kind == "name":
            self.names.add(t.text)
            return _Node("name", t.offset, value=t.text)
        if t.kind == "op" and t.text == "(":
            self.enter(t)
            inner = self.chain("or")
            self.close(t)
            return self.make(inner, inner.depth + 1)
        raise self.fail(t)

    def call(self, name: _Token) -> _Node:
        if name.text not in _FUNCTIONS:
            raise FormulaError("formula.unknown_function", name.offset, name=name.text,
                               available=", ".join(_FUNCTIONS))
        opener = self.take()
        self.enter(opener)
        args: list[_Node] = []
        if not self.at(")"):
            args.append(self.chain("or"))
            while self.at(","):
                self.take()
                args.append(self.chain("or"))
        self.close(opener)
        low, high = _FUNCTIONS[name.text]
        if len(args) < low or (high is not None and len(args) > high):
            raise FormulaError("formula.arity" if high else "formula.arity_min", name.offset,
                               name=name.text, expected=low, got=len(args))
        for arg in args[:1] if name.text == "if" else args:
            self.need(arg, "bool" if name.text == "if" else "num")
        if name.text in _LOOKUPS:
            if args[0].kind != "name":
                raise FormulaError("formula.needs_name", args[0].offset, name=name.text)
            self.lookups.add((name.text, str(args[0].value)))
        if name.text == "round":
            places = args[1]
            if places.kind != "num" or places.value != int(places.value) or places.value > MAX_PLACES:
                raise FormulaError("formula.round_places", places.offset, limit=MAX_PLACES)
        return self.make(_Node("call", name.offset, value=name.text, args=tuple(args)))


# ---------------------------------------------------------------- the public API
class Formula:
    """A compiled formula; immutable and safe to evaluate any number of times."""

    __slots__ = ("_root", "lookups", "names", "text")

    def __init__(self, text: str, root: _Node, names: frozenset[str],
                 lookups: frozenset[tuple[str, str]] = frozenset()) -> None:
        self.text = text
        self.names = names
        #: ``(function, name)`` of every look-up (``group_mean(x)``, ``previous(x)``):
        #: the caller supplies their values in the environment under ``"function(name)"``.
        self.lookups = lookups
        self._root = root

    def __repr__(self) -> str:
        return f"Formula({self.text!r})"

    @property
    def bare_names(self) -> frozenset[str]:
        """The names used as values, leaving out those only named by a look-up
        (``previous(points)`` names the line's points; it does not read a value ``points``)."""
        out: set[str] = set()
        todo = [self._root]
        while todo:
            node = todo.pop()
            if node.kind == "name":
                out.add(str(node.value))
            elif node.kind == "call" and node.value in _LOOKUPS:
                todo.extend(node.args[1:])
            else:
                todo.extend(node.args)
        return frozenset(out)

    def evaluate(self, env: Mapping[str, Decimal | bool], rounding: str = "half_up") -> Decimal:
        """The value for ``env`` (name → Decimal or bool; ints are taken exactly).

        Arithmetic uses precision 34, half-even rounding; the result is rounded
        to that precision and a negative zero is returned as zero.  ``round(x, n)``
        rounds with ``rounding``, the scheme's mode (half_up, half_even, down, up)."""
        ctx = Context(prec=PRECISION, rounding=ROUND_HALF_EVEN,
                      traps=[InvalidOperation, DivisionByZero, Overflow])
        with localcontext(ctx):
            value = _eval(self._root, env, ROUNDING_MODES[rounding])
            if isinstance(value, bool):
                raise FormulaError("formula.result_not_number", self._root.offset)
            return _arith(self._root, lambda: +value)  # also turns -0 into 0


    def previous_default(self, name: str, env: Mapping[str, Decimal | bool], rounding: str = "half_up") -> Decimal | None:
        """The default of the first ``previous(name, default)`` evaluated with ``env``;
        None when the formula has none for ``name``."""
        todo = [self._root]
        while todo:
            node = todo.pop(0)
            if node.kind == "call" and node.value == "previous" and len(node.args) == 2 \
                    and node.args[0].value == name:
                ctx = Context(prec=PRECISION, rounding=ROUND_HALF_EVEN,
                              traps=[InvalidOperation, DivisionByZero, Overflow])
                with localcontext(ctx):
                    return _num(node.args[1], env, ROUNDING_MODES[rounding])
            todo.extend(node.args)
        return None


def _infer(node: _Node, numbers: frozenset[str]) -> str | None:
    """The type of ``node`` when every name in ``numbers`` is a number; raises
    :class:`FormulaError` where a number is used as a condition or the reverse."""
    kind, args = node.kind, node.args

    def need(arg: _Node, want: str) -> None:
        got = _infer(arg, numbers)
        if got is not None and got != want:
            raise FormulaError("formula.not_number" if want == "num" else "formula.not_boolean", arg.offset)

    if kind == "num":
        return "num"
    if kind == "bool":
        return "bool"
    if kind == "name":
        return "num" if node.value in numbers else None
    if kind in ("not", "or", "and"):
        for a in args:
            need(a, "bool")
        return "bool"
    if kind == "cmp":
        if node.value in ("==", "!="):
            left, right = _infer(args[0], numbers), _infer(args[1], numbers)
            if None not in (left, right) and left != right:
                raise FormulaError("formula.type_mismatch", node.ops[0][1])
        else:
            need(args[0], "num")
            need(args[1], "num")
        return "bool"
    if kind == "call" and node.value == "if":
        need(args[0], "bool")
        a, b = _infer(args[1], numbers), _infer(args[2], numbers)
        return a if a == b else None
    for a in args:
        need(a, "num")
    return "num"


def check_types(formula: Formula, numbers: set[str] | frozenset[str]) -> None:
    """Raise :class:`FormulaError` for a type error the values cannot fix when every
    name in ``numbers`` holds a number (e.g. ``if(done, 1, 0)`` with a numeric ``done``)."""
    if _infer(formula._root, frozenset(numbers)) == "bool":
        raise FormulaError("formula.result_not_number", formula._root.offset)


def compile_formula(text: str) -> Formula:
    """Parse ``text``; raises :class:`FormulaError` for anything malformed."""
    if not isinstance(text, str):
        raise TypeError(f"formula text must be a str, not {type(text).__name__}")
    if len(text) > MAX_LENGTH:
        raise FormulaError("formula.too_long", None, length=len(text), limit=MAX_LENGTH)
    parser = _Parser(text)
    root = parser.parse()
    return Formula(text, root, frozenset(parser.names), frozenset(parser.lookups))


def _arith(node: _Node, op: Callable[[], Decimal]) -> Decimal:
    try:
        return op()
    except DecimalException as exc:
        raise FormulaError("formula.arithmetic", node.offset, detail=type(exc).__name__) from None


def _num(node: _Node, env: Mapping[str, Decimal | bool], mode: str) -> Decimal:
    value = _eval(node, env, mode)
    if isinstance(value, bool):
        raise FormulaError("formula.not_number", node.offset)
    return value


def _bool(node: _Node, env: Mapping[str, Decimal | bool], mode: str) -> bool:
    value = _eval(node, env, mode)
    if isinstance(value, bool):
        return value
    raise FormulaError("formula.not_boolean", node.offset)


def _lookup(node: _Node, env: Mapping[str, Decimal | bool]) -> Decimal | bool:
    name = str(node.value)
    if name not in env:
        close = difflib.get_close_matches(name, [k for k in env if isinstance(k, str)], n=1)
        if close:
            raise FormulaError("formula.unknown_name_hint", node.offset, name=name,
                               suggestion=close[0])
        raise FormulaError("formula.unknown_name", node.offset, name=name)
    value = env[name]
    if isinstance(value, bool) or (isinstance(value, Decimal) and value.is_finite()):
        return value
    if isinstance(value, int):
        return Decimal(value)
    raise FormulaError("formula.bad_value", node.offset, name=name, value=type(value).__name__
                       if not isinstance(value, Decimal) else str(value))


def _supplied(node: _Node, env: Mapping[str, Decimal | bool], mode: str) -> Decimal:
    """A look-up's value from the caller (``group_mean(x)`` → ``env["group_mean(x)"]``)."""
    fn, name = str(node.value), str(node.args[0].value)
    value = env.get(f"{fn}({name})")
    if isinstance(value, Decimal) and value.is_finite():
        return value
    if fn == "previous" and len(node.args) == 2:
        return _num(node.args[1], env, mode)
    raise FormulaError("formula.no_previous" if fn == "previous" else "formula.no_statistic", node.offset,
                       name=name, function=fn)


def _eval(node: _Node, env: Mapping[str, Decimal | bool], mode: str) -> Decimal | bool:
    kind, args = node.kind, node.args
    if kind in ("num", "bool"):
        return node.value  # type: ignore[return-value]
    if kind == "name":
        return _lookup(node, env)
    if kind == "not":
        return not _bool(args[0], env, mode)
    if kind in ("or", "and"):
        decisive = kind == "or"
        return decisive if any(_bool(a, env, mode) == decisive for a in args) else not decisive
    if kind == "cmp":
        if node.value in ("==", "!="):
            left, right = _eval(args[0], env, mode), _eval(args[1], env, mode)
            if isinstance(left, bool) != isinstance(right, bool):
                raise FormulaError("formula.type_mismatch", node.ops[0][1])
            return (left == right) == (node.value == "==")
        return _ORDER[str(node.value)](_num(args[0], env, mode), _num(args[1], env, mode))
    if kind == "call" and node.value == "if":
        return _eval(args[1] if _bool(args[0], env, mode) else args[2], env, mode)
    if kind == "call" and node.value in _LOOKUPS:
        return _supplied(node, env, mode)
    values = [_num(a, env, mode) for a in args]
    return _arith(node, lambda: _compute(node, values, mode))


def _compute(node: _Node, values: list[Decimal], mode: str) -> Decimal:
    kind, name = node.kind, node.value
    if kind == "neg":
        return -values[0]
    if kind in ("add", "mul"):
        acc = values[0]
        for i, ((op, offset), v) in enumerate(zip(node.ops, values[1:])):
            if op == "/" and v == 0:
                divisor = _render(node.args[i + 1], {})[0]
                if _PRECEDENCE.get(node.args[i + 1].kind, 8) < _PRECEDENCE["cmp"]:
                    divisor = f"({divisor})"
                guard = f"if({divisor} == 0, 0, {_render(node, {})[0]})"
                raise FormulaError("formula.division_by_zero", offset, guard=guard)
            acc = _ARITHMETIC[op](acc, v)
        return acc
    if name == "min" or name == "max":
        return min(values) if name == "min" else max(values)
    if name == "sum":
        return sum(values[1:], values[0])
    if name == "clamp":
        x, lo, hi = values
        if lo > hi:
            raise FormulaError("formula.clamp_bounds", node.offset, lo=str(lo), hi=str(hi))
        return min(max(x, lo), hi)
    if name == "abs":
        return abs(values[0])
    if name == "round":
        x, places = values
        with localcontext() as ctx:  # wide enough that quantize never runs out of digits
            ctx.prec = max(PRECISION, x.adjusted() + int(places) + 2)
            return x.quantize(Decimal(1).scaleb(-int(places)), rounding=mode)
    rounding = ROUND_FLOOR if name == "floor" else ROUND_CEILING
    return values[0].to_integral_value(rounding=rounding)


# ---------------------------------------------------------------- describe
_PRECEDENCE = {"or": 1, "and": 2, "not": 3, "cmp": 4, "add": 5, "mul": 6, "neg": 7}
_ZH = {"min": "最小值", "max": "最大值", "clamp": "限定", "if": "如果", "abs": "绝对值",
       "floor": "向下取整", "ceil": "向上取整", "sum": "合计", "and": "且", "or": "或", "not": "非",
       "round": "保留小数", "group_mean": "平均值", "group_median": "中位数", "group_max": "最高值",
       "group_min": "最低值", "group_count": "单位数", "previous": "上期"}


def describe(formula: Formula | str, locale: str = DEFAULT_LOCALE, labels: Mapping[str, str] | None = None,
             signs: bool = False) -> str:
    """The formula as readable text: one space around binary operators, none
    inside parentheses, only the parentheses precedence needs; in zh-CN the
    function names and ``and``/``or``/``not`` are in Chinese; ``labels`` words
    names as the scheme declares them (``rate`` → ``按时办结率``); ``signs``: comparisons
    as a reader writes them (=, ≠, ≥, ≤ for ==, !=, >=, <=)."""
    if isinstance(formula, str):
        formula = compile_formula(formula)
    words = {} if locale == "en" else _ZH
    if labels:
        words = {**words, **{f"name:{k}": v for k, v in labels.items()}}
    if signs:
        words = {**words, **_CMP_WORDS}
    return _render(formula._root, words)[0]


def arithmetic(formula: Formula | str, values: Mapping[str, str], locale: str = DEFAULT_LOCALE) -> str | None:
    """The formula with each name (and each lookup such as ``group_mean(rate)``) replaced by its
    figure from ``values``: the arithmetic a reader can redo (“本项满分 - 时效扣分” → “10 - 0.3”).
    None when a name has no figure, or the formula decides by a condition (see :func:`worked`)."""
    got = worked(formula, values, locale)
    return got[1] if got is not None else None


def worked(formula: Formula | str, values: Mapping[str, str], locale: str = DEFAULT_LOCALE,
           env: Mapping[str, Decimal | bool] | None = None) -> tuple[tuple[tuple[str, bool], ...], str] | None:
    """The formula worked through with its figures: each ``if`` condition met on the way, with the
    figures put in and whether it held (read from ``env``), then the arithmetic of the branch
    taken — ``if(n == 0, 1, max - e * 0.5)`` with n = 20, e = 0 gives ((“20 = 0”, False),),
    “2 - 0 * 0.5”.  None when a name has no figure, a comparison stands outside a condition, or
    a condition needs ``env`` and none is given."""
    if isinstance(formula, str):
        formula = compile_formula(formula)
    words = {} if locale == "en" else dict(_ZH)
    words.update({f"value:{k}": (f"({v})" if v.startswith("-") else v) for k, v in values.items()})
    conditions: list[tuple[str, bool]] = []

    def taken(node: _Node) -> _Node | None:
        """``node`` with each ``if`` replaced by the branch taken (conditions noted on the way)."""
        if node.kind == "call" and node.value == "if":
            cond = node.args[0]
            if env is None or not _figured(cond, values):
                return None
            with localcontext(Context(prec=PRECISION, rounding=ROUND_HALF_EVEN)):
                try:
                    held = bool(_eval(cond, env, ROUNDING_MODES["half_up"]))
                except (FormulaError, ArithmeticError):
                    return None
            conditions.append((_render(cond, {**words, **_CMP_WORDS})[0], held))
            return taken(node.args[1] if held else node.args[2])
        if node.kind in ("cmp", "and", "or", "not", "bool"):
            return None
        if node.kind == "name" and str(node.value) not in values:
            return None
        if node.kind == "call" and _value_key(node) in values:
            return node
        args = []
        for a in node.args:
            t = taken(a)
            if t is None:
                return None
            args.append(t)
        return replace(node, args=tuple(args))

    root = taken(formula._root)
    if root is None:
        return None
    return tuple(conditions), _render(root, words)[0]


def _figured(node: _Node, values: Mapping[str, str]) -> bool:
    """Every name of a condition has its figure (so the condition can be shown with them)."""
    if node.kind == "name":
        return str(node.value) in values
    if node.kind == "call" and _value_key(node) in values:
        return True
    return all(_figured(a, values) for a in node.args)


# a condition shown with its figures: 20 = 0, 5 ≥ 3
_CMP_WORDS = {"cmp:==": "=", "cmp:!=": "≠", "cmp:>=": "≥", "cmp:<=": "≤"}


def _value_key(node: _Node) -> str:
    """``group_mean(rate)``, ``previous(n)``: how a lookup of a name is keyed among the figures."""
    if node.args and node.args[0].kind == "name":
        return f"{node.value}({node.args[0].value})"
    return ""


def _render(node: _Node, words: Mapping[str, str]) -> tuple[str, int]:
    prec = _PRECEDENCE.get(node.kind, 8)

    def sub(child: _Node, least: int) -> str:
        text, p = _render(child, words)
        return f"({text})" if p < least else text

    if node.kind == "num":
        return node.text, prec
    if node.kind == "bool":
        return ("true" if node.value else "false"), prec
    if node.kind == "name":
        if f"value:{node.value}" in words:
            return words[f"value:{node.value}"], prec
        return words.get(f"name:{node.value}", str(node.value)), prec
    if node.kind == "call" and f"value:{_value_key(node)}" in words:
        return words[f"value:{_value_key(node)}"], prec
    if node.kind == "call":
        name = words.get(str(node.value), str(node.value))
        return f"{name}({', '.join(_render(a, words)[0] for a in node.args)})", prec
    if node.kind == "neg":
        text = sub(node.args[0], prec)
        return ("-" + (f"({text})" if text.startswith("-") else text)), prec
    if node.kind == "not":
        return f"{words.get('not', 'not')} {sub(node.args[0], prec)}", prec
    if node.kind == "cmp":
        op = words.get(f"cmp:{node.value}", str(node.value))
        return f"{sub(node.args[0], prec + 1)} {op} {sub(node.args[1], prec + 1)}", prec
    parts = [sub(node.args[0], prec)]
    for (op, _), arg in zip(node.ops, node.args[1:]):
        parts.append(f"{words.get(op, op)} {sub(arg, prec + 1)}")
    return " ".join(parts), prec
