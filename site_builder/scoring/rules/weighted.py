"""A figure on its own scale times a weight: “满意度测评得分×15%”.

The line is rated on its own scale (``scale``, e.g. 100 for a 0–100 rating)
and contributes ``figure × weight`` points.  The figure is recorded as
``value``, or, when the rule declares rater groups (“领导班子占40%、中层干部占
30%、群众占30%”), computed from each group's ratings: the mean of each group
(rounded as ``means`` declares, else exact), weighted by the groups' shares.

A group nobody rated is refused by ``check`` unless the rule says
``empty_group: reweight``: then the other groups' shares are scaled up so that
they sum to 1 (40/30/30 with the middle group empty → 40/70 and 30/70).

Sums run over the ratings in ascending order and over the groups by id, so the
figure does not depend on the order of the ratings or of the groups.
"""

from __future__ import annotations

from decimal import ROUND_DOWN, ROUND_HALF_EVEN, ROUND_HALF_UP, ROUND_UP, Decimal, localcontext
from typing import ClassVar, Literal

from pydantic import Field

from site_builder import messages
from site_builder.schema.types import Id, Int, NonNeg, Strict, Text
from site_builder.scoring.facts import Facts
from site_builder.scoring.rules.assessed import require
from site_builder.scoring.rules.base import (
    ZERO,
    LineSpec,
    Outcome,
    Report,
    Rule,
    clamp,
    default_bounds,
    fmt,
    pick,
    rule_kind,
    step,
)

messages.register(
    {
        "rule.weighted_scale_zero": (
            "评分尺度 scale 不能为 0",
            "百分制写 100，十分制写 10",
            "the scale must not be 0",
            "write 100 for a 0–100 rating, 10 for a 0–10 rating",
        ),
        "rule.weighted_above_max": (
            "满分评分 {scale} × 权重 {weight} = {top} 分，超过本项满分 {max}",
            "请核对权重或本项分值（如百分制、权重 15% 的本项满分应为 15）",
            "a full rating {scale} × weight {weight} = {top}, above the line's maximum {max}",
            "check the weight or the line's maximum (a 0–100 rating weighted 15% gives at most 15)",
        ),
        "rule.weighted_group_sum": (
            "各评价组的权重之和为 {sum}，应为 1",
            "请核对各组权重，如 0.4、0.3、0.3",
            "the rater groups' weights add up to {sum}, not 1",
            "check the weights, e.g. 0.4, 0.3, 0.3",
        ),
        "rule.weighted_group_duplicate": (
            "评价组标识“{id}”重复",
            "每个评价组用不同的标识",
            "rater group id “{id}” is used twice",
            "give each rater group its own id",
        ),
        "rule.weighted_group_zero": (
            "评价组“{group}”的权重为 0",
            "不计分的评价组请删除，或写明它的权重",
            "rater group “{group}” has a weight of 0",
            "remove a group that does not count, or give it its weight",
        ),
        "rule.weighted_needs_groups": (
            "“{key}”只用于分组评价（groups）",
            "请写明 groups，或删除 {key}",
            "“{key}” applies only to rater groups (groups)",
            "declare groups, or remove {key}",
        ),
        "facts.rating_range": (
            "评分 {value} 不在 0 到 {scale} 之间",
            "本项按 {scale} 分制评分，请核对",
            "rating {value} is not between 0 and {scale}",
            "the line is rated out of {scale}: check the figure",
        ),
        "facts.ratings_undeclared": (
            "本项规则没有规定评价组，不能记录 ratings",
            "请把测评得分写在 value 中",
            "this line's rule declares no rater groups: ratings cannot be recorded",
            "record the rating as value",
        ),
        "facts.value_with_groups": (
            "本项按评价组计算，不能直接记录 value",
            "请在 ratings 中逐组记录评分，由规则计算加权平均",
            "this line is computed from rater groups: value cannot be recorded",
            "record each group's ratings under ratings; the rule computes the weighted mean",
        ),
        "facts.unknown_rater_group": (
            "“{group}”不是本项规定的评价组",
            "可用的评价组：{known}",
            "“{group}” is not one of this line's rater groups",
            "known groups: {known}",
        ),
        "facts.rater_group_empty": (
            "评价组“{group}”没有评分",
            "请补录该组评分；如方案规定无人评分时其余各组按比例折算，请在规则中写 empty_group: reweight",
            "rater group “{group}” has no ratings",
            "record the group's ratings; if the scheme re-weights the other groups, write empty_group: reweight in the rule",
        ),
        "facts.rater_groups_all_empty": (
            "所有评价组都没有评分",
            "请录入评分，或写 na 表示不适用（方案允许时）",
            "no rater group has any rating",
            "record the ratings, or write na if the scheme allows the line to be not applicable",
        ),
        "explain.weighted_group": (
            "{group}：{n} 人评分，平均 {mean} 分{rounded}，占 {share}",
            "",
            "{group}: {n} ratings, mean {mean}{rounded_en}, share {share}",
            "",
        ),
        "explain.weighted_group_empty": (
            "{group}：无人评分，其余各组按权重比例折算",
            "",
            "{group}: no ratings; the other groups re-weighted in proportion",
            "",
        ),
        "explain.weighted": (
            "{label}得分 {figure}（满分 {scale}），乘以权重 {weight}，得 {points} 分",
            "",
            "{label} {figure} out of {scale}, × weight {weight}: {points} points",
            "",
        ),
    }
)

