"""Write a Hugo site equivalent to our build of a project, for the speed comparison.

    python benchmarks/hugo_site.py PROJECT OUT

The results are computed in-process by site_builder's own pipeline
(``pipeline.check``, published periods only, as ``build`` does), so both sites
show the same figures.  Hugo gets them as *data*, not as HTML: one content file
per page with JSON front matter (the rows of its tables, every line of a score
card with its explanation) and a handful of layouts that loop over them, so
Hugo does the templating, escaping and writing work itself.

Pages, as in our site:

- home (``/``), ``404.html``, the archive (``/archive/``, ``/archive/<scheme>/``);
- one notice per period (``/notices/<scheme>/<period>/``): one ranking table
  per group (rank, unit, total, cumulative total, honours, veto), the honours;
- one score card per unit and period (``/units/<unit>/<scheme>/<period>/``):
  the summary and every line of the indicator tree with its explanation steps;
- one page per unit (``/units/<unit>/``): its total, rank and cumulative
  total in every period;
- one page per scheme version (``/schemes/<scheme>/<version>/``): the
  indicator tree and the groups; one page per group (``/groups/<scheme>/<group>/``).

Not reproduced: downloads (CSV/JSON/XLSX), the search index, charts and the
manifest — the comparison table counts HTML pages only.  Figures are passed as
the strings our pages print (``70.60``), so Hugo does no number formatting.
"""

from __future__ import annotations

import argparse
import json
import shutil
from decimal import Decimal
from pathlib import Path

LOCALE = "zh-CN"

CONFIG = """\
baseURL = "https://example.org/"
languageCode = "zh-CN"
defaultContentLanguage = "zh"
title = {title}
disableKinds = ["taxonomy", "term", "section", "sitemap", "robotsTXT"]
enableGitInfo = false
[outputs]
  home = ["html", "rss"]
  page = ["html"]
[markup.goldmark.renderer]
  unsafe = false
"""

BASEOF = """\
<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ .Title }} - {{ site.Title }}</title>
<link rel="stylesheet" href="{{ "site.css" | relURL }}">
</head>
<body>
<a class="skip" href="#main">跳到正文</a>
<header><a href="{{ "/" | relURL }}">{{ site.Title }}</a>
<nav><a href="{{ "/" | relURL }}">首页</a> <a href="{{ "/archive/" | relURL }}">历次通报</a></nav>
<p class="sample">示例数据，非真实考核结果</p></header>
<main id="main">
{{ block "main" . }}{{ end }}
</main>
<footer><p>发布机关：{{ site.Params.organisation }}</p><p>示例数据，非真实考核结果</p>
<a href="#top">返回页首</a></footer>
</body>
</html>
"""

HOME = """\
{{ define "main" }}
<h1>{{ site.Title }}</h1>
<h2>最新通报</h2>
<ul class="notices">
{{ range (where site.RegularPages "Type" "notice").ByDate.Reverse }}
<li><a href="{{ .RelPermalink }}">{{ .Title }}</a> <span>{{ .Params.number }}</span> <time>{{ .Date.Format "2006-01-02" }}</time></li>
{{ end }}
</ul>
<h2>组别</h2>
<ul class="groups">
{{ range (where site.RegularPages "Type" "group") }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>{{ end }}
</ul>
{{ end }}
"""

ARCHIVE = """\
{{ define "main" }}
<h1>{{ .Title }}</h1>
<table><thead><tr><th>考核期</th><th>文号</th><th>发布日期</th></tr></thead><tbody>
{{ range (where site.RegularPages "Type" "notice").ByDate.Reverse }}
<tr><td><a href="{{ .RelPermalink }}">{{ .Params.period }}</a></td><td>{{ .Params.number }}</td><td>{{ .Date.Format "2006-01-02" }}</td></tr>
{{ end }}
</tbody></table>
{{ end }}
"""

