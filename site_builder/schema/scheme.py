"""The scheme file (考核办法/考核细则): ``schemes/<scheme-id>/<version>.yaml``.

One file is one version of one scheme.  The indicator tree holds the rules
that turn a unit's recorded facts into points; everything the published scheme
document says about scoring is generated from these same fields.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BeforeValidator, Field, WithJsonSchema, model_validator
from pydantic_core import PydanticCustomError

from site_builder.schema.site import Contact
from site_builder.schema.types import Bool, Date, Dec, Id, Int, NonNeg, Strict, Text
from site_builder.scoring.derived import Derived, bind_derived
from site_builder.scoring.rules import RuleUnion
from site_builder.scoring.rules.history import LineTest

NodeType = Literal["score", "bonus", "deduction", "adjustment"]
NotApplicable = Literal["forbidden", "full", "zero", "exclude", "rescale", "group_average"]


class Window(Strict):
    start: Date = Field(alias="from", description="开始日期（含），YYYY-MM-DD")
    until: Date | None = Field(None, description="结束日期（含）；不填表示长期有效")


class Stage(Strict):
    """A named stage with a date window (阶段)."""

    id: Id = Field(description="阶段标识（小写英文/数字）")
    name: Text = Field(description="阶段名称，如“第一阶段”")
    start: Date = Field(alias="from", description="开始日期（含）")
    until: Date = Field(description="结束日期（含）")
    total: NonNeg | None = Field(None, description="本阶段满分（用于说明，可不填）")


class PeriodSpec(Strict):
    kind: Literal["week", "month", "quarter", "half-year", "year", "stage"] = Field(
        description="考核周期：week 周、month 月、quarter 季度、half-year 半年、year 年、stage 按阶段"
    )
    stages: list[Stage] = Field(
        default_factory=list,
        description="阶段（kind 为 stage 时即考核期；其他周期时用于阶段累计排名）",
    )


class Rounding(Strict):
    places: Int = Field(2, le=10, description="保留小数位数，默认 2 位（0 到 10）")
    mode: Literal["half_up", "half_even", "down", "up"] = Field(
        "half_up", description="舍入方式：half_up 四舍五入（默认）、half_even 银行家舍入、down 截尾、up 进位"
    )
    at: Literal["total", "line"] = Field(
        "total", description="在何处舍入（只舍入一次）：total 总分（默认）、line 每一条细则"
    )
    total: Literal["rounded", "sum_of_lines"] = Field(
        "rounded",
        description="公布的总分：rounded 各项合计后按上述规则舍入（默认）；sum_of_lines 总分即各条细则公布得分之和，不再舍入（须 at: line；有单位系数或按比例折算时折算后的总分仍舍入一次）",
    )
    relative: Literal["exact", "rounded"] = Field(
        "exact",
        description="组内比较（of 小计、不适用时取本组平均分）所用的得分：exact 未舍入的得分（默认）、rounded 每条细则舍入后的得分",
    )


class LineRounding(Strict):
    """A line's own rounding (本项得分保留位数), or none at all for an imported score."""

    places: Int | None = Field(None, le=10, description="本项保留小数位数（不填则用方案的 places）")
    mode: Literal["half_up", "half_even", "down", "up"] | None = Field(
        None, description="本项舍入方式（不填则用方案的 mode）"
    )
    keep: Bool = Field(
        False, description="true 表示本项不舍入，保留原有小数（如导入的上级评分）；不能与 places、mode 同写"
    )

    @model_validator(mode="after")
    def _keep_alone(self) -> LineRounding:
        if self.keep and (self.places is not None or self.mode is not None):
            raise PydanticCustomError("scheme.rounding_keep_alone", "keep with places or mode", {})
        return self


class Modifier(Strict):
    """Occurrence-driven multiplier (“1件次该项得分减半；2件次以上该项不得分”)."""

    label: Text = Field(description="计数的事项，如“有效投诉、效能或媒体曝光件次”")
    steps: list[FactorStep] = Field(min_length=1, description="件次达到 min 时乘以 factor")


class FactorStep(Strict):
    min: Int = Field(description="件次不少于此数时适用")
    factor: NonNeg = Field(description="得分乘以的系数，0 表示不得分，0.5 表示减半")


