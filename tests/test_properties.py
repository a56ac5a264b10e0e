"""Invariants of the engine over random valid facts (hypothesis).

One scheme uses every rule kind, two groups, a capped bonus section, a
deduction section capped by the bonus (“同一单位减分总数不超过加分总数”),
modifiers, a not-applicable policy, disqualification, vetoes of every
effect, a unit coefficient, competition and dense rankings and honours.  Each
example writes a random but valid period file into one scratch project and
runs ``pipeline.check`` on it (twice, for determinism).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, localcontext
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scratch import SITE, make_project
from site_builder import pipeline
from site_builder.errors import InputError
from site_builder.scoring.engine import PRECISION

D = Decimal
G1 = ["u1", "u2", "u3", "u4"]
G2 = ["u5", "u6", "u7", "u8", "u9"]

UNITS = "units:\n" + "".join(f"  - {{id: {u}, name: 单位{u[1:]}}}\n" for u in G1 + G2)

SCHEME = """\
title: 属性测试办法
issuer: 测试县考核办
effective: {from: 2024-01-01}
total: 66
period: {kind: quarter}
groups:
  - {id: g1, name: 一组, units: [u1, u2, u3, u4]}
  - {id: g2, name: 二组, units: [u5, u6, u7, u8, u9]}
indicators:
  - id: base
    name: 基础工作
    max: 40
    children:
      - {id: ass, name: 评分, max: 5, rule: {kind: assessed}}
      - id: occ
        name: 纪律
        max: 5
        rule: {kind: per_occurrence, per: 0.5, cap: 3}
        disqualify: {at_least: 5, reason: 违纪五次以上}
      - id: pp
        name: 人员处分
        max: 4
        rule: {kind: per_person, ranks: [{id: lead, name: 领导, per: 2}, {id: staff, name: 职工, per: 1}]}
      - id: br
        name: 网办件
        max: 2
        rule:
          kind: brackets
          label: 网办件数
          brackets: [{max: 0, points: 0.5}, {min: 1, max: 5, points: 1}, {min: 6, max: 10, points: 1.5}, {min: 11, points: 2}]
      - id: lv
        name: 信息报送质量
        max: 3
        rule: {kind: levels, levels: [{id: good, name: 好, points: 3}, {id: fair, name: 较好, points: 2}, {id: poor, name: 差, points: 0}]}
      - {id: qu, name: 定额, max: 4, rule: {kind: quota, label: 报送, target: 2, shortfall_per: 2, excess_per: 1, excess_cap: 2}}
      - {id: th, name: 办结率, max: 3, rule: {kind: threshold, label: 办结率, at_least: 99.5}}
      - {id: pr, name: 任务完成, max: 3, rule: {kind: proportional, label: 任务, target: 10}}
      - {id: ls, name: 满意率, max: 3, rule: {kind: linear_step, label: 满意率, threshold: 98, per: 0.5, partial: proportional}}
      - {id: fo, name: 公式, max: 2, rule: {kind: formula, expr: 'min(n * 0.5, max)', inputs: [n]}}
      - {id: grk, name: 效率名次, max: 2, rule: {kind: group_rank, label: 效率, points: [2, 1.5, 1], otherwise: 0.5}}
      - {id: rb, name: 完成量, max: 2, rule: {kind: relative_to_best, label: 完成量}}
      - {id: ra, name: 效能, max: 2, rule: {kind: relative_to_average, label: 效能, below: 0.5}}
  - id: extra
    name: 其他工作
    max: 20
    children:
      - id: mod
        name: 投诉
        max: 10
        rule: {kind: assessed}
        modifiers: [{label: 有效投诉, steps: [{min: 1, factor: 0.5}, {min: 2, factor: 0}]}]
      - {id: na1, name: 可不适用, max: 5, not_applicable: full, rule: {kind: assessed}}
      - id: tal
        name: 项目加计
        max: 5
        rule: {kind: per_occurrence, rates: [{id: item, name: 项目, per: 1, effect: add}], if_none: 1, ceiling: 6}
  - id: newk
    name: 测评与期限
    max: 6
    children:
      - id: wt
        name: 测评
        max: 2
        rule:
          kind: weighted
          label: 测评
          weight: 0.02
          groups: [{id: l, name: 领导, weight: 0.4}, {id: s, name: 群众, weight: 0.6}]
          means: {places: 1}
          empty_group: reweight
      - {id: yn, name: 报送, max: 2, rule: {kind: yes_no, label: 按时报送, no: 0.5}}
      - {id: dl, name: 期限, max: 2, rule: {kind: deadline, label: 报送总结, due: 2024-02-07, per_day: 0.5, days: working, not_done: count_to_end}}
  - id: plus
    name: 加分
    type: bonus
    max: 5
    children:
      - id: rec
        name: 表彰
        max: 4
        rule:
          kind: recognition
          highest_per_event: true
          levels: [{id: city, name: 市级, per: 0.5}, {id: prov, name: 省级, per: 1}, {id: nation, name: 国家级, per: 1.5}]
      - {id: bas, name: 酌情加分, max: 3, rule: {kind: assessed, min: 1}}
      - {id: his, name: 连续红旗, max: 1, rule: {kind: history, label: 此前连续获得流动红旗的季度数, measure: run, honour: flag, span: all, at_least: 2, points: 1}}
  - id: minus
    name: 减分
    type: deduction
    max: 6
    cap_by: plus
    children:
      - id: ded
        name: 通报
        rule: {kind: per_occurrence, rates: [{id: warn, name: 通报批评, per: 1}, {id: disc, name: 酌情, per: {min: 0.5, max: 2}}]}
      - {id: dpts, name: 扣分, max: 3, rule: {kind: assessed}}