NOTICE = """\
{{ define "main" }}
<article class="notice">
<h1>{{ .Title }}</h1>
<p class="number">{{ .Params.number }}</p>
{{ with .Params.honours }}<section class="honours"><h2>表彰与通报</h2><ul>
{{ range . }}<li>{{ .name }}（{{ .group }}）：{{ delimit .units "、" }}</li>{{ end }}
</ul></section>{{ end }}
{{ range .Params.groups }}
<section class="group"><h2>{{ .name }}</h2>
<table><caption>{{ .name }}得分排名（本组中位数 {{ .median }} 分）</caption>
<thead><tr><th scope="col">名次</th><th scope="col">单位</th><th scope="col">总分</th><th scope="col">年度累计</th><th scope="col">表彰/处理</th></tr></thead>
<tbody>
{{ range .rows }}<tr{{ if .veto }} class="vetoed"{{ end }}><td>{{ .rank }}{{ if .tied }}（并列）{{ end }}</td><th scope="row"><a href="{{ .url | relURL }}">{{ .name }}</a></th><td>{{ .total }}</td><td>{{ .cumulative }}</td><td>{{ delimit .honours "、" }}{{ with .veto }}一票否决：{{ . }}{{ end }}</td></tr>
{{ end }}
</tbody></table>
{{ with .unranked }}<p>不参加排名：{{ range . }}{{ .name }}（{{ .reason }}） {{ end }}</p>{{ end }}
</section>
{{ end }}
<p class="issuer">{{ site.Params.organisation }}<br>{{ .Date.Format "2006年1月2日" }}</p>
</article>
{{ end }}
"""

CARD = """\
{{ define "main" }}
<nav class="crumbs"><a href="{{ "/" | relURL }}">首页</a> › <a href="{{ .Params.notice | relURL }}">{{ .Params.period }}</a> › {{ .Params.unit }}</nav>
<h1>{{ .Title }}</h1>
<section class="summary"><h2>得分概要</h2><dl>
<dt>组别</dt><dd><a href="{{ .Params.group_url | relURL }}">{{ .Params.group }}</a></dd>
<dt>总分</dt><dd>{{ .Params.total }} 分（满分 {{ .Params.max_total }} 分）</dd>
<dt>组内名次</dt><dd>{{ with .Params.rank }}第 {{ . }} 名{{ end }}（共 {{ .Params.of }} 个单位）</dd>
<dt>本组中位数</dt><dd>{{ .Params.median }}</dd>
<dt>年度累计得分（{{ .Params.period }}）</dt><dd>{{ .Params.cumulative }}</dd>
{{ with .Params.honours }}<dt>表彰/处理</dt><dd>{{ delimit . "、" }}</dd>{{ end }}
{{ range .Params.vetoes }}<dt>一票否决</dt><dd>{{ .name }}：{{ .reason }}</dd>{{ end }}
</dl>
<p>本期通报：<a href="{{ .Params.notice | relURL }}">{{ .Params.notice_title }}</a></p>
<p><a href="{{ .Params.unit_url | relURL }}">本单位历次得分</a></p>
</section>
<section class="lines"><h2>逐项得分</h2>
<ol class="tree">
{{ range .Params.lines }}
<li class="line depth-{{ .depth }} {{ .type }}" id="{{ .id }}">
<h3>{{ .name }}</h3>
<p class="pts">得分：<strong>{{ .points }}</strong> / {{ if eq .type "bonus" }}加分，最多 {{ .max }} 分{{ else if eq .type "deduction" }}扣分，最多 {{ .max }} 分{{ else }}{{ .max }} 分{{ end }}</p>
{{ with .steps }}<ul class="steps">{{ range . }}<li>{{ . }}</li>{{ end }}</ul>{{ end }}
{{ with .clip }}<p class="clip">{{ . }}</p>{{ end }}
{{ if .leaf }}<p class="clause"><a href="{{ $.Params.scheme_url | relURL }}#{{ .id }}">考核办法原文</a>：{{ .name }}</p>{{ end }}
</li>
{{ end }}
</ol></section>
{{ end }}
"""

UNIT = """\
{{ define "main" }}
<h1>{{ .Title }}</h1>
<p>组别：<a href="{{ .Params.group_url | relURL }}">{{ .Params.group }}</a></p>
<table><caption>{{ .Title }}历次得分</caption>
<thead><tr><th scope="col">考核期</th><th scope="col">总分</th><th scope="col">组内名次</th><th scope="col">年度累计</th></tr></thead>
<tbody>
{{ range .Params.rows }}<tr><th scope="row"><a href="{{ .url | relURL }}">{{ .period }}</a></th><td>{{ .total }}</td><td>{{ .rank }}</td><td>{{ .cumulative }}</td></tr>
{{ end }}
</tbody></table>
{{ end }}
"""

