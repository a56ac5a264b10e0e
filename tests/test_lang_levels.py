"""Levels as results (grades:, 等次): hand-computed on the scratch project.

Base project totals (tests/scratch): a1 = 9.5 + (10 − 1) + 1 = 19.5,
a2 = 10 + (10 − 1) + 0 = 19, a3 = 8 + 10 + 0 = 18; the quarterly ranking
q puts them 1, 2, 3 (ratio 1/3, 2/3, 1); a1 holds the 流动红旗 (top 1).
"""

from __future__ import annotations

import csv
import io
import json
import random
from decimal import Decimal as D
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scratch import SCHEME, SCORES, listing, make_project
from site_builder.cli import main
from site_builder.errors import InputError
from site_builder.pipeline import check
from site_builder.site.present import level_views as levels
from site_builder.site.build import build_site

SCHEME_F = "schemes/demo/2024.yaml"
SCHEME_LINES = SCHEME.count("\n")  # the grades: tail starts on the next line

STARS = """\
grades:
  show: both
  levels:
    - id: five
      name: 五星
      when: "total >= 19.5"
      rewards: [{amount: 500}]
    - id: four
      name: 四星
      when: "line.work >= 9.9 and not vetoed"
    - {id: three, name: 三星}
"""


def results(tmp_path: Path, tail: str, files: dict | None = None):
    root = make_project(tmp_path, {SCHEME_F: SCHEME + tail, **(files or {})})
    _, res = check(root)
    return res


def level_ids(pr) -> dict[str, str]:
    return {u: lv.level for u, lv in pr.levels.items()}


def test_first_level_whose_condition_holds(tmp_path):
    pr = results(tmp_path, STARS)[("demo", "2024-Q1")]
    # a1: 19.5 >= 19.5 → 五星; a2: 19 < 19.5, work 10 >= 9.9 → 四星; a3: work 8 → default 三星
    assert level_ids(pr) == {"a1": "five", "a2": "four", "a3": "three"}
    assert [lv.how for _, lv in sorted(pr.levels.items())] == ["condition", "condition", "default"]
    a2 = pr.levels["a2"]
    assert [(t.level, t.held) for t in a2.tests] == [("five", False), ("four", True)]
    assert dict(a2.tests[1].figures) == {"line.work": D("10"), "vetoed": False}


def test_share_of_the_group_by_ratio(tmp_path):
    # “排名前三分之一的为优秀”: ratio = rank / units ranked: a1 1/3, a2 2/3, a3 1
    tail = """\
grades:
  levels:
    - {id: top, name: 优秀, when: "ratio <= 0.34"}
    - {id: good, name: 良好, when: "rank <= group_size - 1"}
    - {id: ok, name: 合格}
"""
    pr = results(tmp_path, tail)[("demo", "2024-Q1")]
    assert level_ids(pr) == {"a1": "top", "a2": "good", "a3": "ok"}


def test_veto_gives_the_declared_level_and_exempt_units_none(tmp_path):
    scores = SCORES.replace("      work: 10\n", "      work: 10\n", 1).replace(
        "  a2:\n    facts:\n", "  a2:\n    vetoes: [{id: disc, reason: 被通报批评}]\n    facts:\n", 1
    ).replace("  a3:\n    facts: {work: 8, duty: 0}\n", "  a3:\n    status: exempt\n    reason: 新组建\n")
    tail = STARS.replace("  show: both\n", "  show: both\n  vetoed: three\n")
    pr = results(tmp_path, tail, {"scores/demo/2024-Q1.yaml": scores})[("demo", "2024-Q1")]
    # a2 would be 四星 by its figures, but 受一票否决的直接评为三星; a3 is exempt: no level
    assert level_ids(pr) == {"a1": "five", "a2": "three"}
    assert pr.levels["a2"].how == "vetoed" and pr.levels["a2"].tests == ()