vetoes:
  - {id: nohon, name: 被通报批评, effect: no_honour}
  - {id: zero, name: 弄虚作假, effect: zero}
  - {id: last, name: 重大事故, effect: last}
coefficient: {label: 难度系数, min: 0.8, max: 1.2}
rankings:
  - {id: q, name: 季度排名}
  - {id: qd, name: 并列不占位排名, ties: dense}
honours:
  - {id: flag, name: 流动红旗, ranking: q, select: {top: 1}}
  - {id: good, name: 优秀, ranking: q, select: {share: 0.3}, min_score: 30}
  - {id: bad, name: 末位, kind: sanction, ranking: qd, select: {bottom: 1}}
"""

TOTAL, BONUS_CAP, DEDUCTION_CAP = D(66), D(5), D(6)
# leaves whose rule lets them go above the line's maximum, and by how much
ABOVE_MAX = {"qu": D(2), "tal": D(1)}  # quota excess_cap 2; tally ceiling 6 on a max of 5


# ---------------------------------------------------------------- strategies


def dec(lo: int, hi: int, places: int = 2) -> st.SearchStrategy[str]:
    """A plain decimal in [lo, hi] with up to ``places`` decimals, as written in YAML."""
    scale = 10 ** places
    return st.integers(lo * scale, hi * scale).map(lambda n: str(D(n) / scale))


COUNT = st.integers(0, 20)


@st.composite
def unit_entry(draw) -> str:
    """The YAML text of one unit's entry (indented by 4), always valid for SCHEME."""
    if draw(st.integers(0, 9)) == 0:
        return "status: exempt\nreason: 新组建单位\n"
    f: list[str] = [
        f"ass: {draw(dec(0, 5))}",
        f"occ: {draw(COUNT)}",
        "pp: {people: [" + ", ".join(
            f"{{rank: {draw(st.sampled_from(['lead', 'staff']))}, count: {draw(st.integers(1, 3))}}}"
            for _ in range(draw(st.integers(0, 3)))) + "]}",
        f"br: {draw(COUNT)}",
        f"lv: {draw(st.sampled_from(['good', 'fair', 'poor', '好', '较好', '差']))}",
        f"qu: {draw(COUNT)}",
        f"th: {draw(dec(90, 100))}",
        f"pr: {draw(dec(0, 20, 1))}",
        f"ls: {draw(dec(80, 100))}",
        f"fo: {{values: {{n: {draw(COUNT)}}}}}",
        f"grk: {draw(dec(0, 100, 0))}",  # few distinct values: ties in the group
        f"rb: {draw(dec(0, 100))}",
        f"ra: {draw(dec(0, 100, 0))}",
        f"mod: {{points: {draw(dec(0, 10))}, incidents: {draw(st.integers(0, 3))}}}",
        "na1: " + (draw(st.sampled_from(["na", "0", "2.5", "5"]))),
        "wt: {ratings: {l: [" + ", ".join(draw(st.lists(dec(0, 100, 1), max_size=3))) + "], s: ["
        + ", ".join(draw(st.lists(dec(0, 100, 1), min_size=1, max_size=3))) + "]}}",
        f"yn: {draw(st.sampled_from(['true', 'false']))}",
        "dl: " + draw(st.one_of(st.just("{done: false}"), st.dates(dt.date(2024, 1, 1), dt.date(2024, 4, 30)).map(str))),
    ]
    if draw(st.booleans()):
        f.append(f"tal: {draw(COUNT)}")
    awards = [f"{{level: {draw(st.sampled_from(['city', 'prov', 'nation']))}, event: {draw(st.sampled_from('ABC'))}}}"
              for _ in range(draw(st.integers(0, 6)))]
    if awards:
        f.append("rec: {awards: [" + ", ".join(awards) + "]}")
    f.append(f"bas: {draw(st.one_of(st.just('0'), dec(1, 3)))}")
    events = []
    for _ in range(draw(st.integers(0, 4))):
        if draw(st.booleans()):
            events.append(f"{{rate: warn, count: {draw(st.integers(1, 4))}}}")
        else:
            events.append(f"{{rate: disc, points: {draw(dec(0, 2).filter(lambda s: D(s) >= D('0.5')))}}}")
    if events:
        f.append("ded: {events: [" + ", ".join(events) + "]}")
    f.append(f"dpts: {draw(dec(0, 3))}")
    text = "facts:\n" + "".join(f"  {x}\n" for x in f)
    veto = draw(st.sampled_from([None, None, None, "nohon", "zero", "last"]))
    if veto:
        text += f"vetoes: [{{id: {veto}, reason: 测试}}]\n"
    if draw(st.booleans()):
        text += f"coefficient: {draw(dec(0, 1).map(lambda s: str(D('0.8') + D(s) * D('0.4'))))}\n"
    return text


