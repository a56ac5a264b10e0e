"""The interface every rule kind implements, and the registry of kinds.

A rule kind is one pydantic model (its parameters as written in the scheme)
with four duties: check its own parameters against the line, check a unit's
facts, turn facts into points, and state itself in words for the published
scheme document.  Registering the class with :func:`rule_kind` is all it takes
to make the kind available in YAML, in the JSON Schema and in the docs.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal, localcontext
from pathlib import Path
from typing import Any, ClassVar

from site_builder import messages
from site_builder.schema.types import Strict
from site_builder.scoring.facts import Facts

ZERO = Decimal(0)

Report = Callable[..., None]  # report(code, path_suffix=(), **params)
#: Last element of a report's path suffix when the problem is the mapping key itself
#: (a misspelt rate under ``counts:``): the problem is located at the key, not its value.
AT_KEY = "\x00key"


@dataclass(frozen=True)
class PeriodContext:
    """Where a line is scored, for the few kinds that need more than the facts:
    the period's dates (a deadline's “not done by the period end”), the scheme's
    rounding mode (a rater group's mean rounded “as the scheme rounds”) and the
    project's working-day calendar (a loader of ``workflow.workdays.Calendar``,
    called only by a kind that counts working days; None → the built-in
    official calendar)."""

    start: dt.date
    end: dt.date
    rounding_mode: str = "half_up"
    calendar: Callable[[], object] | None = None


def period_context(root: Path | None, start: dt.date, end: dt.date, rounding_mode: str, problems: object | None = None) -> PeriodContext:
    """The context of one period; the project's calendar (``root/calendar.yaml``) is read
    on first use only, its problems added to ``problems`` (None: already reported by check)."""

    @functools.cache
    def calendar() -> object:
        from site_builder.errors import Problems
        from site_builder.workflow.workdays import Calendar, load_calendar

        if root is None:
            return Calendar()
        return load_calendar(root, problems if problems is not None else Problems())  # type: ignore[arg-type]

    return PeriodContext(start, end, rounding_mode, calendar)


@dataclass(frozen=True)
class LineSpec:
    """What a rule may know about the line it scores."""

    id: str
    name: str
    type: str  # "score" | "bonus" | "deduction"
    max: Decimal | None
    #: The period being scored or checked; None on the scheme page and in scheme checks.
    context: PeriodContext | None = None


@dataclass(frozen=True)
class Step:
    """One sentence of the explanation on a score card (message code + params)."""

    code: str
    params: tuple[tuple[str, object], ...] = ()

    def render(self, locale: str) -> str:
        for _, v in self.params:
            if type(v) is not str and type(v) is not int:
                return messages.get(self.code).what(locale, dict(self.params))
        return _render_plain(self.code, self.params, locale)


@functools.lru_cache(maxsize=8192)
def _render_plain(code: str, params: tuple[tuple[str, object], ...], locale: str) -> str:
    """A step whose parameters are all text or whole numbers (equal ones print the same, unlike
    Decimal 1 and 1.0): the same sentence wherever it recurs (“未发现问题，得满分 10 分” on many
    cards), rendered once."""
    return messages.get(code).what(locale, dict(params))


def per_object(store: dict, obj: object, make: Callable[[], Any], *key: object, limit: int = 4096) -> Any:
    """``make()`` once per object ``obj`` (and ``key``), kept in ``store`` outside the object: a rule
    or bracket is a model whose state must stay its parameters.  By identity, with the object kept
    beside its value so that its id cannot pass to another; at most ``limit`` kept (the rules of
    schemes loaded again and again by ``serve`` are not kept forever)."""
    k = (id(obj), *key)
    got = store.get(k)
    if got is None or got[0] is not obj:
        if len(store) >= limit:
            store.clear()
        got = store[k] = (obj, make())
    return got[1]


_STEPS: dict[tuple[str, tuple[tuple[str, object], ...]], Step] = {}


def step(code: str, **params: object) -> Step:
    """A step; one whose parameters are all text or whole numbers is made once and shared (“未发现问题，
    得满分 10 分” on many cards): a period's results hold, and its cache entry pickles, one object."""
    items = tuple(sorted(params.items())) if len(params) > 1 else tuple(params.items())
    for _, v in items:
        if type(v) is not str and type(v) is not int:
            return Step(code, items)
    key = (code, items)
    got = _STEPS.get(key)
    if got is None:
        if len(_STEPS) >= 65536:
            _STEPS.clear()
        got = _STEPS[key] = Step(code, items)
    return got


@dataclass(frozen=True)
class Outcome:
    """Points of one line for one unit, with how they came about."""

    points: Decimal  # signed contribution after clamping
    raw: Decimal  # before any cap, floor or maximum
    clip: str | None = None  # "max" | "cap" | "floor" | None
    steps: tuple[Step, ...] = ()
    occurrences: int = 0  # for disqualification and modifiers


@dataclass(frozen=True)
class Bounds:
    floor: Decimal
    ceiling: Decimal


RULES: dict[str, type[Rule]] = {}


