"""Notices in official form (GB/T 9704 practice) and notice wording, on a scratch project.

Project ``form``: quarters 2024-Q1..Q3, one line ``work`` = the total (max 100).

Group 一组 (10 units; 机关 u01–u04, 基层 u05–u10) and group 二组 (7 units v1–v7).
Totals per quarter (distinct within a group, so no ties)::

    u01 99 every quarter (流动红旗 three quarters running)
    u02..u10  90 - i (Q1, Q2), 80 + i (Q3)   i = 2..10
    v1 95 in Q3 only first; v2 first in Q1 and Q2

Hand-computed places on the Q3 notice:

* 优秀, share 30 % rounded down:  一组 10 × 30 % = 3 → 3;  二组 7 × 30 % = 2.1 → 2.
* 先进, quota 机关 1、基层 2 (一组 only).
* 流动红旗, top 1 with ``streak: true``: u01 3 quarters running; v1 first time (no streak text).
"""

from __future__ import annotations

import re
import shutil
import subprocess
from html import unescape

import pytest
from click.testing import CliRunner

from scratch import built_site, make_project, page_text
from site_builder.cli import main

UNITS = "units:\n" + "".join(
    f"  - {{id: u{i:02d}, name: 一组单位{i}, category: {'机关' if i <= 4 else '基层'}}}\n" for i in range(1, 11)
) + "".join(f"  - {{id: v{i}, name: 二组单位{i}}}\n" for i in range(1, 8))

SCHEME = """\
title: 公文格式测试办法
issuer: 测试县考核办
effective: {from: 2024-01-01}
total: 100
period: {kind: quarter}
groups:
  - {id: g1, name: 一组, units: [u01, u02, u03, u04, u05, u06, u07, u08, u09, u10]}
  - {id: g2, name: 二组, units: [v1, v2, v3, v4, v5, v6, v7]}
indicators:
  - {id: work, name: 工作实绩, max: 100, rule: {kind: assessed}}
rankings:
  - {id: q, name: 季度排名}
honours:
  - {id: flag, name: 流动红旗, ranking: q, select: {top: 1}, streak: true}
  - {id: good, name: 优秀, ranking: q, select: {share: 0.3}}
  - {id: adv, name: 先进, ranking: q, select: {quota: {机关: 1, 基层: 2}}, groups: [g1]}
"""

DATES = {"2024-Q1": "2024-04-10", "2024-Q2": "2024-07-10", "2024-Q3": "2024-10-12"}


def totals(pid: str) -> dict[str, int]:
    out = {"u01": 99}
    for i in range(2, 11):
        out[f"u{i:02d}"] = 90 - i if pid != "2024-Q3" else 80 + i
    for i in range(1, 8):
        out[f"v{i}"] = (95 if i == 1 else 90 - i) if pid == "2024-Q3" else (96 if i == 2 else 90 - i)
    return out


def scores(pid: str, notice_extra: str = "") -> str:
    head = (f'scheme: form\nversion: "2024"\nperiod: {pid}\nstatus: published\n'
            f"notice: {{date: {DATES[pid]}, number: 测考办〔2024〕{pid[-1]}号{notice_extra}}}\nunits:\n")
    return head + "".join(f"  {u}: {{facts: {{work: {t}}}}}\n" for u, t in totals(pid).items())


SITE = """\
title: 测试考核公示
organisation: 测试县考核办
base_url: https://kaohe.example.gov.cn/site/
notice:
  addressee: 各乡镇人民政府，县直各部门：
"""


def form_files(site: str = SITE) -> dict[str, str | None]:
    files: dict[str, str | None] = {
        "site.yaml": site,
        "units/units.yaml": UNITS,
        "schemes/form/2024.yaml": SCHEME,
        "schemes/demo/2024.yaml": None,
        "scores/demo/2024-Q1.yaml": None,
    }
    files.update({f"scores/form/{pid}.yaml": scores(pid) for pid in DATES})
    # the notice's own 主送 wins over the site's
    files["scores/form/2024-Q2.yaml"] = scores("2024-Q2", ", addressee: 县直各单位")
    files["scores/form/2024-Q1.yaml"] = scores("2024-Q1", ', index_number: "000000001/2024-00001"')
    return files


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    return built_site(make_project(tmp_path_factory.mktemp("form"), form_files()))


def main_html(site, rel: str) -> str:
    raw = (site / rel / "index.html").read_text("utf-8")
    return raw[raw.index('<main id="main"'): raw.index("</main>")]


def visible(html: str) -> str:
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html))).strip()


# ---------------------------------------------------------------- the official form


def test_addressee_line_from_the_site_default_with_one_colon(site):
    html = main_html(site, "notices/form/2024-Q3")
    assert '<p class="addressee"><span class="vh">主送：</span>各乡镇人民政府，县直各部门：</p>' in html
    assert "县直各部门：：" not in html