class Disqualify(Strict):
    """A line whose occurrences cancel honours (“并取消评先评优资格”)."""

    at_least: Int = Field(1, description="件次（或扣分次数）达到此数即取消评先资格")
    reason: Text | None = Field(None, description="公布的理由；不填则用本条名称")


class Indicator(Strict):
    """One node of the indicator tree (一级指标/二级指标/…/细则)."""

    id: Id = Field(description="指标标识，在本方案内唯一，用作网页锚点")
    name: Text = Field(description="指标名称，如“重大项目推进度”")
    type: NodeType | None = Field(
        None,
        description="score 计分项（默认，计入满分）、bonus 加分项（max 为封顶）、deduction 扣分项（max 为扣分上限）、adjustment 调整项（可加可减，max 为正负调整的限度，不计入满分）；不填则随上级",
    )
    max: NonNeg | None = Field(None, description="分值（满分）；加分项为封顶分，扣分项为扣分上限，调整项为正负调整的限度")
    uncapped: Bool = Field(
        False,
        description="加分项、扣分项或调整项明确不设上限（此时不写 max）；页面注明“不设上限”",
    )
    counts: Bool = Field(
        True,
        description="是否计入上级小计、总分和满分；false 表示只计算并在得分卡上显示（如“仅作参考，不计入总分”）",
    )
    min: Dec | None = Field(
        None,
        description="上级指标小计的最低分：下级得分合计低于此数时按此数计（如“扣完为止”写 0）；只用于有下级指标的指标",
    )
    rounding: LineRounding | None = Field(
        None,
        description="本项（末级指标）自己的舍入：places、mode 覆盖方案的规定，keep: true 不舍入；不填则按方案的 rounding",
    )
    in_total: Bool | None = Field(
        None, description="是否计入方案满分；计分项默认计入，加分项默认不计入"
    )
    rule: RuleUnion | None = Field(None, description="计分规则（末级指标必填）")
    children: list[Indicator] = Field(default_factory=list, description="下级指标")
    children_mismatch: Text | None = Field(
        None,
        description="下级分值之和与本级分值不一致时，写明原因以确认照原文录入",
    )
    cap_by: Id | None = Field(
        None, description="扣分总数不超过另一项（如加分项）的得分：写该项标识"
    )
    cap_span: Literal["period", "month", "quarter", "stage", "year"] = Field(
        "period",
        description="封顶的计算范围：period 每期（默认）、month 每月累计、quarter 每季度累计、stage 每阶段累计、year 全年累计；计分项按范围内累计扣分封顶",
    )
    transfer_to: Id | None = Field(
        None,
        description="转给另一单位的分数记在对方的哪一项（末级指标标识）：本项的记录写 to: 对方单位，该次扣分同时记入对方单位的这一项（如“处罚所在班级……奖给检举有功的班级”）",
    )
    transfer_points: NonNeg | None = Field(
        None,
        description="对方单位每次得到的分值（与本项扣分不同时写，如“扣10分，奖励举报班级2分”写 2）：对方得 transfer_points × 次数；不写时对方得到本次记录扣掉的分数",
    )
    balance_span: Literal["month", "quarter", "stage", "year"] | None = Field(
        None,
        description="计分项的分值是一个范围内的余额（如“纪律方面（200分/月）”而每周评比）：month 每月、quarter 每季度、stage 每阶段、year 全年；每期得分为范围起始分值减去范围内至今的全部扣分",
    )
    not_applicable: NotApplicable = Field(
        "forbidden",
        description="不适用时如何计分：forbidden 不允许、full 得满分、zero 得 0 分、exclude 不计（满分相应减少）、rescale 不计并按比例折算总分、group_average 取本组平均分",
    )
    applies_to: list[Id] = Field(
        default_factory=list, description="只适用于这些组别或单位（标识）；不填表示全部适用"
    )
    applies_in: list[Text] = Field(
        default_factory=list,
        description="只在这些考核期或阶段计分（考核期标识或阶段标识，如 2026-12、s2）；不填表示每期都计分",
    )
    modifiers: list[Modifier] = Field(default_factory=list, description="按件次减半/不得分等系数")
    disqualify: Disqualify | None = Field(None, description="发生即取消评先评优资格")
    office: Text | None = Field(None, description="责任科室")
    rater: Text | None = Field(None, description="评分单位或评分人")
    source: Text | None = Field(None, description="数据来源、评分方式说明")
    clause: Text | None = Field(None, description="公布的具体考核内容（原文）")


