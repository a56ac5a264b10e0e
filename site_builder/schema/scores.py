"""``scores/<scheme-id>/<period>.yaml``: what was recorded in one period.

Facts per unit and line stay raw here: they can only be validated against the
scheme version the file names, which
:func:`site_builder.checks.scores_checks.check_period` does with the line's rule.
Once they are (``Period.facts``), the period keeps this file without them.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from site_builder.schema.site import Contact
from site_builder.schema.types import Bool, Date, Dec, Id, Int, NonNeg, OneLine, Strict, Text


class NoticeMeta(Strict):
    number: Text | None = Field(None, description="通报文号")
    date: Date = Field(description="发布日期")
    title: Text | None = Field(None, description="通报标题（不填则自动生成）")
    addressee: OneLine | None = Field(
        None,
        description="主送机关，如“各乡镇人民政府，县直各部门”（末尾自动加冒号；不填则取 site.yaml 的 notice.addressee，"
        "都不写则不显示主送；正文开头已写主送的不要再填）",
    )
    index_number: Text | None = Field(None, description="索引号")
    issuer: Text | None = Field(None, description="发布机关（不填则取方案的 issuer，再不填取 site.yaml 的 organisation）")
    contact: Contact | None = Field(
        None, description="本期公示的异议受理联系方式（不填则取方案的 contact，再不填取 site.yaml 的 contact）"
    )
    body: Text | None = Field(None, description="正文 Markdown 文件（相对 content/ 的路径）")


class PublicWindow(Strict):
    """公示期."""

    start: Date = Field(alias="from", description="公示开始日期")
    until: Date = Field(description="公示截止日期（含）")
    working_days: Int | None = Field(None, description="公示工作日数")


class VetoRecord(Strict):
    id: Id = Field(description="方案中一票否决事项的标识")
    date: Date | None = None
    reason: Text = Field(description="公布的理由")
    evidence: Text | None = None


class Change(Strict):
    unit: Id
    line: Text = Field(description="更正的指标标识或“合计”")
    old: Text = Field(description="原值")
    new: Text = Field(description="新值")


class Correction(Strict):
    """更正记录：已发布结果的每一次修改都要登记."""

    date: Date = Field(description="更正日期")
    reason: Text = Field(description="更正原因")
    number: Text | None = Field(None, description="更正通知文号")
    changes: list[Change] = Field(default_factory=list, description="更正的内容（可由构建自动比对生成）")


class PlacesDecision(Strict):
    """How many places an honour “N 个左右” actually awards this period, and who decided (名额调整决定)."""

    places: Int = Field(description="本期实际评选的名额，须在方案规定的浮动范围内")
    by: Text = Field(description="决定者，如“局务会”“考核工作领导小组”")
    reason: Text = Field(description="调整的理由（将公布）")
    date: Date | None = Field(None, description="决定日期")


class UnitEntry(Strict):
    facts: dict[str, Any] = Field(default_factory=dict, description="各指标的记录（键为指标标识）")
    status: Literal["assessed", "exempt", "absent", "not_applicable"] = Field(
        "assessed", description="assessed 正常考核（默认）、exempt 免于考核、absent 缺考、not_applicable 本期不适用"
    )
    reason: Text | None = Field(None, description="免考、缺考或不适用的原因（将公布）")
    vetoes: list[VetoRecord] = Field(default_factory=list, description="一票否决事项")
    coefficient: NonNeg | None = Field(None, description="单位系数")
    note: Text | None = Field(None, description="备注（将公布）")


class ScoresFile(Strict):
    scheme: Id = Field(description="方案标识（schemes/ 下的文件夹名）")
    version: Text = Field(description="方案版本（文件名，不含 .yaml）")
    period: Text = Field(description="考核期，如 2017-Q3、2026-09、2026-W05、2017、s1")
    status: Literal["draft", "public_notice", "published"] = Field(
        description="draft 草稿（不发布）、public_notice 公示、published 通报"
    )
    sample: Bool = Field(False, description="示例数据")
    notice: NoticeMeta | None = Field(None, description="通报信息（公示和通报必填）")
    public_notice: PublicWindow | None = Field(None, description="公示期（公示时必填）")
    corrections: list[Correction] = Field(default_factory=list, description="更正记录")
    external: dict[str, dict[str, Dec]] = Field(
        default_factory=dict, description="外部数据（如第三方测评、民主测评得分），键为数据标识，值为 单位标识: 分数"
    )
    honour_places: dict[Id, PlacesDecision] = Field(
        default_factory=dict,
        description="名额“左右”的荣誉本期实际评选的名额（键为荣誉标识）；不写则按方案规定的名额评选",
    )
    units: dict[str, UnitEntry] = Field(description="各单位的记录（键为单位标识）")
