"""A score card's lines and its lost/gained items are made in Python (card_lines.py, issue 10):
the same bytes as the template markup they replaced, every piece of data escaped."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D
from pathlib import Path
from types import SimpleNamespace

import pytest
from scratch import SCHEME, SCORES, UNITS, built_site, make_project

from site_builder.site.present.card_views import CardResult, EventView, LineView
from site_builder.site.present.card_why import WhyItem
from site_builder.site.present.render import make_environment

THEME = Path(__file__).resolve().parents[2] / "theme"

# The template markup as it was before the lines were made in Python: the specification.
LINES_AS_TEMPLATE = """\
{% set colon, semi, lp, rp, clause_words = t("p.colon"), t("p.semi"), t("p.lp"), t("p.rp"), t("card.clause") %}
{% for l in lines if l.id not in hidden %}
<li class="d{{ l.depth }}{% if not l.is_leaf %} sub{% endif %}" id="line-{{ l.id }}">
<div class="lh">{% if l.is_leaf %}{{ l.name }}{% else %}<strong>{{ l.name }}</strong>{% endif %} <span class="lp">\
{% if l.points is none %}—{% else %}<strong>{% if l.type == "adjustment" and l.points > 0 %}+{% endif %}{{ l.points|pts }}\
</strong>{% endif %}<small> / {% if l.uncapped %}{{ t("max.uncapped") }}{% else %}{{ max_text(l.type, l.max) }}{% endif %}\
</small>{% if not l.counts %} <span class="mark mark-display-only">{{ t("card.display_only") }}</span>{% endif %}</span></div>
{% if l.is_leaf %}
{% if l.steps %}
<ul class="steps">{% for s in l.steps %}<li>{{ s }}</li>{% endfor %}</ul>
{% endif %}
{% if l.events %}
<ul class="events" aria-label="{{ t('card.events') }}">
{% for e in l.events %}
{% set text, note = (e.text, e.note) if e.text or e.person else (e.note or "", none) %}\
<li>{% if e.date %}<time datetime="{{ e.date.isoformat() }}">{{ e.date|date }}</time> {% endif %}{{ text }}\
{% if e.person %}{{ lp }}{{ e.person }}{{ rp }}{% endif %}\
{% if e.count != 1 %}{% if text or e.person %}{{ t("p.comma") }}{% endif %}{{ t("card.event.count", n=e.count) }}{% endif %}\
{% if e.points is not none %}{% if text or e.person or e.count != 1 %}{{ t("p.comma") }}{% endif %}{{ t("card.event.points", n=e.points|num) }}{% endif %}\
{% if note %}{% if text or e.person or e.count != 1 or e.points is not none %}{{ t("p.semi") }}{% endif %}{{ note }}{% endif %}</li>
{% endfor %}
</ul>
{% endif %}
{% if l.note %}
<p>{{ t("card.note", note=l.note) }}</p>
{% endif %}
{% if l.peers %}
<p class="peer">{{ l.peers }}</p>
{% endif %}
{% if l.clip %}
<p class="clip">{{ t("card.clipped." ~ l.clip_kind, note=l.clip) }}{% if l.raw is not none %}{{ lp }}\
{{ t("card.raw", raw=l.raw|pts) }}{{ rp }}{% endif %}</p>
{% endif %}
<p class="clause-link"><a href="{{ url(l.clause) }}">{{ clause_words }}<span class="vh">{{ colon }}{{ l.name }}</span></a></p>
{% elif l.clip %}
<p class="clip">{{ t("card.clipped." ~ l.clip_kind, note=l.clip) }}{% if l.raw is not none %}{{ lp }}\
{{ t("card.raw", raw=l.raw|pts) }}{{ rp }}{% endif %}</p>
{% endif %}
</li>
{% endfor %}
"""

WHY_AS_TEMPLATE = """\
{% set colon, semi = t("p.colon"), t("p.semi") %}
{% for i in items %}
<li><a href="#line-{{ i.id }}">{{ i.name }}</a>{{ colon }}{% if i.facts %}{{ i.facts }}{{ semi }}{% endif %}\
<strong>{{ t(key, n=i.points|pts) }}</strong></li>
{% endfor %}
"""

HOSTILE = '<script>alert("x")</script> & \'引号\''
DOC = "schemes/demo/2024/index.html"


def _line(id: str, **kw) -> LineView:
    base = {"id": id, "name": "工作推进", "depth": 1, "type": "score", "max": D("10.00"), "points": D("9.50"), "raw": None,
                "status": "scored", "is_leaf": True, "clip": None, "clip_kind": None, "steps": (), "events": (), "note": None,
                "evidence": None, "clause": f"{DOC}#ind-{id}", "disqualified": False}
    base.update(kw)
    return LineView(**base)


LINES = (
    _line("top", name=f"党建{HOSTILE}", depth=0, is_leaf=False, points=D(18), max=D(20)),
    _line("plain", steps=("评分 9.5 分", HOSTILE), peers="本组中位数 9 分，最高 10 分"),
    _line("none", points=None, steps=(), max=None),
    _line("adj+", type="adjustment", points=D("2.50"), max=D(3), note=f"说明{HOSTILE}"),
    _line("adj-", type="adjustment", points=D(-1), max=None, uncapped=True, counts=False),
    _line("zero", type="bonus", points=D(0), max=None),
    _line("tiny", points=D("9.666666"), max=D(10)),
    _line("clip", type="deduction", points=D(-5), max=D(5), raw=D("-7.0"), clip="超过上限，按上限计",
          clip_kind="max", steps=("7 次 × 1 分 = 7 分",)),
    _line("clip-noraw", type="bonus", points=D(4), max=D(4), clip=f"封{HOSTILE}", clip_kind="cap"),
    _line("sub-clip", depth=0, is_leaf=False, points=D(0), max=D(10), raw=D(-2), clip="保底 0 分", clip_kind="floor"),
    _line("events", type="deduction", points=D(-3), max=D(5), steps=("3 次",), events=(
        EventView(dt.date(2024, 2, 1), "迟到", "张*", 1, None, None, None),
        EventView(None, "", None, 2, D("1.50"), "群众反映", None),
        EventView(dt.date(2024, 3, 9), HOSTILE, f"李{HOSTILE}", 3, D(0), HOSTILE, "证据"),
        EventView(None, "缺岗", None, 1, None, "已整改", None),
    )),
    _line("hidden-one", name="不该出现"),
    _line(f"id{HOSTILE}", clause=f"{DOC}#ind-{HOSTILE}"),
    _line("far", clause="https://example.org/a?b=1&c=2"),
)


@pytest.mark.parametrize("locale", ["zh-CN", "en"])
@pytest.mark.parametrize("url_root", [None, "/site/"])
def test_lines_are_the_bytes_the_template_made(locale, url_root):
    env = make_environment(THEME / "templates", {"locale": locale})
    page = SimpleNamespace(path="units/a1/demo/2024-Q1/index.html")
    ctx = {"lines": LINES, "hidden": ("hidden-one", "nothing"), "page": page, "url_root": url_root}
    want = env.from_string(LINES_AS_TEMPLATE).render(ctx)
    got = env.from_string("{{ card_lines(lines, hidden) }}").render(ctx)
    assert got == want
    assert got.count("<li class=") == len(LINES) - 1 and "不该出现" not in got


def test_a_line_in_words_hand_checked():
    env = make_environment(THEME / "templates", {"locale": "zh-CN"})
    page = SimpleNamespace(path="units/a1/demo/2024-Q1/index.html")
    got = env.from_string("{{ card_lines(lines, ()) }}").render(lines=(LINES[7], LINES[3]), page=page)
    assert got == (
        '<li class="d1" id="line-clip">\n'
        '<div class="lh">工作推进 <span class="lp"><strong>-5</strong><small> / 最多扣 5 分</small></span></div>\n'
        '<ul class="steps"><li>7 次 × 1 分 = 7 分</li></ul>\n'
        '<p class="clip">封顶：超过上限，按上限计（计算值 -7 分）</p>\n'
        '<p class="clause-link"><a href="../../../../schemes/demo/2024/index.html#ind-clip">考核办法原文'
        '<span class="vh">：工作推进</span></a></p>\n'
        '</li>\n'
        '<li class="d1" id="line-adj+">\n'
        '<div class="lh">工作推进 <span class="lp"><strong>+2.5</strong><small> / 最多加减 3 分</small></span></div>\n'
        '<p>说明：说明&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; &#39;引号&#39;</p>\n'
        '<p class="clause-link"><a href="../../../../schemes/demo/2024/index.html#ind-adj+">考核办法原文'
        '<span class="vh">：工作推进</span></a></p>\n'
        '</li>\n'
    )



def test_an_event_without_a_title_reads_as_a_sentence():
    """An event with a date, points and a note but no title: the note says what happened, and no
    separator stands where nothing came before it (it read “2025年1月3日 ，-3 分暗访发现”)."""
    env = make_environment(THEME / "templates", {"locale": "zh-CN"})
    page = SimpleNamespace(path="units/a1/demo/2024-Q1/index.html")
    events = (
        EventView(dt.date(2025, 1, 3), "", None, 1, D(-3), "暗访发现", None),
        EventView(None, "", None, 2, D("1.50"), None, None),
        EventView(dt.date(2025, 1, 4), "", "张*", 1, None, "缺岗", None),
    )
    line = _line("ev", type="deduction", points=D(-3), max=D(5), events=events)
    got = env.from_string("{{ card_lines(lines, ()) }}").render(lines=(line,), page=page)
    items = got.split('<ul class="events"', 1)[1].split(">\n", 1)[1].split("</ul>")[0]
    assert items == (
        '<li><time datetime="2025-01-03">2025年1月3日</time> 暗访发现，-3 分</li>\n'
        "<li>2 次，1.50 分</li>\n"
        '<li><time datetime="2025-01-04">2025年1月4日</time> （张*）；缺岗</li>\n'
    )

ITEMS = (
    WhyItem("late", "迟到", f"{DOC}#ind-late", "迟到 3 次", D("1.50")),
    WhyItem(f"x{HOSTILE}", HOSTILE, f"{DOC}#ind-x", HOSTILE, D("0.333333")),
    WhyItem("work", "工作推进", f"{DOC}#ind-work", "", D(2)),
)


@pytest.mark.parametrize("locale", ["zh-CN", "en"])
@pytest.mark.parametrize("key", ["card.why.item_lost", "card.why.item_gained"])
def test_lost_and_gained_items_are_the_bytes_the_template_made(locale, key):
    env = make_environment(THEME / "templates", {"locale": locale})
    want = env.from_string(WHY_AS_TEMPLATE).render(items=ITEMS, key=key)
    got = env.from_string("{{ card_why_items(items, key) }}").render(items=ITEMS, key=key)
    assert got == want
    assert "<script>" not in got and "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; &#39;引号&#39;" in got


def test_text_equal_to_markup_is_escaped_all_the_same():
    """The escapes are remembered; a Markup equal to a plain string must not make it pass unescaped."""
    from markupsafe import Markup

    env = make_environment(THEME / "templates", {"locale": "zh-CN"})
    page = SimpleNamespace(path="index.html")
    trusted = _line("a", steps=(Markup("<b>粗</b>"),))
    data = _line("b", steps=("<b>粗</b>",))
    got = env.from_string("{{ card_lines(lines, ()) }}").render(lines=(trusted, data), page=page)
    assert "<li><b>粗</b></li>" in got and "<li>&lt;b&gt;粗&lt;/b&gt;</li>" in got


def test_hostile_unit_and_indicator_names_come_out_escaped_on_the_card(tmp_path):
    bad = "<script>alert(1)</script>&amp"
    units = UNITS.replace("{id: a1, name: 发改委}", f"{{id: a1, name: '发改委{bad}'}}")
    scheme = SCHEME.replace("    name: 值守纪律\n", f"    name: '值守纪律{bad}'\n")
    scores = SCORES.replace("duty: {events: [{date: 2024-02-01, note: 缺岗}]}",
                            f"duty: {{events: [{{date: 2024-02-01, note: '缺岗{bad}'}}]}}")
    assert units != UNITS and scheme != SCHEME and scores != SCORES
    site = built_site(make_project(tmp_path, {"units/units.yaml": units, "schemes/demo/2024.yaml": scheme,
                                              "scores/demo/2024-Q1.yaml": scores}))
    a1 = (site / "units/a1/demo/2024-Q1/index.html").read_text("utf-8")
    a2 = (site / "units/a2/demo/2024-Q1/index.html").read_text("utf-8")
    escaped = "&lt;script&gt;alert(1)&lt;/script&gt;&amp;amp"
    assert "<script>alert" not in a1 and "<script>alert" not in a2
    assert f"<h1>发改委{escaped}" in a1
    line = '<li class="d0" id="line-duty">\n<div class="lh">值守纪律' + escaped
    assert line in a1 and line in a2
    assert f'<span class="vh">：值守纪律{escaped}</span>' in a1
    assert f'<li><time datetime="2024-02-01">2024年2月1日</time> 缺岗{escaped}</li>' in a2
    assert f'<ul class="steps"><li>缺岗{escaped}：1 次 × 1 分 = 1 分</li>' in a2


def test_the_cards_result_is_every_figure_of_the_units_result_but_its_lines():
    """The card's ``result`` leaves out only the lines (shown as ``lines``; two thirds of a card's key)."""
    from dataclasses import fields

    from site_builder.scoring.results import UnitResult, VetoResult

    assert CardResult._fields == tuple(f.name for f in fields(UnitResult) if f.name != "lines")
    veto = VetoResult("v", "被通报", "zero", "原因", dt.date(2024, 3, 1))
    u = UnitResult("a1", "g", "assessed", None, (LINES[1],), D("80.5"), D(2), D(-1), D(1), D("81.5"), D("81.50"),
                   D(100), (veto,), ("工作推进",), "说明", D("0.5"))
    card = CardResult.of(u)
    assert card == ("a1", "g", "assessed", None, D("80.5"), D(2), D(-1), D(1), D("81.5"), D("81.50"), D(100),
                    (veto,), ("工作推进",), "说明", D("0.5"))
    assert all(getattr(card, k) == getattr(u, k) for k in CardResult._fields)