class Tree(Strict):
    id: Id = Field(description="指标体系标识")
    name: Text = Field(description="指标体系名称，如“乡镇人民政府”")
    total: NonNeg = Field(description="本体系满分")
    indicators: list[Indicator] = Field(min_length=1, description="一级指标")
    total_mismatch: Text | None = Field(None, description="满分与一级指标之和不一致时的原因")


class Group(Strict):
    """A group of units ranked together (类别/组别/圈层)."""

    id: Id = Field(description="组别标识")
    name: Text = Field(description="组别名称，如“综合管理部门A组”“第一圈层”")
    units: list[Id] = Field(min_length=1, description="本组被考核单位的标识")
    tree: Id | None = Field(None, description="使用的指标体系标识（方案有多个体系时必填）")


class Veto(Strict):
    """One-vote veto clause (一票否决)."""

    id: Id
    name: Text = Field(description="否决事项，如“被市本级和上级纪委监委部门通报批评”")
    effect: Literal["no_honour", "zero", "last"] = Field(
        "no_honour",
        description="后果：no_honour 取消评优资格（默认）、zero 总分记 0、last 排在本组最后",
    )
    called: Literal["veto", "no_excellence", "ineligible"] = Field(
        "veto",
        description="公布时对后果的称谓：veto 一票否决（默认）、no_excellence 一票否优、ineligible 取消评选资格（后两者只用于 effect: no_honour）",
    )
    lasts: Literal["period", "stage", "year"] = Field(
        "period",
        description="否决的持续范围：period 仅本期（默认）、stage 至本阶段结束、year 至本年度结束；以后各期自动带上，并注明来自哪一期",
    )
    clause: Text | None = Field(None, description="原文")


class Coefficient(Strict):
    """Unit-level coefficient applied to the total (如难度系数)."""

    label: Text = Field(description="系数名称")
    min: NonNeg = Field(description="最小值")
    max: NonNeg = Field(description="最大值")
    default: NonNeg = Field(Decimal(1), description="未记录时的系数")


def _at_most_one(value: Decimal) -> Decimal:
    if value > 1:  # “20” meant 20%: suggest 0.2 (messages in site_builder/checks/scheme_checks.py)
        code = "scheme.share_percent" if value <= 100 else "scheme.share_range"
        hint = format((value / 100).normalize(), "f")
        raise PydanticCustomError(code, "above 1", {"value": str(value), "hint": hint})
    return value


# A share of a group (0.3 = 30%): above 1 would select more units than the group has.
Share = Annotated[
    NonNeg,
    AfterValidator(_at_most_one),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "number", "minimum": 0, "maximum": 1},
                {"type": "string", "pattern": r"^(0|[1-9][0-9]*)(\.[0-9]+)?$"},
            ]
        }
    ),
]


class Pool(Strict):
    """Places shared by several groups (名额池): “局机关及直属单位、大厅窗口共6个左右”."""

    places: Int = Field(description="几个组别合用的名额总数，如 6")
    groups: list[Id] = Field(min_length=1, description="合用名额的组别标识（至少两个）：名额池在组别之间分配名额，不在一个组别的各类别之间分配（按类别分配名额用 quota）")
    rankings: dict[Id, Id] = Field(
        default_factory=dict,
        description="某些组别依据另一个排名评选：组别标识: 排名标识（如大厅窗口按综合排名）；不写的组别依据本项的 ranking",
    )
    split: Literal["size", "score"] = Field(
        "size",
        description="名额分配方法：size 按各组单位数比例分配（最大余数法，默认），各组再按本组排名评选；score 各组单位按得分统一排序评选（各组须依据同一排名、同一指标体系）",
    )


