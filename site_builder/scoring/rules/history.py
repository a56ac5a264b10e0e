"""Points from the unit's own record (历史考核结果): “连续三个月获得流动红旗的，加2分”,
“学期内获得流动红旗8次以上的，评为五星”.

Nothing is recorded for the line: the engine hands the rule the record of
results computed so far (:mod:`site_builder.scoring.history`).  Without
``scheme`` the line reads its own scheme's *earlier* periods (the current
period's honours are decided after its points); with ``scheme`` it reads that
scheme, which must be listed in ``inputs`` and is computed first.  The points
come from brackets on the measured value, or from a yes/no threshold
(``at_least`` + ``points``).  A value in no bracket gives 0 points, said so on
the score card.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, ClassVar, Literal

from pydantic import Field

from site_builder import messages
from site_builder.schema.types import Bool, Dec, Id, Int, Strict, Text
from site_builder.scoring.facts import Facts
from site_builder.scoring.rules.base import LineSpec, Outcome, Report, Rule, Step, fmt, pick, rule_kind, step
from site_builder.scoring.rules.brackets import Bracket, Brackets

if TYPE_CHECKING:
    from site_builder.scoring.history import Past, Reading

Measure = Literal["held", "run", "first", "periods", "total_sum", "total_mean", "vetoed", "line_periods", "line_run"]


class LineTest(Strict):
    """A test of one line's points in one period (“安全生产项得满分”“纪律分低于180分”)."""

    id: Id = Field(description="指标标识（读取方案中的指标，末级或上级）")
    full: Bool = Field(False, description="true：该项得满分（得分达到该项 max）")
    at_least: Dec | None = Field(None, description="该项得分不低于此数")
    below: Dec | None = Field(None, description="该项得分低于此数")

    def given(self) -> int:
        """How many of full, at_least, below are given (exactly one is allowed)."""
        return int(self.full) + (self.at_least is not None) + (self.below is not None)

    def passes(self, points: Decimal | None, maximum: Decimal | None) -> bool:
        """Whether the line's points of one period pass; a line not scored that period never does."""
        if points is None:
            return False
        if self.full:
            return maximum is not None and points >= maximum
        if self.at_least is not None:
            return points >= self.at_least
        return self.below is not None and points < self.below

    def words(self, name: str, locale: str) -> str:
        if self.full:
            return pick(locale, f"“{name}”得满分", f"full marks in “{name}”")
        if self.at_least is not None:
            return pick(locale, f"“{name}”得分不低于{fmt(self.at_least)}分", f"“{name}” at least {fmt(self.at_least)}")
        return pick(locale, f"“{name}”得分低于{fmt(self.below or 0)}分", f"“{name}” below {fmt(self.below or 0)}")

messages.register(
    {
        "rule.history_honour": (
            "按“{measure}”计分须写明荣誉 honour",
            "请加 honour: 荣誉标识（方案 honours 中的 id）",
            "measure “{measure}” needs the honour it counts",
            "add honour: <id of one of the scheme's honours>",
        ),
        "rule.history_stray": (
            "按“{measure}”计分时不用写 {key}",
            "请删除 {key}（honour 只用于 held、run；ranking 只用于 first）",
            "{key} has no use with measure “{measure}”",
            "remove {key} (honour is for held and run, ranking for first)",
        ),
        "rule.history_line": (
            "按“{measure}”计分须写明指标及其条件 line",
            "请加 line: {{id: 指标标识, full: true}}（或 at_least: 分数、below: 分数）",
            "measure “{measure}” needs the line and its test",
            "add line: {{id: <line id>, full: true}} (or at_least: n, below: n)",
        ),
        "rule.history_line_test": (
            "line 的条件须且只能写一个：full: true（得满分）、at_least（不低于）或 below（低于）",
            "请只写其中一个",
            "line needs exactly one test: full: true, at_least or below",
            "give one of the three",
        ),
        "rule.history_points": (
            "计分方式须二选一：brackets 分档，或 at_least 与 points（达到即得分）",
            "请只写其中一种",
            "give either brackets, or at_least with points (a yes/no threshold)",
            "write one of the two",
        ),
        "rule.history_last_span": (
            "last（最近 N 期）与 span 不能同时写",
            "请删除其中一个",
            "last (the last N periods) and span cannot both be given",
            "remove one of them",
        ),
        "rule.history_above_max": (
            "得分 {points} 超过本项满分 {max}",
            "请核对分值",
            "{points} points is above the line's maximum {max}",
            "check the points",
        ),
        "facts.history_recorded": (
            "“{name}”按历史考核结果计分，不需要记录",
            "请删除这条记录（不适用时可写 na）",
            "“{name}” is scored from earlier results; nothing is recorded for it",
            "remove the entry (write na if the line does not apply)",
        ),
        "explain.history_none": (
            "{source}（{span}）没有已计算的考核期，按 0 期计",
            "",
            "{source_en}, {span_en}: no period computed, counted as 0 periods",
            "",
        ),
        "explain.history_periods": (
            "{source}（{span}）共 {n} 期：{periods}",
            "",
            "{source_en}, {span_en}: {n} period(s): {periods_en}",
            "",
        ),
        "explain.history_held": ("获得“{ref}” {value} 期{which}", "", "held “{ref}” in {value} period(s){which_en}", ""),
        "explain.history_run": ("最长连续获得“{ref}” {value} 期{which}", "", "longest run holding “{ref}”: {value} period(s){which_en}", ""),
        "explain.history_first": ("在“{ref}”中排名第一 {value} 期{which}", "", "ranked first in “{ref}” in {value} period(s){which_en}", ""),
        "explain.history_count": ("参加考核 {value} 期", "", "assessed in {value} period(s)", ""),
        "explain.history_vetoed": ("受一票否决 {value} 期{which}", "", "under a one-vote veto in {value} period(s){which_en}", ""),
        "explain.history_line_periods": ("{test} {value} 期{which}", "", "{test_en}: {value} period(s){which_en}", ""),
        "explain.history_line_run": ("最长连续{test} {value} 期{which}", "", "longest run, {test_en}: {value} period(s){which_en}", ""),
        "explain.history_total_sum": ("各期总分合计 {value} 分", "", "totals add up to {value}", ""),
        "explain.history_total_mean": ("各期总分平均 {value} 分", "", "mean of the totals: {value}", ""),
        "explain.history_yes": ("达到 {at_least}{unit}，得 {points} 分", "", "at least {at_least}{unit}: {points} points", ""),
        "explain.history_no": ("未达到 {at_least}{unit}，不得分", "", "below {at_least}{unit}: no points", ""),
        "explain.history_bracket": ("属于“{range}”档，得 {points} 分", "", "bracket “{range_en}”: {points} points", ""),
        "explain.history_no_bracket": ("不在任何一档，得 0 分", "", "in no bracket: 0 points", ""),
    }
)