def rule_kind(cls: type[Rule]) -> type[Rule]:
    """Class decorator: register a rule kind under its ``kind`` literal."""
    kind = cls.model_fields["kind"].default
    if kind in RULES:
        raise RuntimeError(f"rule kind {kind!r} registered twice")
    RULES[kind] = cls
    return cls


class Rule(Strict):
    """Base of every rule kind."""

    #: The Facts field a bare scalar in the period file stands for.
    primary: ClassVar[str | None] = "points"
    #: Missing facts mean "nothing happened" (no occurrences) rather than an error.
    facts_optional: ClassVar[bool] = False
    #: Scored after every unit of the group is known.
    group_relative: ClassVar[bool] = False
    #: Scored from the record of earlier results (``score_history``), not from facts.
    reads_history: ClassVar[bool] = False
    #: Line types the kind can be used on.
    types: ClassVar[tuple[str, ...]] = ("score", "bonus", "deduction")
    #: The clause kind it implements, quoted in the docs.
    example: ClassVar[str] = ""

    def check_scheme(self, line: LineSpec, report: Report) -> None:
        """Report problems of the rule's parameters for this line."""

    def bounds(self, line: LineSpec) -> Bounds:
        """Lowest and highest signed points the line can give."""
        return default_bounds(line)

    def check_facts(self, line: LineSpec, facts: Facts, report: Report) -> None:
        """Report facts this rule cannot use (unknown level, points above max, …)."""

    def score(self, line: LineSpec, facts: Facts) -> Outcome:
        raise NotImplementedError

    def score_group(
        self, line: LineSpec, facts: Mapping[str, Facts], subtotals: Mapping[str, Decimal]
    ) -> dict[str, Outcome]:
        """Group-relative kinds: points for every unit of one group at once."""
        raise NotImplementedError

    def score_group_in(
        self, line: LineSpec, facts: Mapping[str, Facts], subtotals: Mapping[str, Decimal], context: object
    ) -> Mapping[str, Outcome | Exception]:
        """:meth:`score_group` with what the engine knows beyond the group's facts
        (``scoring.derived.Context``: other groups' facts, the previous period's);
        a unit whose facts make the rule fail maps to the error (a ``FormulaError``).
        Only the formula kind reads the context."""
        return self.score_group(line, facts, subtotals)

    def describe(self, line: LineSpec, locale: str) -> str:
        """The rule in words, for the published scheme document."""
        raise NotImplementedError


def default_bounds(line: LineSpec) -> Bounds:
    top = line.max if line.max is not None else ZERO
    if line.type == "deduction":
        return Bounds(-top, ZERO) if line.max is not None else Bounds(Decimal("-1e9"), ZERO)
    if line.type == "adjustment":  # ±max; without max only when declared uncapped
        return Bounds(-top, top) if line.max is not None else Bounds(Decimal("-1e9"), Decimal("1e9"))
    if line.type == "bonus" and line.max is None:  # a bonus declared uncapped
        return Bounds(ZERO, Decimal("1e9"))
    return Bounds(ZERO, top)


def clamp(value: Decimal, bounds: Bounds) -> tuple[Decimal, str | None]:
    if value > bounds.ceiling:
        return bounds.ceiling, "max"
    if value < bounds.floor:
        return bounds.floor, "floor"
    return value, None


SHOWN_PLACES = 4  # a longer fraction (e.g. 1/3 from a ratio) is shown rounded, marked ≈
_FMT: dict[Decimal, str] = {}  # fmt's common case, by value


def fmt(d: Decimal | int) -> str:
    """Plain text of a Decimal as people write it: no exponent, no trailing zeros.

    Figures that come from division can carry 34 digits; in explanations they
    are shown to four places with “≈” (the computation itself is not rounded).
    """
    if isinstance(d, int):
        return str(d)
    if d.is_finite():  # the common case, without a context: exact digits, at most four decimals
        if d:  # equal values print the same here (but −0 and 0 do not): each printed once
            got = _FMT.get(d)
            if got is not None:
                return got
        text = format(d, "f")
        whole, _, fraction = text.partition(".")
        fraction = fraction.rstrip("0")
        if not fraction or len(fraction) <= SHOWN_PLACES:
            text = f"{whole}.{fraction}" if fraction else whole
            if d:
                if len(_FMT) >= 65536:
                    _FMT.clear()
                _FMT[d] = text
            return text
    # A context wide enough for any value: quantize() in the default one raises
    # InvalidOperation once the result has more digits than its precision.
    with localcontext() as ctx:
        ctx.prec = max(ctx.prec, d.adjusted() + SHOWN_PLACES + 2)
        if d == d.to_integral_value():
            return format(d.quantize(Decimal(1)), "f")
        text = format(d.normalize(), "f")
        if len(text.partition(".")[2]) > SHOWN_PLACES:
            return "≈" + format(d.quantize(Decimal(1).scaleb(-SHOWN_PLACES)).normalize(), "f")
        return text


def pick(locale: str, zh: str, en: str) -> str:
    return en if locale == "en" else zh