class Selection(Strict):
    top: Int | None = Field(None, description="每组前 N 名")
    bottom: Int | None = Field(None, description="每组后 N 名")
    share: Share | None = Field(None, description="每组至多占比，如 0.3 表示不超过 30%")
    rounding: Literal["floor", "half_up", "ceil"] = Field("floor", description="名额取整方式")
    quota: dict[str, Int] | None = Field(None, description="按单位类别分配的名额（名额配比）")
    pool: Pool | None = Field(None, description="几个组别（可依据不同排名）合用的名额，见 Pool")
    about: Int | None = Field(
        None,
        description="名额“左右”的浮动范围，如 1 表示 N 个左右可在 N−1 至 N+1 个之间调整；实际评选的个数记录在考核期文件的 honour_places 中，未记录则按 N 个评选（只用于 top、bottom、pool）",
    )

    @model_validator(mode="after")
    def _one(self) -> Selection:
        given = [k for k in ("top", "bottom", "share", "quota", "pool") if getattr(self, k) is not None]
        if len(given) != 1:
            from pydantic_core import PydanticCustomError

            raise PydanticCustomError("scheme.selection_one", "one", {"given": ", ".join(given)})
        return self


class Category(Strict):
    """A sub-category of a group ranked apart (“专业部门、其他部门分别排名”)."""

    id: Id = Field(description="类别标识")
    name: Text = Field(description="类别名称，如“专业部门”")
    units: list[Id] = Field(min_length=1, description="本类别的单位标识；排名所涉组别的每个单位恰好属于一个类别")


class Ranking(Strict):
    id: Id
    name: Text = Field(description="排名名称，如“季度排名”")
    basis: Literal["period", "stage", "cumulative"] | str = Field(
        "period",
        description="依据：period 本期总分、stage 本阶段累计、cumulative 累计（范围见 span，默认全年）、composite:<标识> 综合排名、line:<指标标识> 某一指标的得分（如纪律、卫生分别评比）",
    )
    groups: list[Id] = Field(default_factory=list, description="只在这些组别排名；不填为全部组别")
    ties: Literal["competition", "dense"] = Field(
        "competition", description="并列名次：competition 1,2,2,4（默认）；dense 1,2,2,3"
    )
    tie_break: list[Id] = Field(
        default_factory=list, description="总分相同时依次比较的指标标识"
    )
    span: Literal["year", "stage", "scheme"] | None = Field(
        None,
        description="basis 为 cumulative 时累计的范围：year 每个日历年（默认，每年重新累计）、stage 每个阶段、scheme 本方案全部考核期（跨年连续累计）",
    )
    categories: Literal["units"] | list[Category] | None = Field(
        None,
        description="在组别内再分类别排名（计分中的组内统计仍按整个组别）：units 按名册 units.yaml 的 category；或列出各类别的 id、name、units。不填为整个组别一起排名",
    )


class Honour(Strict):
    id: Id
    name: Text = Field(description="荣誉或处理名称，如“流动红旗”“优秀”“重点整改单位”")
    kind: Literal["honour", "sanction"] = Field("honour", description="honour 表彰、sanction 整改/通报")
    ranking: Id = Field(description="依据的排名标识")
    select: Selection = Field(description="评选办法")
    min_score: Dec | None = Field(None, description="最低分数线")
    ties: Literal["include", "exclude"] | None = Field(
        None, description="名额末位并列时：include 全部入选、exclude 全部不入选"
    )
    groups: list[Id] = Field(default_factory=list, description="只在这些组别评选；不填为全部组别")
    streak: Bool = Field(False, description="显示连续获得的期数")
    exclude_honoured: list[Id] = Field(
        default_factory=list,
        description="已获得这些荣誉（在此之前列出的荣誉标识）的单位不再获评本项（“已重点推荐为…的，不再获评此项荣誉”）",
    )
    decided: list[Text] = Field(
        default_factory=list,
        description="只在这些考核期评定：stage_end 每个阶段的最后一期、year_end 每年的最后一期、阶段标识（该阶段的最后一期）或考核期标识（如 2024-12）；不填为每期评定。其他考核期的通报写明何时评定",
    )
    description: Text | None = None


class CompositePart(Strict):
    source: Text = Field(
        description="来源：ranking:<排名标识>、composite:<标识> 或 external:<外部数据标识>"
    )
    weight: NonNeg = Field(description="权重，如 0.5")
    name: Text | None = None