_SPAN_ZH = {"period": "本期内", "stage": "本阶段内", "year": "本年度内", "all": "全部"}
_SPAN_EN = {"period": "within this period", "stage": "within this stage", "year": "within this year", "all": "all periods"}
_MEASURE_CODE = {"held": "explain.history_held", "run": "explain.history_run", "first": "explain.history_first",
                 "periods": "explain.history_count", "total_sum": "explain.history_total_sum",
                 "total_mean": "explain.history_total_mean", "vetoed": "explain.history_vetoed",
                 "line_periods": "explain.history_line_periods", "line_run": "explain.history_line_run"}


@rule_kind
class FromHistory(Rule):
    """按本单位已算出的考核结果（本方案此前各期或 inputs 中的其他方案）计分。"""

    kind: Literal["history"] = "history"
    label: Text = Field(description="计分依据的说明，如“学期内获得流动红旗的周数”")
    scheme: Id | None = Field(
        None, description="读取的方案标识（须列在本方案的 inputs 中）；不填为本方案此前各期"
    )
    measure: Measure = Field(
        description="held 获得某项荣誉的期数、run 最长连续获得的期数、first 排名第一的期数、periods 参加考核的期数、total_sum 各期总分之和、total_mean 各期总分平均、vetoed 受一票否决的期数、"
        "line_periods 某项得分符合条件（line）的期数、line_run 最长连续符合的期数"
    )
    line: LineTest | None = Field(
        None, description="line_periods、line_run 用：读取的指标及其条件，如 {id: safety, full: true}、{id: discipline, below: 180}"
    )
    # Text, not Id: a clerk who writes the honour's name (“红旗窗口”) is told its id by check
    honour: Text | None = Field(None, description="荣誉标识（held、run 必填），读取方案 honours 中的 id")
    ranking: Text | None = Field(None, description="排名标识（first 用；不填为读取方案的第一个排名）")
    span: Literal["period", "stage", "year", "all"] = Field(
        "period",
        description="范围：period 本期内（默认，读取其他方案时用）、stage 本阶段内、year 本年度内、all 全部历史",
    )
    last: Int | None = Field(None, ge=1, description="只看最近 N 期（代替 span）")
    unit: str = Field("", description="数值的单位，如“次”“周”“分”（用于说明）")
    brackets: list[Bracket] = Field(default_factory=list, description="按数值分档计分（同 brackets 规则）")
    at_least: Dec | None = Field(None, description="达到此数即得 points 分（否则 0 分）")
    points: Dec | None = Field(None, description="达到 at_least 时的得分")
    primary: ClassVar[str | None] = None
    facts_optional: ClassVar[bool] = True
    reads_history: ClassVar[bool] = True
    example = "连续三个月获得流动红旗的，加2分"

    @property
    def span_key(self) -> str | int:
        """What :mod:`site_builder.scoring.history` calls the span: a name, or N for the last N periods."""
        return self.last if self.last is not None else self.span

    def _as_brackets(self) -> Brackets:
        whole = None if self.measure not in ("total_sum", "total_mean") else False
        return Brackets(label=self.label, unit=self.unit, integer=whole, brackets=self.brackets)

    def check_scheme(self, line: LineSpec, report: Report) -> None:
        if self.measure in ("held", "run") and self.honour is None:
            report("rule.history_honour", (), measure=self.measure)
        if self.honour is not None and self.measure not in ("held", "run"):
            report("rule.history_stray", ("honour",), measure=self.measure, key="honour")
        if self.ranking is not None and self.measure != "first":
            report("rule.history_stray", ("ranking",), measure=self.measure, key="ranking")
        if self.measure in ("line_periods", "line_run") and self.line is None:
            report("rule.history_line", (), measure=self.measure)
        if self.line is not None and self.measure not in ("line_periods", "line_run"):
            report("rule.history_stray", ("line",), measure=self.measure, key="line")
        if self.line is not None and self.line.given() != 1:
            report("rule.history_line_test", ("line",))
        if self.last is not None and "span" in self.model_fields_set:
            report("rule.history_last_span", ("last",))
        if bool(self.brackets) == (self.at_least is not None) or (self.at_least is None) != (self.points is None):
            report("rule.history_points", ())
        if self.brackets:
            self._as_brackets().check_scheme(line, report)
        if self.points is not None and line.max is not None and line.type != "deduction" and self.points > line.max:
            report("rule.history_above_max", ("points",), points=fmt(self.points), max=fmt(line.max))

    def check_facts(self, line: LineSpec, facts: Facts, report: Report) -> None:
        if facts.has_any():
            report("facts.history_recorded", (), name=line.name)

    def score(self, line: LineSpec, facts: Facts) -> Outcome:
        raise NotImplementedError("a history line is scored by score_history, with the record of results")

    def score_history(self, line: LineSpec, past: Past) -> Outcome:
        from site_builder.scoring.history import measure

        source = self.scheme or past.period.scheme
        ref = self.honour if self.measure in ("held", "run") else None
        if self.measure == "first":
            ref = self.ranking or next(iter(past.history.ranking_ids.get(source, [])), "period")
        got = measure(past.history, source, past.unit, past.period, self.span_key, self.measure, ref, self.line)
        steps = [self._found(past, source, got)]
        params = {"value": fmt(got.value)}
        if self.line is not None:
            name = past.history.line_names.get(source, {}).get(self.line.id, self.line.id)
            params.update(test=self.line.words(name, "zh-CN"), test_en=self.line.words(name, "en"),
                          which="（" + "、".join(got.hits) + "）" if got.hits else "",
                          which_en=" (" + ", ".join(got.hits_en) + ")" if got.hits_en else "")
        if ref is not None:
            params["ref"] = past.history.name_of(source, ref)
            params["which"] = "（" + "、".join(got.hits) + "）" if got.hits else ""
            params["which_en"] = " (" + ", ".join(got.hits_en) + ")" if got.hits_en else ""
        if self.measure == "vetoed":
            params["which"] = "（" + "、".join(got.hits) + "）" if got.hits else ""
            params["which_en"] = " (" + ", ".join(got.hits_en) + ")" if got.hits_en else ""
        steps.append(step(_MEASURE_CODE[self.measure], **params))
        if self.at_least is not None:
            assert self.points is not None
            yes = got.value >= self.at_least
            pts = self.points if yes else Decimal(0)
            steps.append(step("explain.history_yes" if yes else "explain.history_no", at_least=fmt(self.at_least), unit=self.unit,
                              points=fmt(self.points)))
        else:
            b = next((b for b in self.brackets if b.contains(got.value)), None)
            pts = b.points if b is not None else Decimal(0)
            steps.append(step("explain.history_bracket", range=b.words(self.unit, "zh-CN"), range_en=b.words(self.unit, "en"),
                              points=fmt(b.points))
                         if b is not None else step("explain.history_no_bracket"))
        signed = -pts if line.type == "deduction" else pts
        n = int(got.value) if self.measure in ("held", "run", "first", "periods", "vetoed", "line_periods", "line_run") else 0
        return Outcome(signed, signed, None, tuple(steps), n)

    def _found(self, past: Past, source: str, got: Reading) -> Step:
        own = source == past.period.scheme
        from site_builder.scoring.history import window

        span = self.span_key
        title = past.history.source_title(past.period, source, window(past.history, source, past.period, span))
        zh = f"最近 {span} 期" if isinstance(span, int) else _SPAN_ZH[span]
        en = f"the last {span} period(s)" if isinstance(span, int) else _SPAN_EN[span]
        src = "本方案此前各期" if own else f"“{title}”"
        src_en = "earlier periods of this scheme" if own else f"“{title}”"
        if not got.periods:
            return step("explain.history_none", source=src, source_en=src_en, span=zh, span_en=en)
        return step("explain.history_periods", source=src, source_en=src_en, span=zh, span_en=en, n=len(got.periods),
                    periods="、".join(got.periods), periods_en=", ".join(got.periods_en))

    def describe(self, line: LineSpec, locale: str) -> str:
        if self.at_least is not None:
            return pick(locale, f"{self.label}达到{fmt(self.at_least)}{self.unit}的，{'扣' if line.type == 'deduction' else '得'}{fmt(self.points or 0)}分。",
                        f"{self.label}: at least {fmt(self.at_least)}{self.unit} gives {'minus ' if line.type == 'deduction' else ''}{fmt(self.points or 0)} points.")
        return self._as_brackets().describe(line, locale)