def test_veto_read_by_the_condition_when_no_level_is_declared(tmp_path):
    scores = SCORES.replace("  a2:\n    facts:\n", "  a2:\n    vetoes: [{id: disc, reason: 被通报批评}]\n    facts:\n", 1)
    pr = results(tmp_path, STARS, {"scores/demo/2024-Q1.yaml": scores})[("demo", "2024-Q1")]
    # a2: 19 < 19.5; work 10 but vetoed → not 四星 → 三星
    assert level_ids(pr)["a2"] == "three"


def test_facts_of_a_line(tmp_path):
    # duty: a1 1 occurrence (count: 1), a2 one event, a3 0: “发生值守问题的不得评为五星”
    tail = """\
grades:
  levels:
    - {id: five, name: 五星, when: "facts.duty.count + facts.duty.events == 0"}
    - {id: four, name: 四星}
"""
    pr = results(tmp_path, tail)[("demo", "2024-Q1")]
    assert level_ids(pr) == {"a1": "four", "a2": "four", "a3": "five"}


Q2 = SCORES.replace("period: 2024-Q1", "period: 2024-Q2").replace("2024-04-10", "2024-07-10").replace(
    "测〔2024〕1号", "测〔2024〕2号")


def test_history_names_count_this_period_too(tmp_path):
    # the flag goes to a1 in Q1 and in Q2 (same figures): held.flag is 1 after Q1 and 2 after Q2
    tail = """\
grades:
  levels:
    - {id: five, name: 五星, when: "held.flag >= 2"}
    - {id: four, name: 四星, when: "held.flag >= 1"}
    - {id: three, name: 三星}
"""
    res = results(tmp_path, tail, {"scores/demo/2024-Q2.yaml": Q2})
    assert level_ids(res[("demo", "2024-Q1")]) == {"a1": "four", "a2": "three", "a3": "three"}
    assert level_ids(res[("demo", "2024-Q2")]) == {"a1": "five", "a2": "three", "a3": "three"}


def test_explanation_on_the_card_in_both_languages(tmp_path):
    res = results(tmp_path, STARS)
    pr = res[("demo", "2024-Q1")]
    from site_builder.pipeline import load_project
    from site_builder.errors import Problems

    project = load_project(tmp_path, Problems())
    sv = project.schemes["demo"]["2024"]
    zh = levels.explain(sv, pr.levels["a2"], pr.units["a2"], "zh-CN")
    assert zh == (
        "未评为“五星”：不满足条件 total >= 19.5（总分 19）",
        "评为“四星”：满足条件 line.work >= 9.9 且 非 vetoed（“工作推进”得分 10，受一票否决 否）",
    )
    en = levels.explain(sv, pr.levels["a3"], pr.units["a3"], "en")
    assert en[-1] == "三星: none of the conditions above holds"
    assert levels.reward_text(sv, "five", "zh-CN") == "奖励每人 500 元"
    assert levels.reward_text(sv, "five", "en") == "奖励: 500 元 per 人"


def test_a_condition_failing_with_the_figures_is_located(tmp_path):
    # line.bonus is 0 for a2 and a3: the division fails for them, named, at the condition
    tail = """\
grades:
  levels:
    - {id: five, name: 五星, when: "total / line.bonus > 10"}
    - {id: four, name: 四星}
"""
    with pytest.raises(InputError) as err:
        results(tmp_path, tail)
    text = err.value.format_message()
    at = f"{SCHEME_F}:{SCHEME_LINES + 3}:"
    lines = [ln for ln in text.splitlines() if ln.startswith(at)]
    assert len(lines) == 2 and "教育局" in lines[0] + lines[1] and "科技局" in lines[0] + lines[1]
    assert "五星" in lines[0] and "Traceback" not in text



