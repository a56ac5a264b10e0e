"""Gaps of issue 8 found by the office acceptance test (part J2), closed:

1. ``peers: category``: “低于同类单位平均值”, each unit compared with the units of its own category;
2. the pages of a period name the scheme version that period was scored under (breadcrumb, the
   history line of a scheme that reads it);
3. level conditions read an input scheme's results (``m.held.flag``, ``m.vetoed`` behind the
   input's ``as:``) and a history line counts the periods under a veto (``measure: vetoed``).

One small project: four units in two categories, a monthly scheme ``m-x`` (hyphenated id, read as
``m``) in two versions, a quarterly scheme ``q`` reading it.  Every expected figure is worked out
by hand in the comment beside it.
"""

from __future__ import annotations

import re
from decimal import Decimal
from html import unescape
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scratch import listing, make_project
from site_builder.cli import main
from site_builder.pipeline import check

D = Decimal

SITE = "title: 测试\norganisation: 测试县考核办\nsample: true\n"
UNITS = """\
units:
  - {id: a1, name: 甲局, category: 甲类}
  - {id: a2, name: 乙局, category: 甲类}
  - {id: b1, name: 丙局, category: 乙类}
  - {id: b2, name: 丁局, category: 乙类}
"""

MONTHLY_1 = """\
title: 月度考核细则
issuer: 测试县考核办
effective: {from: 2024-01-01, until: 2024-03-31}
total: 10
period: {kind: month}
groups:
  - {id: g, name: 全体, units: [a1, a2, b1, b2]}
derived:
  - {id: rate, name: 按时办结率, expr: on_time / received * 100}
indicators:
  - {id: work, name: 工作实绩, max: 10, rule: {kind: assessed}}
  - id: below
    name: 按时办结率低于同类单位平均
    type: deduction
    max: 2
    clause: 按时办结率低于同类单位平均值的，每低1个百分点扣0.1分，最多扣2分。
    rule:
      kind: formula
      inputs: [on_time, received]
      labels: {on_time: 按时办结件数, received: 受理件数}
      amount: positive
      peers: category
      expr: max(group_mean(rate) - rate, 0) * 0.1
vetoes:
  - {id: warned, name: 被通报批评, called: no_excellence}
rankings:
  - {id: mr, name: 月度排名}
honours:
  - {id: flag, name: 流动红旗, ranking: mr, select: {top: 1}}
"""

MONTHLY_2 = """\
extends: "1"
title: 月度考核细则（修订）
effective: {from: 2024-04-01}
changes: [工作实绩改由考核办评分。]
"""

QUARTERLY = """\
title: 季度评定办法
issuer: 测试县考核办
effective: {from: 2024-01-01}
total: 20
period: {kind: quarter}
inputs:
  - {scheme: m-x, as: m}
groups:
  - {id: g, name: 全体, units: [a1, a2, b1, b2]}
indicators:
  - id: avg
    name: 月度平均
    max: 10
    rule:
      kind: history
      scheme: m-x
      label: 本季度各月平均分
      measure: total_mean
      brackets: [{min: 9, points: 10}, {min: 8, below: 9, points: 8}, {below: 8, points: 6}]
  - id: flags
    name: 流动红旗
    max: 10
    rule:
      kind: history
      scheme: m-x
      label: 本季度获得流动红旗的次数
      unit: 次
      measure: held
      honour: flag
      brackets: [{min: 2, points: 10}, {min: 1, max: 1, points: 5}, {max: 0, points: 0}]
  - id: vetoes
    name: 受一票否决
    type: deduction
    max: 1
    clause: 本季度有受一票否决月份的，扣1分。
    rule: {kind: history, scheme: m-x, label: 本季度受一票否决的月数, unit: 个月, measure: vetoed, at_least: 1, points: 1}
rankings:
  - {id: qr, name: 季度排名}
grades:
  show: both
  levels:
    - {id: you, name: 优秀, when: "total >= 9 and m.vetoed == 0 and m.held.flag >= 1"}
    - {id: he, name: 合格, when: "total >= 6"}
    - {id: bu, name: 不合格}
"""


def month(period: str, version: str, rows: dict[str, tuple[object, int, int]], vetoed: tuple[str, ...] = ()) -> str:
    """A monthly period file: unit → (work points, on_time, received)."""
    out = ["scheme: m-x", f'version: "{version}"', f"period: {period}", "status: published",
           f"notice: {{date: {period}-28}}", "units:"]
    for u, (work, on_time, received) in rows.items():
        out.append(f"  {u}:")
        if u in vetoed:
            out.append(f"    vetoes: [{{id: warned, reason: 被通报批评, date: {period}-10}}]")
        out.append(f"    facts: {{work: {work}, below: {{values: {{on_time: {on_time}, received: {received}}}}}}}")
    return "\n".join(out) + "\n"


# rates: a1 45/50 = 90, a2 47/50 = 94, b1 27/30 = 90, b2 21/25 = 84
JAN = month("2024-01", "1", {"a1": (8, 45, 50), "a2": (9, 47, 50), "b1": (7, 27, 30), "b2": (9, 21, 25)}, ("b2",))
FEB = month("2024-02", "1", {"a1": (10, 45, 50), "a2": (8, 47, 50), "b1": (7, 27, 30), "b2": (9, 21, 25)})
MAR = month("2024-03", "1", {"a1": (8, 45, 50), "a2": ("9.5", 47, 50), "b1": (7, 27, 30), "b2": (10, 21, 25)}, ("b2",))
APR = month("2024-04", "2", {"a1": (8, 45, 50), "a2": (9, 47, 50), "b1": (7, 27, 30), "b2": (9, 21, 25)})
Q1 = 'scheme: q\nversion: "2024"\nperiod: 2024-Q1\nstatus: published\nnotice: {date: 2024-04-10}\nunits: {a1: {}, a2: {}, b1: {}, b2: {}}\n'

FILES = {
    "site.yaml": SITE,
    "units/units.yaml": UNITS,
    "schemes/m-x/1.yaml": MONTHLY_1,
    "schemes/m-x/2.yaml": MONTHLY_2,
    "schemes/q/2024.yaml": QUARTERLY,
    "scores/m-x/2024-01.yaml": JAN,
    "scores/m-x/2024-02.yaml": FEB,
    "scores/m-x/2024-03.yaml": MAR,
    "scores/m-x/2024-04.yaml": APR,
    "scores/q/2024-Q1.yaml": Q1,
}
