"""What a score card repeats on every line, worked out once and reused (issue 10): the same
words as working it out each time, input and expected output side by side."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, localcontext
from decimal import Decimal as D
from pathlib import Path

import pytest
from scratch import SCHEME, built_site, make_project

from site_builder import messages
from site_builder.scoring.rules.base import SHOWN_PLACES, Step, fmt, step
from site_builder.site.present.card_why import LineStat, stat_text
from site_builder.site.present.render import make_environment, pts
from site_builder.site.urls import relative

THEME = Path(__file__).resolve().parents[2] / "theme"


def _plain_pts(value: D) -> str:
    """The points filter as it was written first (the specification of the faster one)."""
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -4 and value != value.quantize(D("0.0001")):
        return "≈" + _plain_pts(value.quantize(D("0.01"), rounding=ROUND_HALF_UP))
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


@pytest.mark.parametrize(
    ("value", "text"),
    [
        ("-0.00", "0"),
        ("0E-7", "0"),
        ("1E+2", "100"),
        ("12.300000", "12.3"),
        ("0.00010", "0.0001"),
        ("-0.000001", "≈0"),
        ("0.005", "0.005"),
        ("0.123456", "≈0.12"),
        ("-7.50", "-7.5"),
    ],
)
def test_points_text_edges(value, text):
    assert pts(D(value)) == text


def test_points_text_says_what_the_plain_filter_said():
    digits = ["0", "5", "10", "125", "99999", "3333333"]
    values = [D(f"{sign}{d}E{e}") for sign in ("", "-") for d in digits for e in range(-9, 3)]
    assert len(values) == 144
    for v in values:
        assert pts(v) == _plain_pts(v), v


def _plain_fmt(d: D) -> str:
    """The explanation's figures as first written, every value in a context of its own."""
    with localcontext() as ctx:
        ctx.prec = max(ctx.prec, d.adjusted() + SHOWN_PLACES + 2)
        if d == d.to_integral_value():
            return format(d.quantize(D(1)), "f")
        text = format(d.normalize(), "f")
        if len(text.partition(".")[2]) > SHOWN_PLACES:
            return "≈" + format(d.quantize(D(1).scaleb(-SHOWN_PLACES)).normalize(), "f")
        return text


@pytest.mark.parametrize(
    ("value", "text"),
    [("10.00", "10"), ("-0.0", "-0"), ("2.50", "2.5"), ("0.1250", "0.125"), ("1E+3", "1000"),
     ("0.33333", "≈0.3333"), ("12.000010", "≈12")],
)
def test_explanation_figures(value, text):
    assert fmt(D(value)) == text


def test_explanation_figures_say_what_the_plain_function_said():
    coefficients = ["0", "1", "5", "10", "125", "99999", "3333333", "1234567890123456789012345678901234"]
    values = [D(f"{sign}{c}E{e}") for sign in ("", "-") for c in coefficients for e in range(-40, 5)]
    values += [D(1) / D(3), D(200) / D(3), D("123456789012345678901234567890.5")]
    for v in values:
        assert fmt(v) == _plain_fmt(v), v


@pytest.fixture(scope="module")
def zh():
    return make_environment(THEME / "templates", {"locale": "zh-CN"})


@pytest.mark.parametrize(
    ("type_", "max_", "text"),
    [
        ("score", D("10.00"), "10 分"),
        ("bonus", D("5.0"), "最多加 5 分"),
        ("deduction", D("2.50"), "最多扣 2.5 分"),
        ("adjustment", D(3), "最多加减 3 分"),
        ("score", None, "—"),
        ("bonus", None, "不设上限"),
        ("deduction", None, "不设上限"),
        ("adjustment", None, "不设上限"),
    ],
)
def test_max_text(zh, type_, max_, text):
    assert zh.from_string("{{ max_text(k, m) }}").render(k=type_, m=max_) == text


def test_max_text_in_english():
    en = make_environment(THEME / "templates", {"locale": "en"})
    page = en.from_string("{{ max_text('bonus', m) }} / {{ max_text('score', m) }}").render(m=D("4.50"))
    assert page == "bonus, at most 4.5 / 4.5 points"


def test_t_is_escaped_once_and_refuses_an_unknown_key(zh):
    assert zh.from_string('{{ t("max.score", max=v) }}{{ t("p.colon") }}').render(v="<b>&") == "&lt;b&gt;&amp; 分："
    with pytest.raises(RuntimeError, match="unknown UI string 'no.such.key'"):
        zh.from_string('{{ t("no.such.key") }}').render()


