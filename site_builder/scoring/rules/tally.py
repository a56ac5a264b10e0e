"""Shared arithmetic of the counting kinds: occurrences, people, awards.

“每发现一项扣0.5分，扣分不超过5分”, “主要领导、科级以上干部、普通干部职工…分别扣
4分、2分、1分”, “市级每次加0.5分，省级1分，国家级1.5分，累计不超过4分” all have
the same shape: a list of *rates*, occurrences recorded against them, an amount
per occurrence (fixed, or discretionary within a declared range), and a cap.

Decisions, for every counting kind:
- On a ``score`` line deductions start from the line's maximum and are floored
  at ``floor`` (0 unless the scheme says otherwise); additions start from 0 and
  stop at the maximum (or ``ceiling`` where the scheme allows more).
- On a ``bonus`` line the sum is capped at ``cap`` (default: the line's max).
- On a ``deduction`` line the sum is deducted, capped at ``cap`` (default: max;
  no cap when neither is given).
- ``highest_per_event``: of several awards for one event only the highest
  counts (“同一事项按最高级别计分”).
- Missing facts mean nothing happened: zero occurrences.
"""

from __future__ import annotations

from decimal import Decimal
from typing import ClassVar, Literal

from pydantic import Field, PrivateAttr, model_validator

from site_builder import messages
from site_builder.schema.types import Bool, Dec, Id, Int, NonNeg, Strict, Text
from site_builder.scoring.facts import Event, Facts
from site_builder.scoring.rules.base import (
    AT_KEY,
    ZERO,
    Bounds,
    LineSpec,
    Outcome,
    Report,
    Rule,
    Step,
    clamp,
    fmt,
    per_object,
    pick,
    step,
)

messages.register(
    {
        "rule.unknown_rate": (
            "“{rate}”不是本项规定的{what}{suggestion_zh}",
            "可用的有：{known}",
            "“{rate}” is not one of this line's {what_en}{suggestion_en}",
            "known: {known}",
        ),
        "rule.rate_required": (
            "本项有多个{what}，每条记录都要写明是哪一个",
            "请加上 {field}: 标识（可用：{known}）",
            "this line has several {what_en}; each record must say which",
            "add {field}: <id> (known: {known})",
        ),
        "rule.discretionary_points_missing": (
            "“{rate}”按次酌情计分（{min}—{max}分），这条记录缺少 points",
            "请逐次记录，并写明本次的分值 points",
            "“{rate}” is discretionary ({min}–{max} points each); this record has no points",
            "record each occurrence with its points",
        ),
        "rule.discretionary_points_range": (
            "本次分值 {points} 不在规定的 {min}—{max} 分之间",
            "请核对分值",
            "points {points} are outside the declared range {min}–{max}",
            "check the amount",
        ),
        "rule.fixed_points_given": (
            "“{rate}”每次固定 {per} 分，记录中不应再写 points",
            "删除 points，由方案计算分值",
            "“{rate}” is a fixed {per} points each; the record must not carry points",
            "remove points: the scheme computes them",
        ),
        "rule.range_order": (
            "酌情分值范围的下限 {min} 大于上限 {max}",
            "请交换两个数",
            "range minimum {min} exceeds maximum {max}",
            "swap them",
        ),
        "rule.no_rates": (
            "没有规定每次的分值",
            "请写 per: 分值，或 rates/ranks/levels 列表",
            "no amount per occurrence is declared",
            "write per: <points>, or a list of rates/ranks/levels",
        ),
        "rule.duplicate_id": (
            "标识“{id}”重复",
            "每一项的标识必须不同",
            "id “{id}” is used twice",
            "give each entry its own id",
        ),
        "rule.deduction_needs_cap": (
            "计分项按次扣分时需要满分（max）",
            "请给本项写 max",
            "a score line that deducts per occurrence needs a max",
            "add max to the line",
        ),
        "explain.tally_item": (
            "{name}：{count} 次 × {per} 分 = {amount} 分",
            "",
            "{name}: {count} × {per} = {amount} points",
            "",
        ),
        "explain.tally_item_discretionary": (
            "{name}：酌情 {amount} 分",
            "",
            "{name}: {amount} points at discretion",
            "",
        ),
        "explain.tally_item_plain": ("{count} 次 × {per} 分 = {amount} 分", "", "{count} × {per} = {amount} points", ""),
        "explain.tally_item_discretionary_plain": ("酌情 {amount} 分", "", "{amount} points at discretion", ""),
        "explain.tally_none": ("无记录", "", "nothing recorded", ""),
        "explain.tally_if_none": ("无记录，得基础分 {points} 分", "", "nothing recorded: base {points} points", ""),
        "explain.tally_capped": (
            "合计 {amount} 分，超过上限 {cap} 分，按 {cap} 分计",
            "",
            "total {amount} points exceeds the cap of {cap}: counted as {cap}",
            "",
        ),
        "explain.tally_skipped_lower": (
            "{name}：同一事项已按更高级别计分，不重复计",
            "",
            "{name}: the same event already counts at a higher level",
            "",
        ),
        "explain.tally_rate_capped": (
            "{name}：合计 {amount} 分，超过本标准上限 {cap} 分，按 {cap} 分计",
            "",
            "{name}: {amount} points in all exceed this rate's cap of {cap}: counted as {cap}",
            "",
        ),
        "explain.tally_count_limit": (
            "共记录 {recorded} 次，按规定至多计 {limit} 次，其余 {over} 次不计分",
            "",
            "{recorded} recorded; at most {limit} count, the other {over} are not scored",
            "",
        ),
        "explain.tally_result": (
            "{start} 分起计，扣 {deducted} 分，加 {added} 分",
            "",
            "start at {start}, minus {deducted}, plus {added}",
            "",
        ),
    }
)