GROUP = """\
{{ define "main" }}
<h1>{{ .Title }}</h1>
<table><caption>{{ .Title }}（{{ .Params.period }}）</caption>
<thead><tr><th scope="col">单位</th><th scope="col">总分</th><th scope="col">组内名次</th></tr></thead>
<tbody>
{{ range .Params.rows }}<tr><th scope="row"><a href="{{ .url | relURL }}">{{ .name }}</a></th><td>{{ .total }}</td><td>{{ .rank }}</td></tr>
{{ end }}
</tbody></table>
{{ end }}
"""

SCHEME = """\
{{ define "main" }}
<h1>{{ .Title }}</h1>
<p>发布机关：{{ .Params.issuer }}；满分 {{ .Params.total }} 分。</p>
<h2>考核指标</h2>
<table><thead><tr><th scope="col">指标</th><th scope="col">分值</th><th scope="col">计分方法</th></tr></thead><tbody>
{{ range .Params.indicators }}<tr id="{{ .id }}" class="depth-{{ .depth }}"><th scope="row">{{ .name }}</th><td>{{ .max }}</td><td>{{ .kind }}</td></tr>
{{ end }}
</tbody></table>
<h2>组别</h2>
{{ range .Params.groups }}<h3>{{ .name }}</h3><p>{{ range .units }}<a href="{{ .url | relURL }}">{{ .name }}</a> {{ end }}</p>{{ end }}
{{ end }}
"""

UNIT_LIST = """\
{{ define "main" }}
<h1>{{ .Title }}</h1>
<table><thead><tr><th scope="col">单位</th><th scope="col">组别</th></tr></thead><tbody>
{{ range (where site.RegularPages "Type" "unit") }}<tr><th scope="row"><a href="{{ .RelPermalink }}">{{ .Title }}</a></th><td>{{ .Params.group }}</td></tr>
{{ end }}
</tbody></table>
{{ end }}
"""

NOT_FOUND = """\
{{ define "main" }}
<h1>页面不存在</h1>
<p><a href="{{ "/" | relURL }}">返回首页</a></p>
{{ end }}
"""

CSS = "body{font:16px/1.6 sans-serif;margin:0 auto;max-width:48rem;padding:0 1rem}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.25rem .5rem}\n"


def _s(value: Decimal | None) -> str:
    """A figure as a plain string (our pages print the same digits)."""
    if value is None:
        return "—"
    return format(value, "f")


def _line(value: Decimal | None) -> str:
    """A line's points as our score card prints them: no trailing zeros (``1``, ``2.5``)."""
    from site_builder.scoring.rules.base import fmt

    return "—" if value is None else fmt(value)


def _front(page: dict) -> str:
    return json.dumps(page, ensure_ascii=False, sort_keys=True, indent=1) + "\n"


