"""What a period file records for one unit and one line: facts, not points.

The file says what happened (an assessor's points, occurrences, a rating
level, a percentage, people disciplined, awards); the scheme's rule for the
line turns that into points.  A bare scalar is shorthand for the rule's
*primary* fact (``重大项目推进度: 13.5`` is ``{points: 13.5}``), and ``na``
marks the line as not applicable.
"""

from __future__ import annotations

from pydantic import Field

from site_builder.schema.types import Bool, Date, Dec, Id, Int, NonNeg, Strict, Text


class Event(Strict):
    """One occurrence, person or award, with what the notice may show about it."""

    rate: Id | None = Field(None, description="适用的扣分/加分标准（规则中 rates 的标识）")
    rank: Id | None = Field(None, description="人员职级（per_person 规则中 ranks 的标识）")
    level: Id | None = Field(None, description="表彰层级（recognition 规则中 levels 的标识）")
    count: Int = Field(1, description="次数或人次，默认 1")
    points: NonNeg | None = Field(None, description="酌情扣/加分时本次的分值")
    date: Date | None = Field(None, description="日期")
    event: Text | None = Field(None, description="同一事项的名称（同一事项只计最高一项时使用）")
    title: Text | None = Field(None, description="事项、荣誉或报道名称")
    name: Text | None = Field(None, description="人员姓名（默认不公开，除非方案声明公开依据）")
    note: Text | None = Field(None, description="说明")
    evidence: Text | None = Field(None, description="佐证材料编号或出处")
    to: Id | None = Field(None, description="本次分数转给哪个单位（方案为本项声明 transfer_to 时），如“奖给检举有功的班级”")

    @property
    def key(self) -> str | None:
        return self.rate or self.rank or self.level


class Facts(Strict):
    """Recorded facts for one line of one unit in one period."""

    points: Dec | None = Field(None, description="评分人给出的分数（assessed 规则）")
    value: Dec | None = Field(None, description="数量或百分比（brackets/threshold 等规则）")
    count: Int | None = Field(None, description="发生次数")
    counts: dict[str, Int] | None = Field(None, description="按标准分别计的次数，如 {leader: 1}")
    level: Text | None = Field(None, description="评定等次（levels 规则）")
    actual: Dec | None = Field(None, description="实际完成数")
    target: NonNeg | None = Field(None, description="目标数（规则未规定时）")
    events: list[Event] = Field(default_factory=list, description="逐次记录的事项")
    people: list[Event] = Field(default_factory=list, description="涉及的人员（按职级）")
    awards: list[Event] = Field(default_factory=list, description="表彰、报道等")
    values: dict[str, Dec] = Field(default_factory=dict, description="公式规则用到的命名数值")
    incidents: Int | None = Field(None, description="触发减半/不得分的件次")
    done: Bool | None = Field(None, description="是否达到/完成（yes_no 规则；deadline 规则中写 false 表示考核期末仍未完成）")
    done_on: Date | None = Field(None, description="完成日期 YYYY-MM-DD（deadline 规则）")
    due: Date | None = Field(None, description="本单位本期的完成期限 YYYY-MM-DD（deadline 规则声明 due: recorded 时）")
    ratings: dict[Id, list[Dec]] | None = Field(
        None, description="各评价组的评分，如 {leaders: [92, 88], staff: [85, 90]}（weighted 规则声明 groups 时）"
    )
    na: Bool = Field(False, description="本项不适用")
    note: Text | None = Field(None, description="说明")
    evidence: Text | None = Field(None, description="佐证材料")

    def all_events(self) -> list[Event]:
        return [*self.events, *self.people, *self.awards]

    def has_any(self) -> bool:
        return bool(
            self.all_events()
            or self.count
            or self.counts
            or self.points is not None
            or self.value is not None
            or self.level is not None
            or self.actual is not None
            or self.values
            or self.done is not None
            or self.done_on is not None
            or bool(self.ratings)
        )


EMPTY_FACTS = Facts()