def test_the_notice_s_own_addressee_wins(site):
    text = page_text(site, "notices/form/2024-Q2")
    assert "主送： 县直各单位：" in text
    assert "各乡镇人民政府" not in text


def test_no_addressee_no_line(tmp_path):
    out = built_site(make_project(tmp_path, form_files(SITE.split("notice:")[0])))
    html = main_html(out, "notices/form/2024-Q3")
    assert 'class="addressee"' not in html and "主送" not in html


def test_attachments_are_numbered_tables_then_downloads(site):
    html = main_html(site, "notices/form/2024-Q3")
    block = html[html.index('<div class="attachments">'): html.index("</ol>", html.index('<div class="attachments">'))]
    assert '<p class="att-label" id="att-h">附件：</p>\n<ol aria-labelledby="att-h">' in block  # numbered 1., 2., …
    items = re.findall(r'<li><a href="([^"]+)"( download)?>([^<]+)</a></li>', block)
    assert items == [
        ("#group-g1", "", "一组考核结果"),
        ("#group-g2", "", "二组考核结果"),
        ("form-2024-Q3.csv", " download", "考核结果表（CSV 格式，Excel 可打开）"),
        ("form-2024-Q3.xlsx", " download", "考核结果表（Excel 工作簿）"),
        ("form-2024-Q3.json", " download", "考核结果数据（JSON 格式）"),
    ]
    for target, _, _ in items[2:]:  # every listed file exists
        assert (site / "notices/form/2024-Q3" / target).is_file()


def test_signoff_then_date_after_the_attachments_before_the_results(site):
    html = main_html(site, "notices/form/2024-Q3")
    signoff = (
        '<div class="signoff">\n'
        '<p class="signoff-issuer"><span class="vh">落款：</span>测试县考核办</p>\n'
        '<p class="signoff-date"><span class="vh">成文日期：</span>2024年10月12日</p>\n'
        "</div>"
    )
    assert html.count(signoff) == 1
    assert html.index("附件：") < html.index(signoff) < html.index('<section class="results"')
    head = html[html.index('<header class="doc-head">'): html.index("</header>")]
    assert visible(head) == "通报 测试县考核办 关于2024年第三季度公文格式测试考核结果的通报 测考办〔2024〕3号"


def test_print_address_and_web_only_hint(site):
    html = main_html(site, "notices/form/2024-Q3")
    assert ('<p class="print-only print-address">本页网址：https://kaohe.example.gov.cn/site/notices/form/2024-Q3/</p>'
            in html)
    assert '<p class="hint web-only">点击单位名称可查看逐项得分和扣分依据。</p>' in html
    css = next((site / "assets").glob("site.*.css")).read_text("utf-8")
    block = css[css.index("/* notice form */"):]
    assert ".print-only { display: none; }" in block
    assert ".web-only { display: none !important; }" in block and ".print-only { display: block; }" in block


def test_without_base_url_the_path_is_printed(tmp_path):
    out = built_site(make_project(tmp_path, form_files(SITE.replace("base_url: https://kaohe.example.gov.cn/site/\n", ""))))
    assert "本页在本网站中的路径：notices/form/2024-Q3/" in page_text(out, "notices/form/2024-Q3")


# ---------------------------------------------------------------- wording: places and streaks


def honours_text(site, rel: str) -> list[str]:
    html = main_html(site, rel)
    return [visible(li) for li in re.findall(r'<ul class="honours">(.*?)</ul>', html, re.S)]


def test_share_places_are_shown_with_their_arithmetic(site):
    g1, g2 = honours_text(site, "notices/form/2024-Q3")
    # 一组 Q3: u01 99, then u10 90, u09 89 (80 + i)
    assert "优秀：一组单位1、一组单位10、一组单位9 名额按本组单位数的30%确定：本组共10个单位，10 × 30% = 3，取3名" in g1
    # 二组 Q3: v1 95, v2 88, v3 87
    assert "优秀：二组单位1、二组单位2 名额按本组单位数的30%确定：本组共7个单位，7 × 30% = 2.1，向下取整，取2名" in g2


def test_quota_places_name_the_categories_of_the_group(site):
    g1, g2 = honours_text(site, "notices/form/2024-Q3")
    # 机关 u01–u04: u01 (99); 基层 u05–u10: u10 (90), u09 (89)
    assert "先进：一组单位1、一组单位10、一组单位9 名额按单位类别分配：机关1个；基层2个" in g1
    assert "先进" not in g2


