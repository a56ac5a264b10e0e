"""``units.yaml`` or ``units/*.yaml``: the registry of assessed units (被考核单位).

Ids are stable and ASCII (they are URLs); names may change.  A rename keeps
the old name for notices dated before it; a retired or merged unit keeps its
history pages.
"""

from __future__ import annotations

from pydantic import Field

from site_builder.schema.types import Date, Id, Strict, Text


class FormerName(Strict):
    name: Text = Field(description="曾用名")
    until: Date = Field(description="使用至（含）这一天")


class Retired(Strict):
    date: Date = Field(description="撤销或合并的日期")
    merged_into: Id | None = Field(None, description="并入的单位标识")
    note: Text | None = None


class Unit(Strict):
    id: Id = Field(description="单位标识（小写英文/数字，用于网址，确定后不要修改）")
    name: Text = Field(description="现用名称")
    short_name: Text | None = Field(None, description="简称")
    category: Text | None = Field(None, description="单位类别（如“综合管理部门”“乡镇”），用于名额配比")
    parent: Id | None = Field(None, description="上级单位标识")
    former_names: list[FormerName] = Field(default_factory=list, description="曾用名（按时间）")
    retired: Retired | None = Field(None, description="已撤销或合并")


class UnitsFile(Strict):
    units: list[Unit] = Field(min_length=1, description="被考核单位")