class Composite(Strict):
    """A result combining several sources (综合排名)."""

    id: Id
    name: Text
    by: Literal["rank", "score"] = Field("rank", description="按名次加权（名次越小越好）或按得分加权")
    parts: list[CompositePart] = Field(min_length=1)


class Conversion(Strict):
    """A result converted into a share of another score (折算计入…)."""

    id: Id
    name: Text = Field(description="如“折算计入年度目标考核成绩”")
    points: NonNeg = Field(description="折算后的满分")


class PersonalData(Strict):
    publish_names: Bool = Field(False, description="是否公布人员姓名（默认不公布）")
    legal_basis: Text | None = Field(None, description="公布姓名的依据（publish_names 为 true 时必填）")


class Section(Strict):
    title: Text
    body: Text = Field(description="正文（Markdown）")


class Reward(Strict):
    """A reward attached to a level (“评为五星的，奖励每人 500 元”)."""

    name: Text = Field("奖励", description="奖励名称，如“奖励”“绩效奖金”（默认“奖励”）")
    amount: NonNeg = Field(description="金额（每个领取对象）")
    currency: Text = Field("元", description="金额单位，默认“元”")
    per: Text = Field("人", description="按什么发放：每“人”（默认）、每“单位”等")


class Grade(Strict):
    """One level of the result (等次/星级): 五星, 优秀, A …"""

    id: Id = Field(description="等次标识（小写英文/数字），在本方案内唯一")
    name: Text = Field(description="等次名称，如“五星”“优秀”“A”")
    when: Text | None = Field(
        None,
        description="评定条件（公式语言，结果为真或假），如“total >= 90 and line.discipline >= 8”；"
        "不写即为默认等次，须列在最后",
    )
    rewards: list[Reward] = Field(default_factory=list, description="评为此等次的奖励")
    description: Text | None = Field(None, description="说明（公布在考核办法页面）")


class LineCount(LineTest):
    """A name for one line's history in level conditions (“本年度有3个月纪律分低于180分的”)."""

    as_: Text = Field(
        alias="as",
        description="条件中用的名称（字母、数字、下划线，以字母开头），如 low_discipline：条件写 low_discipline（范围内该项符合条件的期数）、low_discipline.run（最长连续期数）",
    )


class Grades(Strict):
    """Levels as the published result (以等次公布考核结果): the first level whose condition holds."""

    show: Literal["level", "both"] = Field(
        "both", description="公布方式：level 只公布等次（不列总分和名次）、both 分数、名次和等次一并公布（默认）"
    )
    levels: list[Grade] = Field(min_length=1, description="等次，从高到低依次判断；最后一个不写条件的为默认等次")
    ranking: Id | None = Field(
        None, description="条件中 rank、ratio 依据的排名标识；不填为第一个排名（未声明排名时为本期总分排名）"
    )
    vetoed: Id | None = Field(
        None, description="受一票否决的单位直接评为此等次（等次标识，如不合格）；不填则同样按条件评定（条件可用 vetoed）"
    )
    span: Literal["period", "stage", "year", "all"] | Int = Field(
        "year",
        description="条件中历史名称（held.<荣誉>、run.<荣誉>、first、periods、total_sum、total_mean、line_counts 的名称）统计的范围（含本期）："
        "year 本年度（默认）、stage 本阶段、all 全部、整数 N 为最近 N 期、period 仅本期",
    )
    line_counts: list[LineCount] = Field(
        default_factory=list,
        description="按指标统计的历史：在 span 范围内（含本期）某项得满分、不低于或低于某分的期数，条件中用其名称 as 读取",
    )


# What a version that extends an earlier one (extends:) may change, by id.
# The merging itself is site_builder/schema/extends.py.
EXTENDS_TARGETS = ("indicator", "tree", "group", "veto", "ranking", "honour", "composite", "conversion")


def _one_target(item: Strict) -> Strict:
    given = [k for k in EXTENDS_TARGETS if getattr(item, k) is not None]
    if len(given) != 1:
        raise PydanticCustomError("extends.one_target", "one", {"given": ", ".join(given) or "—"})
    return item