def test_streaks_beside_the_winner(site):
    g1, g2 = honours_text(site, "notices/form/2024-Q3")
    assert g1.startswith("流动红旗：一组单位1（连续3个季度获得）")
    assert g2.startswith("流动红旗：二组单位1 ")  # first time: no streak
    q2 = honours_text(site, "notices/form/2024-Q2")
    assert q2[0].startswith("流动红旗：一组单位1（连续2个季度获得）")
    assert q2[1].startswith("流动红旗：二组单位2（连续2个季度获得）")
    q1 = honours_text(site, "notices/form/2024-Q1")
    assert q1[0].startswith("流动红旗：一组单位1 ") and "连续" not in " ".join(q1)


def test_the_score_card_names_the_streak_too(site):
    # u01 won 流动红旗 in Q1, Q2 and Q3: its Q3 card says the run, its Q1 card (the first) does not
    card = page_text(site, "units/u01/form/2024-Q3")
    assert re.search(r"流动红旗\s*（连续3个季度获得）", card), card
    assert "（连续" not in page_text(site, "units/u01/form/2024-Q1")


def test_a_table_ranked_by_a_running_total_says_so(tmp_path):
    """The only ranking is cumulative: the table's places are by the sum, 总分 is the period's."""
    files = form_files()
    files["schemes/form/2024.yaml"] = SCHEME.replace(
        "  - {id: q, name: 季度排名}\n", "  - {id: q, name: 年度累计排名, basis: cumulative}\n"
    )
    out = built_site(make_project(tmp_path, files))
    text = page_text(out, "notices/form/2024-Q3")
    assert ("“年度累计排名”按2024年第一季度至2024年第三季度各期总分之和排名。"
            "本表“总分”为本期得分，名次依据的累计得分见下方“年度累计排名”表。") in text
    # the sums themselves: u01 3 × 99 = 297; u02 88 + 88 + 82 = 258
    assert "年度累计得分（2024年第一季度至2024年第三季度）" in text
    assert " 1 一组单位1 297.00 " in text and " 一组单位2 258.00 " in text


def test_a_period_ranking_has_no_running_note(site):
    assert "名次依据的累计得分" not in page_text(site, "notices/form/2024-Q3")


# ---------------------------------------------------------------- refusals


def check_output(root) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["check", "--root", str(root)])
    return result.exit_code, result.output


def test_addressee_on_two_lines_is_refused_where_it_is(tmp_path):
    files = form_files()
    files["scores/form/2024-Q3.yaml"] = scores("2024-Q3").replace(
        "units:\n", "", 1
    ).replace(
        "notice: {date: 2024-10-12, number: 测考办〔2024〕3号}\n",
        "notice:\n  date: 2024-10-12\n  addressee: |\n    各乡镇人民政府\n    县直各部门\nunits:\n",
    )
    code, out = check_output(make_project(tmp_path, files))
    assert code != 0
    assert ("scores/form/2024-Q3.yaml:7:14: 这里只能写一行文字，实际写了 2 行 — "
            "请把各行合成一行，几项之间用顿号或逗号隔开，如“各乡镇人民政府，县直各部门”") in out


def test_misspelt_site_notice_key_is_refused(tmp_path):
    code, out = check_output(make_project(tmp_path, form_files(SITE.replace("addressee", "adressee"))))
    assert code != 0
    assert "site.yaml:5:3:" in out and "adressee" in out and "addressee" in out.split("adressee", 1)[1]


# ---------------------------------------------------------------- print (Chromium)


@pytest.mark.browser
def test_a4_print_has_the_form_and_no_web_only_lines(site, open_page):
    if shutil.which("pdftotext") is None:
        from browser_fixtures import missing

        missing("pdftotext (poppler-utils) is not installed")
    page = open_page((site / "notices/form/2024-Q3/index.html").as_uri(), width=1280)
    pdf = site.parent / "q3.pdf"
    page.pdf(path=str(pdf), format="A4")
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    at = lines.index("附件： 1. 一组考核结果")  # the label beside the first item, the rest under it
    assert lines[at + 1: at + 5] == [
        "2. 二组考核结果", "3. 考核结果表（CSV 格式，Excel 可打开）",
        "4. 考核结果表（Excel 工作簿）", "5. 考核结果数据（JSON 格式）",
    ]
    assert lines[at - 1] == "各乡镇人民政府，县直各部门："
    assert lines[at + 5: at + 7] == ["测试县考核办", "2024年10月12日"]  # 落款, then 成文日期 under it
    signoff_line = next(ln for ln in text.splitlines() if ln.strip() == "2024年10月12日")
    assert len(signoff_line) - len(signoff_line.lstrip()) > 40  # right-aligned on the page
    assert "本页网址：https://kaohe.example.gov.cn/site/notices/form/2024-Q3/" in text.replace("\n", "")
    assert "点击单位名称" not in text and "字号" not in text