def test_relative_links_from_one_page_keep_their_fragments():
    page = "units/a1/demo/2024-Q1/index.html"
    assert relative(page, "schemes/demo/2024/index.html#ind-work") == "../../../../schemes/demo/2024/index.html#ind-work"
    assert relative(page, "schemes/demo/2024/index.html#ind-duty") == "../../../../schemes/demo/2024/index.html#ind-duty"
    assert relative("units/a1/index.html", "schemes/demo/2024/index.html#ind-duty") == "../../schemes/demo/2024/index.html#ind-duty"


def test_a_step_said_again_is_the_same_sentence_and_equal_values_of_other_types_are_not_mixed_up():
    first = step("explain.tally_count_limit", recorded=5, limit=3, over=2)
    assert first.render("zh-CN") == "共记录 5 次，按规定至多计 3 次，其余 2 次不计分"
    assert step("explain.tally_count_limit", recorded=5, limit=3, over=2).render("zh-CN") == first.render("zh-CN")
    assert first.render("en") == "5 recorded; at most 3 count, the other 2 are not scored"
    # equal to the first (True == 1, D("2.0") == 2) but printed differently: never the cached text
    assert step("explain.tally_count_limit", recorded=5, limit=3, over=True).render("zh-CN").endswith("其余 True 次不计分")
    assert step("explain.tally_count_limit", recorded=5, limit=3, over=D("2.0")).render("zh-CN").endswith("其余 2.0 次不计分")
    # a quoted line break stays on one line, cached or not
    assert Step("explain.tally_skipped_lower", (("name", "a\nb"),)).render("zh-CN").count("\n") == 0


def test_the_first_half_of_a_message_is_what_render_gives():
    m = messages.get("explain.tally_count_limit")
    params = {"recorded": 4, "limit": 1, "over": 3}
    for locale in ("zh-CN", "en"):
        assert m.what(locale, params) == m.render(locale, params)[0]
    assert messages._fmt("满分}}以内", {"x": 1}) == "满分}以内"  # str.format's own unescaping, kept
    assert messages._fmt("无参数", {"x": 1}) == "无参数"


def test_group_figures_in_words_depend_on_the_values_only():
    assert stat_text("score", LineStat(D("8.5625"), D("9.50"), 4), "zh-CN") == "本组中位数 8.5625 分，最高 9.5 分"
    assert stat_text("score", LineStat(D("8.56250"), D("9.5"), 3), "zh-CN") == "本组中位数 8.5625 分，最高 9.5 分"
    assert stat_text("deduction", LineStat(D("-0.25"), D(0), 4), "zh-CN") == "本组扣分中位数 0.25 分，最少 0 分"
    assert stat_text("adjustment", LineStat(D("0.5"), D(2), 4), "zh-CN") == "本组中位数 +0.5 分，最高 +2 分"
    assert stat_text("score", LineStat(D("8.5625"), D("9.5"), 4), "en") == "group median 8.5625, best 9.5"
    assert stat_text("score", None, "zh-CN") is None


RATES = SCHEME.replace(
    "    rule: {kind: per_occurrence, per: 1, cap: 3}\n",
    "    rule:\n"
    "      kind: per_occurrence\n"
    "      cap: 3\n"
    "      rates:\n"
    "        - {id: late, name: 迟到早退, per: 1}\n"
    "        - {id: absent, name: 脱岗, per: 2}\n",
)
RATE_SCORES = """\
scheme: demo
version: "2024"
period: 2024-Q1
status: published
notice: {date: 2024-04-10, number: 测〔2024〕1号}
units:
  a1:
    facts:
      work: 9.5
      duty: [{rate: absent}, {rate: late, date: 2024-02-01}]
  a2:
    facts:
      work: 10
      duty: [{rate: late, note: 晨会迟到}]
  a3:
    facts: {work: 8, duty: []}
"""


def test_an_event_recorded_by_its_rate_alone_is_named_by_the_rate(tmp_path):
    assert RATES != SCHEME
    site = built_site(make_project(tmp_path, {"schemes/demo/2024.yaml": RATES, "scores/demo/2024-Q1.yaml": RATE_SCORES}))
    a1 = (site / "units/a1/demo/2024-Q1/index.html").read_text("utf-8")
    events = a1[a1.index('<ul class="events"'):]
    events = events[: events.index("</ul>")]
    assert "<li>脱岗</li>" in events
    assert '<li><time datetime="2024-02-01">2024年2月1日</time> 迟到早退</li>' in events
    a2 = (site / "units/a2/demo/2024-Q1/index.html").read_text("utf-8")
    assert "迟到早退</li>" not in a2  # a note of its own: the note, not the rate's name