def test_a_failing_condition_of_a_version_written_as_changes_is_located_in_its_base(tmp_path):
    # 2024 extends 2023 and changes only the title: the condition is the base file's text, so the
    # problem is located there (not at a line of 2024.yaml that does not hold it)
    tail = """\
grades:
  levels:
    - {id: five, name: 五星, when: "total / line.bonus > 10"}
    - {id: four, name: 四星}
"""
    base = SCHEME.replace("effective: {from: 2024-01-01}", "effective: {from: 2023-01-01, until: 2023-12-31}") + tail
    files = {"schemes/demo/2023.yaml": base,
             SCHEME_F: 'extends: "2023"\ntitle: 测试考核办法（2024年）\neffective: {from: 2024-01-01}\n'}
    with pytest.raises(InputError) as err:
        root = make_project(tmp_path, files)
        check(root)
    text = err.value.format_message()
    at = f"schemes/demo/2023.yaml:{SCHEME_LINES + 3}:"
    assert sum(ln.startswith(at) for ln in text.splitlines()) == 2, text
    assert "Traceback" not in text

# ------------------------------------------------------------------ check refuses, located, writes nothing
def fails(root: Path) -> str:
    before = listing(root)
    result = CliRunner().invoke(main, ["check", "--root", str(root)])
    assert result.exit_code != 0 and isinstance(result.exception, SystemExit), result.output
    assert "Traceback" not in result.output and "未写出任何文件" in result.output
    assert listing(root) == before
    return result.output


@pytest.mark.parametrize(
    ("levels_yaml", "line", "col", "fragment"),
    [
        # unknown name, with the closest known one
        ('    - {id: a, name: 优秀, when: "totl >= 90"}\n    - {id: b, name: 合格}\n', 3, 31, "“totl”不是可用的名称，是不是“total”？"),
        ('    - {id: a, name: 优秀, when: "line.wrk >= 9"}\n    - {id: b, name: 合格}\n', 3, 31, "是不是“line.work”？"),
        ('    - {id: a, name: 优秀, when: "held.flg >= 2"}\n    - {id: b, name: 合格}\n', 3, 31, "是不是“held.flag”？"),
        # no default level
        ('    - {id: a, name: 优秀, when: "total >= 19"}\n', 3, 5, "没有默认等次"),
        # a default that is not last
        ("    - {id: b, name: 合格}\n    - {id: a, name: 优秀, when: \"total >= 19\"}\n", 3, 7, "不是最后一个"),
        # duplicate ids
        ('    - {id: a, name: 优秀, when: "total >= 19"}\n    - {id: a, name: 合格}\n', 4, 12, "标识“a”重复"),
        # a number is not a condition
        ('    - {id: a, name: 优秀, when: "total + 1"}\n    - {id: b, name: 合格}\n', 3, 31, "算出的是数值"),
        # malformed
        ('    - {id: a, name: 优秀, when: "total >= (1"}\n    - {id: b, name: 合格}\n', 3, 31, "左括号"),
    ],
)
def test_check_refuses_at_the_key(tmp_path, levels_yaml, line, col, fragment):
    root = make_project(tmp_path, {SCHEME_F: SCHEME + "grades:\n  levels:\n" + levels_yaml})
    out = fails(root)
    where = f"{SCHEME_F}:{SCHEME_LINES + line}:{col}: "
    assert any(ln.startswith(where) and fragment in ln for ln in out.splitlines()), out


def test_check_refuses_unknown_vetoed_level_and_ranking(tmp_path):
    tail = "grades:\n  vetoed: fial\n  ranking: qq\n  levels:\n    - {id: fail, name: 不合格}\n"
    out = fails(make_project(tmp_path, {SCHEME_F: SCHEME + tail}))
    assert f"{SCHEME_F}:{SCHEME_LINES + 2}:11: “fial”不是已定义的等次，是不是“fail”？" in out
    assert f"{SCHEME_F}:{SCHEME_LINES + 3}:12: “qq”不是已定义的排名，是不是“q”？" in out