def write_hugo_site(project_root: Path, out: Path) -> dict:
    """Write the Hugo site for ``project_root`` into ``out`` (replaced); return counts."""
    from site_builder.pipeline import check

    project, results = check(project_root, include_drafts=False)
    if out.exists():
        shutil.rmtree(out)
    content = out / "content"
    layouts = out / "layouts"
    for d in (content, layouts / "_default", out / "static"):
        d.mkdir(parents=True, exist_ok=True)
    site = project.site
    (out / "hugo.toml").write_text(
        CONFIG.format(title=json.dumps(site.title, ensure_ascii=False))
        + f"[params]\n  organisation = {json.dumps(site.organisation, ensure_ascii=False)}\n",
        encoding="utf-8",
    )
    (out / "static" / "site.css").write_text(CSS, encoding="utf-8")
    (layouts / "_default" / "baseof.html").write_text(BASEOF, encoding="utf-8")
    (layouts / "index.html").write_text(HOME, encoding="utf-8")
    (layouts / "404.html").write_text(NOT_FOUND, encoding="utf-8")
    for kind, text in (
        ("notice", NOTICE),
        ("card", CARD),
        ("unit", UNIT),
        ("group", GROUP),
        ("scheme", SCHEME),
        ("archive", ARCHIVE),
        ("unitlist", UNIT_LIST),
    ):
        (layouts / kind).mkdir(exist_ok=True)
        (layouts / kind / "single.html").write_text(text, encoding="utf-8")
    (content / "_index.md").write_text(_front({"title": site.title}), encoding="utf-8")

    pages = {
        "home": 1,
        "404": 1,
        "archive": 0,
        "notice": 0,
        "card": 0,
        "unit": 0,
        "group": 0,
        "scheme": 0,
        "unitlist": 0,
    }

    def page(rel: str, kind: str, front: dict) -> None:
        path = content / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(_front({"type": kind, **front}), encoding="utf-8")
        pages[kind] += 1

    page("archive/all.md", "archive", {"title": "历次通报", "url": "/archive/"})
    page("unitlist.md", "unitlist", {"title": "单位查询", "url": "/units/"})
    unit_rows: dict[str, list[dict]] = {}
    group_latest: dict[tuple[str, str], list[dict]] = {}
    for scheme_id, versions in project.schemes.items():
        page(
            f"archive/{scheme_id}.md",
            "archive",
            {"title": "历次通报", "url": f"/archive/{scheme_id}/"},
        )
        for version, sv in versions.items():
            indicators = []
            for nodes in sv.indicators.values():
                depth = {}
                for node in nodes.values():
                    for child in node.children or ():
                        depth[child.id] = depth.get(node.id, 0) + 1
                    indicators.append(
                        {
                            "id": node.id,
                            "name": node.name,
                            "depth": depth.get(node.id, 0),
                            "max": _s(node.max),
                            "kind": node.rule.kind if node.rule else "下级之和",
                        }
                    )
            groups = [
                {
                    "name": g.name,
                    "units": [
                        {"name": project.units[u].name, "url": f"/units/{u}/"} for u in g.units
                    ],
                }
                for g in sv.scheme.groups
            ]
            page(
                f"schemes/{scheme_id}-{version}.md",
                "scheme",
                {
                    "title": sv.scheme.title,
                    "url": f"/schemes/{scheme_id}/{version}/",
                    "issuer": sv.scheme.issuer or "",
                    "total": _s(sv.scheme.total),
                    "indicators": indicators,
                    "groups": groups,
                },
            )
    for (scheme_id, period_id), pr in results.items():
        period = next(p for p in project.periods if p.scheme == scheme_id and p.id == period_id)
        sv = project.schemes[scheme_id][period.version]
        group_names = {g.id: g.name for g in sv.scheme.groups}
        notice = period.scores.notice
        notice_url = f"/notices/{scheme_id}/{period_id}/"
        notice_title = f"关于{pr.period_name}{sv.scheme.title}结果的通报"
        honours_of: dict[str, list[str]] = {}
        honours = []
        for h in pr.honours:
            for u in h.chosen:
                honours_of.setdefault(u, []).append(h.name)
            if h.chosen:
                honours.append(
                    {
                        "name": h.name,
                        "group": group_names.get(h.group, h.group),
                        "units": [project.units[u].name for u in h.chosen],
                    }
                )
        main = [r for r in pr.rankings if r.basis == "period"]
        rank_of: dict[str, tuple[int, int, bool]] = {}
        groups = []
        for gr in main:
            rows = []
            for e in gr.entries:
                ur = pr.units[e.unit]
                rank_of[e.unit] = (e.rank, len(gr.entries), e.tied)
                rows.append(
                    {
                        "rank": e.rank,
                        "tied": e.tied,
                        "name": project.units[e.unit].name,
                        "url": f"/units/{e.unit}/{scheme_id}/{period_id}/",
                        "total": _s(ur.total),
                        "cumulative": _s(pr.cumulative.get(e.unit)),
                        "honours": honours_of.get(e.unit, []),
                        "veto": "；".join(v.reason for v in ur.vetoes),
                    }
                )
            groups.append(
                {
                    "name": group_names.get(gr.group, gr.group),
                    "median": _s(pr.group_medians.get(gr.group)),
                    "rows": rows,
                    "unranked": [
                        {"name": project.units[u].name, "reason": why} for u, why in gr.unranked
                    ],
                }
            )
        page(
            f"notices/{scheme_id}/{period_id}.md",
            "notice",
            {
                "title": notice_title,
                "url": notice_url,
                "period": pr.period_name,
                "date": (notice.date if notice and notice.date else pr.end).isoformat(),
                "number": (notice.number if notice else "") or "",
                "groups": groups,
                "honours": honours,
            },
        )
        for unit_id, ur in pr.units.items():
            name = project.units[unit_id].name
            rank, of, _ = rank_of.get(unit_id, (None, len(sv.scheme.groups), False))
            lines = []
            for ln in ur.lines:
                lines.append(
                    {
                        "id": ln.id,
                        "name": ln.name,
                        "depth": ln.depth,
                        "type": ln.type,
                        "leaf": ln.is_leaf,
                        "points": _line(ln.points),
                        "max": _line(ln.max),
                        "steps": [s.render(LOCALE) for s in ln.steps]
                        or (["无记录"] if ln.is_leaf and ln.facts is None else []),
                        "clip": ln.clip_note or "",
                    }
                )
            card_url = f"/units/{unit_id}/{scheme_id}/{period_id}/"
            page(
                f"cards/{unit_id}/{scheme_id}-{period_id}.md",
                "card",
                {
                    "title": f"{name}{pr.period_name}考核得分",
                    "url": card_url,
                    "unit": name,
                    "period": pr.period_name,
                    "group": group_names.get(ur.group, ur.group),
                    "group_url": f"/groups/{scheme_id}/{ur.group}/",
                    "total": _s(ur.total),
                    "max_total": _s(ur.max_total),
                    "rank": rank,
                    "of": of,
                    "median": _s(pr.group_medians.get(ur.group)),
                    "cumulative": _s(pr.cumulative.get(unit_id)),
                    "honours": honours_of.get(unit_id, []),
                    "vetoes": [{"name": v.name, "reason": v.reason} for v in ur.vetoes],
                    "notice": notice_url,
                    "notice_title": notice_title,
                    "unit_url": f"/units/{unit_id}/",
                    "scheme_url": f"/schemes/{scheme_id}/{period.version}/",
                    "lines": lines,
                },
            )
            row = {
                "period": pr.period_name,
                "url": card_url,
                "total": _s(ur.total),
                "rank": rank if rank is not None else "—",
                "cumulative": _s(pr.cumulative.get(unit_id)),
                "group": (scheme_id, ur.group),
                "group_name": group_names.get(ur.group, ur.group),
            }
            unit_rows.setdefault(unit_id, []).append(row)
            group_latest.setdefault((scheme_id, ur.group), [])
    for unit_id, rows in unit_rows.items():
        last = rows[-1]
        page(
            f"units/{unit_id}.md",
            "unit",
            {
                "title": project.units[unit_id].name,
                "url": f"/units/{unit_id}/",
                "group": last["group_name"],
                "group_url": f"/groups/{last['group'][0]}/{last['group'][1]}/",
                "rows": [
                    {k: v for k, v in r.items() if k not in ("group", "group_name")} for r in rows
                ],
            },
        )
        group_latest[last["group"]].append(
            {
                "name": project.units[unit_id].name,
                "url": f"/units/{unit_id}/",
                "total": last["total"],
                "rank": last["rank"],
                "period": last["period"],
            }
        )
    for (scheme_id, group_id), rows in sorted(group_latest.items()):
        sv = next(iter(project.schemes[scheme_id].values()))
        gname = next((g.name for g in sv.scheme.groups if g.id == group_id), group_id)
        page(
            f"groups/{scheme_id}-{group_id}.md",
            "group",
            {
                "title": gname,
                "url": f"/groups/{scheme_id}/{group_id}/",
                "period": rows[0]["period"] if rows else "",
                "rows": rows,
            },
        )
    pages["total"] = sum(pages.values())
    return pages


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("project")
    ap.add_argument("out")
    args = ap.parse_args()
    counts = write_hugo_site(Path(args.project).resolve(), Path(args.out))
    print(f"wrote Hugo site {args.out}: {counts}")


if __name__ == "__main__":
    main()