class Range(Strict):
    min: NonNeg = Field(description="每次最少")
    max: NonNeg = Field(description="每次最多")


class Rate(Strict):
    id: Id = Field(description="标识")
    name: Text = Field(description="名称，如“主要领导”“市级”“未按规定着装”")
    per: NonNeg | Range = Field(description="每次（每人次）的分值，或酌情范围 {min, max}")
    effect: Literal["deduct", "add"] | None = Field(
        None, description="deduct 扣分、add 加分；不填则加分项为加分，其余为扣分"
    )
    noun: Text | None = Field(None, description="本标准的计量单位，如“人次”“处”（不填则用规则的 noun）")
    cap: NonNeg | None = Field(
        None, description="本标准累计上限，在本项上限之内再封顶（如“其中迟到每次扣0.5分，最多扣2分”）"
    )


class TallyRule(Rule):
    """Base of the counting kinds (not registered itself)."""

    primary: ClassVar[str | None] = "count"
    facts_optional: ClassVar[bool] = True
    rates_field: ClassVar[str] = "rates"
    event_field: ClassVar[str] = "rate"
    what_zh: ClassVar[str] = "计分标准"
    what_en: ClassVar[str] = "rates"

    per: NonNeg | Range | None = Field(None, description="每次的分值（只有一种情形时）")
    effect: Literal["deduct", "add"] | None = Field(
        None, description="与 per 合用：deduct 扣分、add 加分；不填则加分项为加分，其余为扣分"
    )
    cap: NonNeg | None = Field(None, description="累计上限（扣分不超过/加分不超过），默认为本项分值")
    floor: Dec = Field(ZERO, description="计分项扣分后的最低分，默认 0")
    ceiling: NonNeg | None = Field(None, description="计分项加分后允许的最高分，默认为本项分值")
    if_none: NonNeg | None = Field(None, description="没有任何记录时的得分（如“无办件的得基础分1分”）")
    start: Literal["max", "zero"] | None = Field(
        None, description="计分项起算分：max 从满分扣（有扣分标准时默认）、zero 从 0 加"
    )
    highest_per_event: Bool = Field(False, description="同一事项只计最高一项")
    noun: Text | None = Field(None, description="计量单位，用于生成条文，如“篇”“项”“件”（默认“次”，按人计分时为“人次”）")
    max_count: Int | None = Field(
        None,
        description="至多计入的次数（如“每季度抽查不超过5次”）：按记录顺序计入，超出的不计分，得分说明中注明；取消评先资格、系数仍按全部记录的次数",
    )
    _rates: tuple[Rate, ...] = PrivateAttr(default=())

    # -- helpers -------------------------------------------------------
    def rate_list(self) -> list[Rate]:
        return list(self._rates)

    @model_validator(mode="after")
    def _list_rates(self) -> TallyRule:
        """The rates, with the one ``per`` stands for, listed once when the rule is validated and kept
        with it (a private attribute: a validated scheme read back from the cache is, byte for byte,
        the one validated, whatever was scored with it since)."""
        rates: list[Rate] = list(getattr(self, self.rates_field) or [])
        if not rates and self.per is not None:
            rates = [Rate(id="default", name="每次", per=self.per, effect=self.effect)]
        self._rates = tuple(rates)
        return self

    def effect_of(self, rate: Rate, line: LineSpec) -> str:
        if rate.effect:
            return rate.effect
        return "add" if line.type == "bonus" else "deduct"

    def _start(self, line: LineSpec) -> Decimal:
        if self.start == "zero":
            return ZERO
        if self.start == "max":
            return line.max or ZERO
        deducts = any(self.effect_of(r, line) == "deduct" for r in self._rates)
        return (line.max or ZERO) if deducts else ZERO

    def _cap(self, line: LineSpec) -> Decimal | None:
        if self.cap is not None:
            return self.cap
        return line.max

    # -- scheme checks ---------------------------------------------------
    def check_scheme(self, line: LineSpec, report: Report) -> None:
        rates = self.rate_list()
        if not rates:
            report("rule.no_rates", ())
        seen: set[str] = set()
        for i, r in enumerate(getattr(self, self.rates_field) or []):
            if r.id in seen:
                report("rule.duplicate_id", (self.rates_field, i, "id"), id=r.id)
            seen.add(r.id)
        for i, r in enumerate(rates):
            if isinstance(r.per, Range) and r.per.min > r.per.max:
                where = (self.rates_field, i, "per") if getattr(self, self.rates_field) else ("per",)
                report("rule.range_order", where, min=fmt(r.per.min), max=fmt(r.per.max))
        if line.type == "score" and line.max is None:
            report("rule.deduction_needs_cap", ())

    def bounds(self, line: LineSpec) -> Bounds:
        cap = self._cap(line)
        if line.type == "bonus":
            return Bounds(ZERO, cap if cap is not None else Decimal("1e9"))
        if line.type == "deduction":
            return Bounds(-cap if cap is not None else Decimal("-1e9"), ZERO)
        top = self.ceiling if self.ceiling is not None else (line.max or ZERO)
        return Bounds(min(self.floor, top), top)

    # -- facts -------------------------------------------------------------
    def _records(self, facts: Facts) -> list[tuple[tuple, Event]]:
        out: list[tuple[tuple, Event]] = []
        for field in ("events", "people", "awards"):
            for i, ev in enumerate(getattr(facts, field)):
                out.append(((field, i), ev))
        return out

    def check_facts(self, line: LineSpec, facts: Facts, report: Report) -> None:
        rates, single = self._rate_index()
        known = ", ".join(rates) or "—"
        for path, ev in self._records(facts):
            key = ev.key
            rate = rates.get(key) if key else single
            if key and rate is None:
                report(
                    "rule.unknown_rate", (*path, self.event_field), rate=key,
                    what=self.what_zh, what_en=self.what_en, known=known, **messages.did_you_mean(key, list(rates)),
                )
                continue
            if rate is None:
                report(
                    "rule.rate_required", path, what=self.what_zh, what_en=self.what_en,
                    field=self.event_field, known=known,
                )
                continue
            self._check_amount(rate, ev, path, report)
        for key in facts.counts or {}:
            rate = rates.get(key)
            if rate is None:
                report(
                    "rule.unknown_rate", ("counts", key, AT_KEY), rate=key,
                    what=self.what_zh, what_en=self.what_en, known=known, **messages.did_you_mean(key, list(rates)),
                )
            elif isinstance(rate.per, Range):
                report(
                    "rule.discretionary_points_missing", ("counts", key), rate=rate.name,
                    min=fmt(rate.per.min), max=fmt(rate.per.max),
                )
        if facts.count and single is None:
            report("rule.rate_required", ("count",), what=self.what_zh, what_en=self.what_en,
                   field="counts", known=known)
        elif facts.count and isinstance(single.per, Range):
            report("rule.discretionary_points_missing", ("count",), rate=single.name,
                   min=fmt(single.per.min), max=fmt(single.per.max))

    def _check_amount(self, rate: Rate, ev: Event, path: tuple, report: Report) -> None:
        if isinstance(rate.per, Range):
            if ev.points is None:
                report("rule.discretionary_points_missing", path, rate=rate.name,
                       min=fmt(rate.per.min), max=fmt(rate.per.max))
            elif not (rate.per.min <= ev.points <= rate.per.max):
                report("rule.discretionary_points_range", (*path, "points"), points=fmt(ev.points),
                       min=fmt(rate.per.min), max=fmt(rate.per.max))
        elif ev.points is not None:
            report("rule.fixed_points_given", (*path, "points"), rate=rate.name, per=fmt(rate.per))

    # -- scoring -----------------------------------------------------------
    def _rate_index(self) -> tuple[dict[str, Rate], Rate | None]:
        """The rates by id, and the only one when there is one: made once per rule."""

        def make() -> tuple[dict[str, Rate], Rate | None]:
            rates = {r.id: r for r in self._rates}
            return rates, next(iter(rates.values())) if len(rates) == 1 else None

        return per_object(_RATE_INDEX, self, make)

    def _line_figures(self, line: LineSpec) -> tuple[Bounds, Decimal]:
        """``bounds(line)`` and ``_start(line)``, once per rule and line (a rule scores one line, the
        same for every unit): by the line's type and its maximum as an object (10 and 10.0 are equal,
        not the same figure), which the value keeps, so that its id stays its own."""
        return per_object(_LINE_FIGURES, self, lambda: (self.bounds(line), self._start(line), line.max),
                          line.type, id(line.max))[:2]

    def _items(self, facts: Facts) -> list[tuple[Rate, int, Decimal, Event | None]]:
        """(rate, count, amount per occurrence, event) for every record."""
        rates, single = self._rate_index()
        items: list[tuple[Rate, int, Decimal, Event | None]] = []
        for field in ("events", "people", "awards"):
            for ev in getattr(facts, field):
                key = ev.key
                rate = rates.get(key) if key else single
                assert rate is not None
                per = ev.points if isinstance(rate.per, Range) else rate.per
                assert per is not None
                items.append((rate, ev.count, per, ev))
        if facts.counts:
            for key, n in sorted(facts.counts.items()):
                rate = rates[key]
                assert not isinstance(rate.per, Range)
                items.append((rate, n, rate.per, None))
        if facts.count:
            assert single is not None and not isinstance(single.per, Range)
            items.append((single, facts.count, single.per, None))
        return items

    def score(self, line: LineSpec, facts: Facts) -> Outcome:
        items = self._items(facts)
        steps: list[Step] = []
        if self.highest_per_event:
            items, skipped = _highest_per_event(items)
            steps.extend(step("explain.tally_skipped_lower", name=_label(r, ev)) for r, _, _, ev in skipped)
        added = deducted = ZERO
        occurrences = sum(n for _, n, _, _ in items)  # all recorded, for disqualify and modifiers
        if self.max_count is not None and occurrences > self.max_count:
            items = _first_n(items, self.max_count)
            steps.append(step("explain.tally_count_limit", recorded=occurrences, limit=self.max_count,
                              over=occurrences - self.max_count))
        by_rate: dict[str, Decimal] = {}
        for rate, n, per, ev in items:
            amount = per * n
            by_rate[rate.id] = by_rate.get(rate.id, ZERO) + amount
            if self.effect_of(rate, line) == "add":
                added += amount
            else:
                deducted += amount
            name = _label(rate, ev)
            if name == "—":  # a single rate without a label: the figures alone (no stray “—：”)
                steps.append(step("explain.tally_item_discretionary_plain", amount=fmt(amount)) if isinstance(rate.per, Range)
                             else step("explain.tally_item_plain", count=n, per=fmt(per), amount=fmt(amount)))
            elif isinstance(rate.per, Range):
                steps.append(step("explain.tally_item_discretionary", name=name, amount=fmt(amount)))
            else:
                steps.append(step("explain.tally_item", name=name, count=n, per=fmt(per), amount=fmt(amount)))
        for rate in self._rates:  # a rate's own cap, inside the line's cap
            if rate.cap is None:
                continue
            got = by_rate.get(rate.id, ZERO)
            if got > rate.cap:
                steps.append(step("explain.tally_rate_capped", name=rate.name, amount=fmt(got), cap=fmt(rate.cap)))
                if self.effect_of(rate, line) == "add":
                    added -= got - rate.cap
                else:
                    deducted -= got - rate.cap
        if not items:
            if self.if_none is not None and line.type == "score":
                v = self.if_none
                return Outcome(v, v, None, (step("explain.tally_if_none", points=fmt(v)),), 0)
            steps.append(step("explain.tally_none"))
        cap = self._cap(line)
        clip: str | None = None
        bounds, start = self._line_figures(line)
        if line.type == "bonus" or line.type == "deduction":
            raw = added - deducted
        else:
            d = deducted
            if cap is not None and d > cap:
                steps.append(step("explain.tally_capped", amount=fmt(d), cap=fmt(cap)))
                d, clip = cap, "cap"
            raw = start - d + added
            if items:
                steps.append(step("explain.tally_result", start=fmt(start), deducted=fmt(d), added=fmt(added)))
            value, c2 = clamp(raw, bounds)
            return Outcome(value, start - deducted + added, clip or c2, tuple(steps), occurrences)
        value, clip = clamp(raw, bounds)
        if clip is not None:
            clip = "cap"
            steps.append(step("explain.tally_capped", amount=fmt(abs(raw)), cap=fmt(abs(value))))
        return Outcome(value, raw, clip, tuple(steps), occurrences)

    # -- transfers ------------------------------------------------------------
    def transfer_items(self, line: LineSpec, facts: Facts) -> list[tuple[tuple, Event, Decimal, str, bool]]:
        """(path, record, amount, label, deducts) of every record that names another unit
        (``to:``): the record's own amount, per × count, before any cap of either side."""
        rates = {r.id: r for r in self.rate_list()}
        single = next(iter(rates.values())) if len(rates) == 1 else None
        out = []
        for path, ev in self._records(facts):
            if ev.to is None:
                continue
            rate = rates.get(ev.key) if ev.key else single
            if rate is None:
                continue
            per = ev.points if isinstance(rate.per, Range) else rate.per
            amount = (per or ZERO) * ev.count
            out.append((path, ev, amount, _label(rate, ev), self.effect_of(rate, line) == "deduct"))
        return out

    # -- words ----------------------------------------------------------------
    def describe(self, line: LineSpec, locale: str) -> str:
        parts = []
        for r in self.rate_list():
            verb = pick(locale, "加" if self.effect_of(r, line) == "add" else "扣",
                        "plus" if self.effect_of(r, line) == "add" else "minus")
            amount = (
                pick(locale, f"{fmt(r.per.min)}—{fmt(r.per.max)}分（酌情）", f"{fmt(r.per.min)}–{fmt(r.per.max)} points (discretionary)")
                if isinstance(r.per, Range)
                else pick(locale, f"{fmt(r.per)}分", f"{fmt(r.per)} points")
            )
            name = "" if r.id == "default" else r.name
            noun = r.noun or self.noun or self.unit_zh
            limit = pick(locale, f"，最多{verb}{fmt(r.cap)}分", f" (at most {fmt(r.cap)} in all)") if r.cap is not None else ""
            parts.append(pick(locale, f"{name}每{noun}{verb}{amount}{limit}", f"{name} {verb} {amount} per {r.noun or self.noun or self.unit_en}{limit}".strip()))
        text = pick(locale, "；".join(parts), "; ".join(parts))
        cap = self._cap(line)
        if cap is not None and line.type != "score":
            text += pick(locale, f"，累计不超过{fmt(cap)}分", f", at most {fmt(cap)} points in all")
        elif line.type == "score" and self.cap is not None:
            text += pick(locale, f"，扣分不超过{fmt(self.cap)}分", f", at most {fmt(self.cap)} points deducted")
        elif line.type == "score" and self._start(line) == 0 and line.max is not None:
            text += pick(locale, f"，最多得{fmt(line.max)}分", f", at most {fmt(line.max)} points")
        if self.if_none is not None:
            text += pick(locale, f"；无记录的得基础分{fmt(self.if_none)}分", f"; {fmt(self.if_none)} points when nothing is recorded")
        if self.highest_per_event:
            text += pick(locale, "；同一事项只按最高一项计分", "; only the highest award per event counts")
        if self.max_count is not None:
            text += pick(locale, f"；至多计{self.max_count}{self.noun or self.unit_zh}，超出的不计分",
                         f"; at most {self.max_count} count, further ones are not scored")
        if line.type == "score" and self.floor != 0:
            text += pick(locale, f"；最低{fmt(self.floor)}分", f"; floor {fmt(self.floor)}")
        return text + pick(locale, "。", ".")

    unit_zh: ClassVar[str] = "次"
    unit_en: ClassVar[str] = "occurrence"