# ------------------------------------------------------------------ the pages and downloads
@pytest.fixture(scope="module")
def level_site(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("levels")
    root = make_project(tmp / "p", {SCHEME_F: SCHEME + STARS.replace("show: both", "show: level")})
    out = tmp / "out"
    build_site(root, out)
    return out


def test_level_notice_has_no_total_or_rank_column(level_site):
    page = (level_site / "notices/demo/2024-Q1/index.html").read_text("utf-8")
    table = page[page.index('<table class="ranking levels">'): page.index("</table>")]
    assert "总分" not in table and "名次" not in table and "19.5" not in table
    heads = [h.split(">")[-1] for h in table.split("</th>")[:4]]
    assert heads == ["单位", "等次", "奖励", "表彰/处理"]
    # by level, best first
    assert table.index("发改委") < table.index("教育局") < table.index("科技局")
    assert "五星：发改委（奖励每人 500 元）" in page and "四星：教育局" in page


def test_level_downloads_carry_the_level(level_site):
    raw = (level_site / "notices/demo/2024-Q1/demo-2024-Q1.csv").read_bytes().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(raw)))
    assert rows[0] == ["组别", "单位标识", "单位", "等次", "奖励", "表彰/处理", "说明"]
    assert rows[1] == ["全体", "a1", "发改委", "五星", "奖励每人 500 元", "流动红旗", ""]
    doc = json.loads((level_site / "notices/demo/2024-Q1/demo-2024-Q1.json").read_text("utf-8"))
    g = doc["groups"][0]
    assert g["show"] == "level"
    assert [(r["unit"], r["level"], r["total"]) for r in g["rows"]] == [("a1", "五星", None), ("a2", "四星", None), ("a3", "三星", None)]
    assert g["levels"][0] == {"id": "five", "name": "五星", "units": [{"unit": "a1", "name": "发改委"}], "reward": "奖励每人 500 元"}
    # the long tables carry the levels with unit ids, and neither totals nor places (the notice publishes none)
    res = list(csv.DictReader(io.StringIO((level_site / "notices/demo/2024-Q1/demo-2024-Q1-honours.csv").read_bytes().decode("utf-8-sig"))))
    assert [(r["kind"], r["honour_id"], r["unit_id"]) for r in res if r["kind"] == "level"] == [
        ("level", "five", "a1"), ("level", "four", "a2"), ("level", "three", "a3")]
    ranks = (level_site / "notices/demo/2024-Q1/demo-2024-Q1-rankings.csv").read_bytes().decode("utf-8-sig")
    assert ranks.strip().count("\n") == 0, "no ranking rows for a level-only notice"
    data = list(csv.DictReader(io.StringIO((level_site / "data/demo/demo-results.csv").read_bytes().decode("utf-8-sig"))))
    assert [(r["unit_id"], r["level"], r["total"], r["rank"]) for r in data] == [
        ("a1", "五星", "", ""), ("a2", "四星", "", ""), ("a3", "三星", "", "")]


def test_card_and_unit_page_show_the_level_and_why(level_site):
    card = (level_site / "units/a2/demo/2024-Q1/index.html").read_text("utf-8")
    assert "<dt>考核等次</dt><dd>四星</dd>" in card
    assert "未评为“五星”：不满足条件 total &gt;= 19.5（总分 19）" in card
    unit = (level_site / "units/a2/index.html").read_text("utf-8")
    assert "<th scope=\"col\">等次</th>" in unit and "<td>四星</td>" in unit
    scheme = (level_site / "schemes/demo/2024/index.html").read_text("utf-8")
    assert "以等次公布考核结果，不公布总分和名次。" in scheme
    assert "<strong>五星</strong>：total &gt;= 19.5（total：总分）；奖励每人 500 元" in scheme


def test_both_keeps_the_ranking_table_with_a_level_column(tmp_path):
    root = make_project(tmp_path / "p", {SCHEME_F: SCHEME + STARS})
    build_site(root, tmp_path / "out")
    page = (tmp_path / "out/notices/demo/2024-Q1/index.html").read_text("utf-8")
    assert '<table class="ranking scores">' in page and '<td class="level">四星</td>' in page
    raw = (tmp_path / "out/notices/demo/2024-Q1/demo-2024-Q1.csv").read_bytes().decode("utf-8-sig")
    head = next(csv.reader(io.StringIO(raw)))
    assert head[-4:] == ["等次", "奖励", "表彰/处理", "说明"] and "总分" in head and "名次" in head