class SchemeChange(Strict):
    """修改旧版本中的一项：按标识找到它，set 中写出的键替换原值。"""

    indicator: Id | None = Field(None, description="要修改的指标标识")
    tree: Id | None = Field(None, description="要修改的指标体系标识")
    group: Id | None = Field(None, description="要修改的组别标识")
    veto: Id | None = Field(None, description="要修改的一票否决事项标识")
    ranking: Id | None = Field(None, description="要修改的排名标识")
    honour: Id | None = Field(None, description="要修改的荣誉标识")
    composite: Id | None = Field(None, description="要修改的综合排名标识")
    conversion: Id | None = Field(None, description="要修改的折算标识")
    in_tree: Id | None = Field(None, description="指标所在的指标体系标识（多个体系中有同一指标标识时必填）")
    set: dict[str, object] = Field(
        min_length=1,
        description="要修改的键和新值，如 {max: 10}（写法同方案文件）；值留空表示删去该键（恢复默认）；不能修改 id",
    )

    _one = model_validator(mode="after")(_one_target)


class SchemeRemoval(Strict):
    """删除旧版本中的一项（指标连同其下级指标）。"""

    indicator: Id | None = Field(None, description="要删除的指标标识")
    tree: Id | None = Field(None, description="要删除的指标体系标识")
    group: Id | None = Field(None, description="要删除的组别标识")
    veto: Id | None = Field(None, description="要删除的一票否决事项标识")
    ranking: Id | None = Field(None, description="要删除的排名标识")
    honour: Id | None = Field(None, description="要删除的荣誉标识")
    composite: Id | None = Field(None, description="要删除的综合排名标识")
    conversion: Id | None = Field(None, description="要删除的折算标识")
    in_tree: Id | None = Field(None, description="指标所在的指标体系标识（多个体系中有同一指标标识时必填）")

    _one = model_validator(mode="after")(_one_target)


class SchemeAddition(Strict):
    """在旧版本中新增一项：写法同方案文件中的一项，可指定位置。"""

    indicator: dict[str, object] | None = Field(None, description="新增的指标（写法同 indicators 中的一项）")
    tree: dict[str, object] | None = Field(None, description="新增的指标体系（写法同 trees 中的一项）")
    group: dict[str, object] | None = Field(None, description="新增的组别（写法同 groups 中的一项）")
    veto: dict[str, object] | None = Field(None, description="新增的一票否决事项（写法同 vetoes 中的一项）")
    ranking: dict[str, object] | None = Field(None, description="新增的排名（写法同 rankings 中的一项）")
    honour: dict[str, object] | None = Field(None, description="新增的荣誉（写法同 honours 中的一项）")
    composite: dict[str, object] | None = Field(None, description="新增的综合排名（写法同 composites 中的一项）")
    conversion: dict[str, object] | None = Field(None, description="新增的折算（写法同 conversions 中的一项）")
    under: Id | None = Field(None, description="新增指标的上级指标标识；不填为一级指标")
    before: Id | None = Field(None, description="放在此标识的一项之前（同一层级）；before、after 都不填则放在最后")
    after: Id | None = Field(None, description="放在此标识的一项之后（同一层级）")
    in_tree: Id | None = Field(
        None, description="新增的一级指标所在的指标体系标识（方案有多个体系、且未写 under、before、after 时必填）"
    )

    _one = model_validator(mode="after")(_one_target)


def _input_alias(value: Any) -> Any:
    """``as:`` begins names in level conditions (``monthly.held.flag``): a formula name, not a word of them."""
    from site_builder.scoring.history import PREFIX_TAKEN, is_prefix_name

    if isinstance(value, str) and (not is_prefix_name(value) or value in PREFIX_TAKEN):
        raise PydanticCustomError("scheme.input_alias", "as", {"alias": value})
    return value


class Input(Strict):
    """Another scheme whose results this scheme reads (读取其他方案的考核结果)."""

    scheme: Id = Field(description="被读取的方案标识，如每周流动红旗评比的方案；它的各期先于本方案计算")
    name: Text | None = Field(None, description="说明，如“每周流动红旗评比”（可不填）；填写时计分说明用它称呼该方案")
    as_: Annotated[Text, BeforeValidator(_input_alias)] | None = Field(
        None,
        alias="as",
        description="等次条件中读取该方案结果时用的名称（字母、数字、下划线，以字母开头），如 monthly：条件写 monthly.held.flag、monthly.vetoed；不填时方案标识不含连字符即可直接用",
    )