@st.composite
def period_text(draw) -> str:
    body = ""
    for uid in G1 + G2:
        entry = draw(unit_entry())
        body += f"  {uid}:\n" + "".join(f"    {ln}\n" for ln in entry.splitlines())
    return 'scheme: p\nversion: "2024"\nperiod: 2024-Q1\nstatus: draft\nunits:\n' + body


# ---------------------------------------------------------------- the project


@pytest.fixture(scope="module")
def root(tmp_path_factory) -> Path:
    return make_project(tmp_path_factory.mktemp("props"), {
        "site.yaml": SITE, "units/units.yaml": UNITS, "schemes/p/2024.yaml": SCHEME,
    }, base=False)


def run(root: Path, text: str):
    (root / "scores" / "p").mkdir(parents=True, exist_ok=True)
    (root / "scores" / "p" / "2024-Q1.yaml").write_text(text, "utf-8")
    try:
        _, results = pipeline.check(root)
    except InputError as exc:  # the strategies only make valid facts
        raise AssertionError(exc.format_message() + "\n" + text) from None
    return results[("p", "2024-Q1")]


def test_the_scheme_uses_every_rule_kind():
    from site_builder.scoring.rules import RULES

    used = {k for k in RULES if f"kind: {k}" in SCHEME}
    assert used == set(RULES)


# ---------------------------------------------------------------- invariants


SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@SETTINGS
@given(text=period_text())
def test_engine_invariants(root, text):
    r = run(root, text)
    with localcontext() as ctx:  # the engine's precision, so sums match digit for digit
        ctx.prec = PRECISION
        check_invariants(r)