# ------------------------------------------------------------------ properties
SCORES_HEAD = SCORES[: SCORES.index("units:\n")]
WORK = st.sampled_from(["6", "7.5", "8", "9", "9.5", "10"])


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(work=st.lists(WORK, min_size=3, max_size=3), seed=st.integers(0, 10_000))
def test_level_depends_on_the_figures_only(tmp_path_factory, work, seed):
    """The same figures give the same levels whatever the order of units, of the group's
    list, of the units file and of the period file; and twice the same input, the same output."""
    tail = """\
grades:
  levels:
    - {id: five, name: 五星, when: "total >= 19 and ratio <= 0.5"}
    - {id: four, name: 四星, when: "line.work >= 9 or held.flag >= 1"}
    - {id: three, name: 三星}
"""
    ids = ["a1", "a2", "a3"]
    entries = {u: f"  {u}:\n    facts: {{work: {w}, duty: 0}}\n" for u, w in zip(ids, work)}
    got = []
    for n in range(3):
        order = ids[:]
        random.Random(seed + n).shuffle(order)
        scheme = SCHEME.replace("units: [a1, a2, a3]", f"units: [{', '.join(order)}]") + tail
        units = "units:\n" + "".join(f"  - {{id: {u}, name: {dict(a1='发改委', a2='教育局', a3='科技局')[u]}}}\n" for u in order)
        scores = SCORES_HEAD + "units:\n" + "".join(entries[u] for u in order)
        root = make_project(tmp_path_factory.mktemp("prop"), {SCHEME_F: scheme, "units/units.yaml": units,
                                                             "scores/demo/2024-Q1.yaml": scores})
        pr = check(root)[1][("demo", "2024-Q1")]
        got.append(pr.levels)
    assert got[0] == got[1] == got[2]
    # and the level is what the figures say, computed here by hand
    totals = {u: D(w) + 10 for u, w in zip(ids, work)}
    for u in ids:
        better = sum(1 for v in totals.values() if v > totals[u])
        rank, flag = better + 1, better == 0
        want = "five" if totals[u] >= 19 and D(rank) / 3 <= D("0.5") else (
            "four" if D(work[ids.index(u)]) >= 9 or flag else "three")
        assert got[0][u].level == want, (u, totals, rank)


def test_a_corrected_level_is_a_change_and_part_of_the_results_hash(tmp_path):
    from site_builder.site.records.changes import Change, diff_results
    from site_builder.site.records.lock.fingerprints import canonical_results

    before = results(tmp_path / "a", STARS)[("demo", "2024-Q1")]
    # a2's work 10 → 9.5: total 18.5, work below 9.9 → 三星 instead of 四星
    scores = SCORES.replace("      work: 10\n", "      work: 9.5\n", 1)
    after = results(tmp_path / "b", STARS, {"scores/demo/2024-Q1.yaml": scores})[("demo", "2024-Q1")]
    a2 = next(uc for uc in diff_results(before, after) if uc.unit == "a2")
    assert Change("level", "", "四星", "三星") in a2.changes
    assert canonical_results(before)["units"]["a2"]["level"] == "four"
    plain = results(tmp_path / "c", "")[("demo", "2024-Q1")]
    assert "level" not in canonical_results(plain)["units"]["a2"]  # no grades: the hash as before


def test_export_for_print_shows_the_level(tmp_path):
    from site_builder.workflow.export import export_notice

    root = make_project(tmp_path / "p", {SCHEME_F: SCHEME + STARS.replace("show: both", "show: level")})
    export_notice(root, "demo", "2024-Q1", out=tmp_path / "x")
    page = next((tmp_path / "x").rglob("*.html")).read_text("utf-8")
    table = page[page.index("<table"): page.index("</table>")]
    assert "考核等次" in table and "五星" in table and "总分" not in table and "名次" not in table
    assert "五星：发改委（奖励每人 500 元）" in page