_MODES = {"half_up": ROUND_HALF_UP, "half_even": ROUND_HALF_EVEN, "down": ROUND_DOWN, "up": ROUND_UP}
_MODE_ZH = {"half_up": "四舍五入", "half_even": "银行家舍入", "down": "截尾", "up": "进位"}
_MODE_EN = {"half_up": "half up", "half_even": "half even", "down": "down", "up": "up"}


class RaterGroup(Strict):
    """One group of raters (评价主体), e.g. 领导班子 40%."""

    id: Id = Field(description="评价组标识，如 leaders")
    name: Text = Field(description="评价组名称，如“领导班子”")
    weight: NonNeg = Field(description="该组平均分所占权重，如 0.4 表示 40%；各组之和为 1")


class MeanRounding(Strict):
    """How each group's mean is rounded before weighting (“各组平均分保留两位小数”)."""

    places: Int = Field(le=10, description="平均分保留的小数位数（0 到 10）")
    mode: Literal["half_up", "half_even", "down", "up"] | None = Field(
        None, description="舍入方式：half_up 四舍五入、half_even 银行家舍入、down 截尾、up 进位；不填则与方案 rounding.mode 相同"
    )


def percent(share: Decimal) -> str:
    """0.15 → “15%”."""
    return fmt(share * 100) + "%"