_RATE_INDEX: dict = {}  # id(rule) -> (rule, (rates by id, the only rate)): see per_object
_LINE_FIGURES: dict = {}  # (id(rule), type, id(max)) -> (rule, (bounds, start, max))


def _label(rate: Rate, ev: Event | None) -> str:
    base = "" if rate.id == "default" else rate.name
    if ev is not None and (ev.title or ev.note):
        extra = ev.title or ev.note or ""
        return f"{base}（{extra}）" if base else extra
    return base or "—"


def _first_n(items: list, limit: int) -> list:
    """The first ``limit`` occurrences in the order recorded (a record of several counts is cut)."""
    out, left = [], limit
    for rate, n, per, ev in items:
        if left <= 0:
            break
        take = min(n, left)
        out.append((rate, take, per, ev))
        left -= take
    return out


def _highest_per_event(items):
    best: dict[str, tuple] = {}
    kept, skipped = [], []
    for item in items:
        ev = item[3]
        if ev is None or not ev.event:
            kept.append(item)
            continue
        cur = best.get(ev.event)
        if cur is None or item[2] > cur[2]:
            if cur is not None:
                skipped.append(cur)
            best[ev.event] = item
        else:
            skipped.append(item)
    kept.extend(best[k] for k in sorted(best))
    return kept, skipped