def check_invariants(r) -> None:
    assessed = {u: x for u, x in r.units.items() if x.status == "assessed"}
    for uid, u in r.units.items():
        if u.status != "assessed":
            assert u.total is None and u.lines == ()
            continue
        lines = {ln.id: ln for ln in u.lines}
        # every leaf within [floor, max] unless the rule declares more room
        for ln in u.lines:
            if ln.points is None:
                continue
            if ln.type == "deduction":
                assert ln.points <= 0, (uid, ln)
                if ln.max is not None:
                    assert ln.points >= -ln.max, (uid, ln)
            else:
                assert ln.points >= 0, (uid, ln)
                room = ABOVE_MAX.get(ln.id, D(0)) if ln.is_leaf else D(0)
                assert ln.points <= ln.max + room, (uid, ln)
        # caps of the sections
        plus, minus = lines["plus"].points, lines["minus"].points
        assert 0 <= plus <= BONUS_CAP
        assert -DEDUCTION_CAP <= minus <= 0
        assert -minus <= plus, "deductions may not exceed the bonus (cap_by)"
        assert lines["base"].points <= 40 and lines["extra"].points <= 20 and lines["newk"].points <= 6
        # the total: sections × coefficient, within the declared total plus the bonus cap
        assert (u.base, u.bonus, u.deduction) == (lines["base"].points + lines["extra"].points + lines["newk"].points, plus, minus)
        exact = (u.base + u.bonus + u.deduction) * u.coefficient
        if any(v.effect == "zero" for v in u.vetoes):
            exact = D(0)
        assert u.exact_total == exact
        assert D(0) <= u.total <= (TOTAL + BONUS_CAP) * u.coefficient
        assert isinstance(u.total, Decimal) and u.total.as_tuple().exponent == -2, u.total
        assert abs(u.total - u.exact_total) <= D("0.005")
        assert u.max_total == TOTAL
        # disqualification follows the recorded occurrences
        occ = u.line("occ")
        assert (occ.facts is not None and (occ.facts.count or 0) >= 5) == bool(u.disqualified_by)

    for gr in r.rankings:
        members = {uid for uid, x in assessed.items() if x.group == gr.group}
        entries = list(gr.entries)
        assert sorted(e.unit for e in entries) == sorted(members), "a permutation of the ranked units"
        key = {e.unit: (not any(v.effect == "last" for v in r.units[e.unit].vetoes), r.units[e.unit].total) for e in entries}
        assert all(e.value == r.units[e.unit].total for e in entries)
        for e in entries:
            better = {key[o.unit] for o in entries if key[o.unit] > key[e.unit]}
            if gr.ranking == "q":  # competition: 1 + units strictly better
                assert e.rank == 1 + sum(1 for o in entries if key[o.unit] > key[e.unit]), (gr, e)
            else:  # dense: 1 + distinct better keys
                assert e.rank == 1 + len(better), (gr, e)
            assert e.tied == any(o.unit != e.unit and key[o.unit] == key[e.unit] for o in entries)
        unranked = {u for u, _ in gr.unranked}
        assert unranked == {uid for uid, x in r.units.items() if x.group == gr.group and x.status != "assessed"}

    for h in r.honours:
        group_units = {uid for uid, x in r.units.items() if x.group == h.group}
        assert set(h.chosen) <= group_units
        for uid in h.chosen:
            u = r.units[uid]
            if h.kind == "honour":  # vetoes and 取消评先资格 keep units out of honours, not out of sanctions
                assert not u.vetoes and not u.disqualified_by, (h, uid)
            if h.honour == "good":
                assert u.total >= 30
        eligible = [uid for uid in group_units if uid in assessed and not r.units[uid].vetoes and not r.units[uid].disqualified_by]
        if h.honour == "flag":
            assert bool(h.chosen) == bool(eligible)
            if h.chosen:  # the best eligible units
                best = max(key_q(r, uid) for uid in eligible)
                assert {uid for uid in eligible if key_q(r, uid) == best} == set(h.chosen)
        if h.honour == "good":
            assert len(h.chosen) <= int(D("0.3") * len([u for u in group_units if u in assessed]))
        if h.honour == "bad":  # bottom 1, ties included: every unit sharing the worst place
            ranked = [uid for uid in group_units if uid in assessed]
            worst = min((key_q(r, uid) for uid in ranked), default=None)
            assert set(h.chosen) == {uid for uid in ranked if key_q(r, uid) == worst}


def key_q(r, uid):
    u = r.units[uid]
    return (not any(v.effect == "last" for v in u.vetoes), u.total)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(text=period_text())
def test_same_input_same_result(root, text):
    first = run(root, text)
    second = run(root, text)
    assert first == second
    assert repr(first) == repr(second)