@rule_kind
class Weighted(Rule):
    """按自身尺度评分，乘以权重计入（可按评价组加权平均）。"""

    kind: Literal["weighted"] = "weighted"
    label: Text = Field(description="评分事项，如“满意度测评”")
    scale: NonNeg = Field(Decimal(100), description="本项自身的评分尺度（满分），默认 100（百分制）")
    weight: NonNeg = Field(description="权重：得分 = 评分 × 权重，如 0.15 表示 15%")
    groups: list[RaterGroup] = Field(
        default_factory=list, description="评价组及其权重（如领导班子 0.4、中层干部 0.3、群众 0.3）；不填则直接记录评分 value"
    )
    means: MeanRounding | None = Field(None, description="各组平均分的舍入；不填则不舍入（精确计算）")
    empty_group: Literal["refuse", "reweight"] = Field(
        "refuse",
        description="某评价组无人评分时：refuse 检查报错（默认）、reweight 其余各组按权重比例折算",
    )
    primary: ClassVar[str | None] = "value"
    types: ClassVar[tuple[str, ...]] = ("score", "bonus")
    example = "满意度测评得分×15%（领导班子占40%、中层干部占30%、群众占30%）"

    def check_scheme(self, line: LineSpec, report: Report) -> None:
        if self.scale == 0:
            report("rule.weighted_scale_zero", ("scale",))
        top = self.scale * self.weight
        if line.max is not None and top > line.max:
            report("rule.weighted_above_max", ("weight",), scale=fmt(self.scale), weight=percent(self.weight), top=fmt(top), max=fmt(line.max))
        if not self.groups:
            for key in ("means", "empty_group"):
                if key in self.model_fields_set:
                    report("rule.weighted_needs_groups", (key,), key=key)
            return
        seen: set[str] = set()
        for i, g in enumerate(self.groups):
            if g.id in seen:
                report("rule.weighted_group_duplicate", ("groups", i, "id"), id=g.id)
            seen.add(g.id)
            if g.weight == 0:
                report("rule.weighted_group_zero", ("groups", i, "weight"), group=g.name)
        total = sum((g.weight for g in self.groups), ZERO)
        if total != 1:
            report("rule.weighted_group_sum", ("groups",), sum=fmt(total))

    def check_facts(self, line: LineSpec, facts: Facts, report: Report) -> None:
        if not self.groups:
            if facts.ratings is not None:
                report("facts.ratings_undeclared", ("ratings",))
            if require(facts, "value", self.kind, report):
                self._in_range(facts.value, ("value",), report)
            return
        if facts.value is not None:
            report("facts.value_with_groups", ("value",))
        if not require(facts, "ratings", self.kind, report):
            return
        ratings = facts.ratings or {}
        known = {g.id for g in self.groups}
        for key, values in ratings.items():
            if key not in known:
                report("facts.unknown_rater_group", ("ratings", key), group=key,
                       known="、".join(f"{g.name}（{g.id}）" for g in self.groups))
                continue
            for i, v in enumerate(values):
                self._in_range(v, ("ratings", key, i), report)
        empty = [g for g in self.groups if not ratings.get(g.id)]
        if len(empty) == len(self.groups):
            report("facts.rater_groups_all_empty", ("ratings",))
        elif self.empty_group == "refuse":
            for g in empty:
                report("facts.rater_group_empty", ("ratings", g.id) if g.id in ratings else ("ratings",), group=g.name)

    def _in_range(self, value: Decimal | None, where: tuple, report: Report) -> None:
        if value is not None and not ZERO <= value <= self.scale:
            report("facts.rating_range", where, value=fmt(value), scale=fmt(self.scale))

    def figure(self, line: LineSpec, facts: Facts) -> tuple[Decimal, list]:
        """The unweighted figure on the line's own scale, with the steps that explain it."""
        if not self.groups:
            assert facts.value is not None
            return facts.value, []
        ratings = facts.ratings or {}
        mode = (self.means.mode if self.means and self.means.mode else None) or (
            line.context.rounding_mode if line.context else "half_up"
        )
        steps = []
        parts: dict[str, tuple[Decimal, Decimal]] = {}  # group id -> (mean, declared weight)
        for g in self.groups:
            values = sorted(ratings.get(g.id) or [])
            if not values:
                steps.append(step("explain.weighted_group_empty", group=g.name))
                continue
            mean = sum(values, ZERO) / len(values)
            rounded = ""
            if self.means is not None:
                with localcontext() as ctx:
                    ctx.prec = max(ctx.prec, mean.adjusted() + self.means.places + 2)
                    mean = mean.quantize(Decimal(1).scaleb(-self.means.places), rounding=_MODES[mode])
                rounded = f"（保留{self.means.places}位小数）"
            steps.append(step("explain.weighted_group", group=g.name, n=len(values), mean=fmt(mean), share=percent(g.weight),
                              rounded=rounded, rounded_en=f" ({self.means.places} places)" if self.means else ""))
            parts[g.id] = (mean, g.weight)
        shares = sum((w for _, w in parts.values()), ZERO)
        assert shares > 0  # check refuses facts where every group is empty or all weights are 0
        total = sum((parts[k][0] * parts[k][1] for k in sorted(parts)), ZERO)
        return (total if shares == 1 else total / shares), steps

    def score(self, line: LineSpec, facts: Facts) -> Outcome:
        figure, steps = self.figure(line, facts)
        raw = figure * self.weight
        value, clip = clamp(raw, default_bounds(line))
        steps.append(step("explain.weighted", label=self.label, figure=fmt(figure), scale=fmt(self.scale),
                          weight=percent(self.weight), points=fmt(raw)))
        return Outcome(value, raw, clip, tuple(steps))

    def describe(self, line: LineSpec, locale: str) -> str:
        scale_zh = "百分制" if self.scale == 100 else f"{fmt(self.scale)}分制"
        text = pick(
            locale,
            f"{self.label}按{scale_zh}评分，乘以权重{percent(self.weight)}。",
            f"{self.label} is rated out of {fmt(self.scale)} and multiplied by a weight of {percent(self.weight)}.",
        )
        if not self.groups:
            return text
        shares_zh = "、".join(f"{g.name}{percent(g.weight)}" for g in self.groups)
        shares_en = ", ".join(f"{g.name} {percent(g.weight)}" for g in self.groups)
        text += pick(locale, f"评分为各评价组平均分的加权平均（{shares_zh}）", f" The rating is the weighted mean of the rater groups' means ({shares_en})")
        if self.means is not None:
            mode_zh = _MODE_ZH[self.means.mode] if self.means.mode else "舍入方式同方案的规定"
            mode_en = _MODE_EN[self.means.mode] if self.means.mode else "as the scheme rounds"
            text += pick(locale, f"，各组平均分保留{self.means.places}位小数（{mode_zh}）", f", each mean rounded to {self.means.places} places ({mode_en})")
        if self.empty_group == "reweight":
            text += pick(locale, "；某组无人评分的，其余各组按权重比例折算。", "; when a group has no ratings, the other groups are re-weighted in proportion.")
        else:
            text += pick(locale, "；每一评价组都须有评分。", "; every group must have ratings.")
        return text