def test_a_body_that_signs_off_itself_is_not_signed_again(tmp_path):
    """A body copied from the paper notice ends with the organ and the date: no second 落款."""
    files = form_files()
    files["content/notices/q3.md"] = "各单位：\n\n现将结果通报如下。\n\n测试县考核办\n\n2024年10月12日\n"
    files["content/notices/q2.md"] = "各单位：\n\n现将结果通报如下。本办于2024年7月10日考核。\n"
    files["scores/form/2024-Q3.yaml"] = scores("2024-Q3", ", body: notices/q3.md")
    files["scores/form/2024-Q2.yaml"] = scores("2024-Q2", ", body: notices/q2.md")
    out = built_site(make_project(tmp_path, files))
    q3 = main_html(out, "notices/form/2024-Q3")
    assert 'class="signoff"' not in q3
    assert visible(q3[q3.index('<div class="prose">'): q3.index('<div class="attachments">')]) == (
        "各单位： 现将结果通报如下。 测试县考核办 2024年10月12日"
    )
    q2 = main_html(out, "notices/form/2024-Q2")  # a date inside a sentence is no sign-off
    assert q2.count('<div class="signoff">') == 1


def test_a_tie_included_beyond_the_share_is_explained(tmp_path):
    """二组 Q3 with v2 and v3 tied at 88: 30 % of 7 is 2 places, the tie at the 2nd place takes both."""
    files = form_files()
    files["schemes/form/2024.yaml"] = SCHEME.replace("select: {share: 0.3}}", "select: {share: 0.3}, ties: include}")
    files["scores/form/2024-Q3.yaml"] = scores("2024-Q3").replace("v3: {facts: {work: 87}}", "v3: {facts: {work: 88}}")
    out = built_site(make_project(tmp_path, files))
    _, g2 = honours_text(out, "notices/form/2024-Q3")
    assert ("优秀：二组单位1、二组单位2、二组单位3 名额按本组单位数的30%确定：本组共7个单位，7 × 30% = 2.1，"
            "向下取整，取2名；名额末位并列的一并入选，共3名") in g2


def test_the_export_has_the_issuer_the_addressee_places_and_streaks(site):
    root = site.parent
    result = CliRunner().invoke(main, ["export", "form", "2024-Q3", "--root", str(root), "--as-of", "2026-01-01"])
    assert result.exit_code == 0, result.output
    html = (root / "_export/form/2024-Q3/index.html").read_text("utf-8")
    text = visible(html)
    assert text.startswith("通报 测试县考核办 关于2024年第三季度公文格式测试考核结果的通报 测考办〔2024〕3号 各乡镇人民政府，县直各部门：")
    assert "流动红旗：一组单位1（连续3个季度获得）" in text
    assert "名额按本组单位数的30%确定：本组共7个单位，7 × 30% = 2.1，向下取整，取2名" in text
    assert re.search(r'text-align:right;">测试县考核办</p>\n<p[^>]*text-align:right;">2024年10月12日</p>', html)


def test_index_number_in_the_document_details_only_when_given(site):
    q1 = main_html(site, "notices/form/2024-Q1")
    meta = visible(q1[q1.index('<dl class="meta">'): q1.index("</dl>")])
    assert meta == ("发布机关 测试县考核办 文号 测考办〔2024〕1号 发布日期 2024年4月10日 索引号 000000001/2024-00001 "
                    "考核期 2024年第一季度 考核依据 公文格式测试办法")
    assert "索引号" not in main_html(site, "notices/form/2024-Q3")


def test_a_body_opening_with_its_own_addressee_is_warned(tmp_path):
    files = form_files()
    files["content/notices/q3.md"] = "\n各单位：\n\n现将结果通报如下。\n"
    files["scores/form/2024-Q3.yaml"] = scores("2024-Q3", ", body: notices/q3.md")
    files["content/notices/q2.md"] = "各单位：\n\n现将结果通报如下。\n"
    files["scores/form/2024-Q2.yaml"] = scores("2024-Q2", ", addressee: 县直各单位, body: notices/q2.md")
    files["content/notices/q1.md"] = "根据考核办法，现将结果通报如下：\n\n一、……\n"  # a sentence, not an addressee
    files["scores/form/2024-Q1.yaml"] = scores("2024-Q1", ", body: notices/q1.md")
    code, out = check_output(make_project(tmp_path, files))
    assert code == 0, out  # a warning: the notice still builds
    assert ("content/notices/q3.md:2:1: 警告：正文的第一行“各单位：”已是主送，又设置了主送“各乡镇人民政府，县直各部门：”"
            "（site.yaml 的 notice.addressee），通报上会出现两次 — 删除正文的第一行，或删除 site.yaml 的 notice.addressee") in out
    assert ("content/notices/q2.md:1:1: 警告：正文的第一行“各单位：”已是主送，又设置了主送“县直各单位”"
            "（scores/form/2024-Q2.yaml 的 notice.addressee），通报上会出现两次 — 删除正文的第一行，或删除 该期的 notice.addressee") in out
    assert "q1.md" not in out