class Scheme(Strict):
    """A scheme version: the published rules and the arithmetic behind them."""

    title: Text = Field(description="方案名称（全称）")
    short_title: Text | None = Field(None, description="简称，用于导航和通报标题（通报标题“关于…结果的通报”中的考核名称取简称；不填则取全称，去掉末尾的括注如“（2025年修订）”和“办法”“细则”等）")
    issuer: Text | None = Field(None, description="发布机关（本方案的通报由谁发布；不填则取 site.yaml 的 organisation）")
    contact: Contact | None = Field(
        None,
        description="本方案公示的异议受理联系方式（不填则取 site.yaml 的 contact；单期通报可用 notice.contact 另行指定）",
    )
    doc_number: Text | None = Field(None, description="文号，如“淮办发〔2017〕26号”")
    index_number: Text | None = Field(None, description="索引号")
    issued: Date | None = Field(None, description="印发日期")
    effective: Window = Field(description="有效期")
    total: NonNeg | None = Field(None, description="满分（只有一个指标体系时必填）")
    total_mismatch: Text | None = Field(None, description="满分与一级指标之和不一致时的原因")
    period: PeriodSpec = Field(description="考核周期")
    rounding: Rounding = Field(default_factory=Rounding, description="舍入规则")
    sample: Bool = Field(False, description="示例方案（页面显示“示例数据”）")
    extends: Id | None = Field(
        None,
        description="沿用同一方案的旧版本（版本标识，如 \"2018\"）：本文件只写与之不同之处；其余各键照录旧版本，写出的键整项替换",
    )
    changes: list[Text] = Field(default_factory=list, description="与上一版相比的主要变化（说明）")
    change: list[SchemeChange] = Field(default_factory=list, description="修改旧版本中的项（只用于 extends）")
    remove: list[SchemeRemoval] = Field(default_factory=list, description="删除旧版本中的项（只用于 extends）")
    add: list[SchemeAddition] = Field(default_factory=list, description="新增的项（只用于 extends）")
    preamble: Text | None = Field(None, description="正文前言（Markdown）")
    sections: list[Section] = Field(default_factory=list, description="正文章节（Markdown）")
    groups: list[Group] = Field(min_length=1, description="参加排名的组别")
    indicators: list[Indicator] = Field(default_factory=list, description="一级指标（单一指标体系）")
    trees: list[Tree] = Field(default_factory=list, description="多个指标体系（如部门、乡镇分设）")
    vetoes: list[Veto] = Field(default_factory=list, description="一票否决事项")
    coefficient: Coefficient | None = None
    rankings: list[Ranking] = Field(default_factory=list)
    honours: list[Honour] = Field(default_factory=list)
    composites: list[Composite] = Field(default_factory=list)
    conversions: list[Conversion] = Field(default_factory=list)
    inputs: list[Input] = Field(
        default_factory=list,
        description="读取其结果的其他方案（history 规则用 scheme: 指明）；这些方案先计算，不能互相读取成环",
    )
    personal_data: PersonalData = Field(default_factory=PersonalData)
    grades: Grades | None = Field(
        None, description="以等次公布结果（星级、优秀/良好/合格/不合格、A/B/C/D），可附奖励；不填则只公布分数和名次"
    )
    derived: list[Derived] = Field(
        default_factory=list,
        description="派生值（如“按时办结率＝按时办结件数÷受理件数×100”）：定义一次，各公式规则可按标识使用，组内统计也可比较它",
    )

    @model_validator(mode="after")
    def _bind_derived(self) -> Scheme:
        """Formula rules learn the scheme's derived values (see scoring/derived.py)."""
        nodes = [*self.indicators, *(n for t in self.trees for n in t.indicators)]
        rules = []
        while nodes:
            n = nodes.pop()
            nodes.extend(n.children)
            if n.rule is not None:
                rules.append(n.rule)
        bind_derived(self.derived, rules)
        return self

