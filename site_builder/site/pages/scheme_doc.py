"""Scheme documents: ``schemes/<id>/<version>/index.html``, one per version.

Reads like the official document: title, 文号, issuer and dates, preamble and
sections, then the indicator table (一级指标 / 二级指标 / 分值 / 具体考核内容 /
责任科室) with every rule stated in words and a stable anchor per indicator,
vetoes, rankings and honours.  Older versions keep their URLs, with a banner
pointing to the current version and a list of what changed.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

from markupsafe import Markup

from site_builder.checks.tree import node_types
from site_builder.model import SchemeVersion
from site_builder.schema.scheme import Indicator, Tree
from site_builder.site import paths
from site_builder.site.output import downloads
from site_builder.site.present import i18n, ranking_wording, wording
from site_builder.site.records import schemediff
from site_builder.site.data import SiteData
from site_builder.site.output.dataset import published_periods
from site_builder.site.present.level_views import read_schemes, scheme_levels
from site_builder.site.present.markdown_html import render_markdown
from site_builder.site.pages.common import archive_crumbs
from site_builder.site.present import sharing
from site_builder.site.plan import PageMeta, Route, page, page_kind


@dataclass(frozen=True)
class LeafRow:
    anchors: tuple[str, ...]  # this leaf and intermediate nodes first shown here
    path: tuple[str, ...]  # names below the 一级指标
    type: str
    max: Decimal | None
    clause: str | None
    rule: str
    notes: tuple[str, ...]
    office: str | None


@dataclass(frozen=True)
class TopBlock:
    anchor: str
    name: str
    type: str
    max: Decimal | None
    rows: tuple[LeafRow, ...]


@dataclass(frozen=True)
class TreeView:
    id: str
    name: str
    total: Decimal
    blocks: tuple[TopBlock, ...]


def tree_view(sv: SchemeVersion, tid: str, tree: Tree, locale: str) -> TreeView:
    types = node_types(tree)
    ntrees = len(sv.trees)
    names = {i: n.name for i, n in sv.indicators[tid].items()}
    groups = {g.id: g.name for g in sv.scheme.groups}

    def anchor(n: Indicator) -> str:
        return paths.indicator_anchor(tid, n.id, ntrees)

    def block_rows(top: Indicator) -> tuple[LeafRow, ...]:
        rows: list[LeafRow] = []
        seen: set[str] = set()
        above: list[str] = []  # a parent's clause, rater, source, scope: shown on its first row

        def walk(n: Indicator, trail: tuple[Indicator, ...], office: str | None) -> None:
            office = n.office or office
            if n.children:
                said = ([n.clause] if n.clause else []) + wording.indicator_notes(n, names, groups, locale)
                above.extend((f"“{n.name}”: {t}" if locale == "en" else f"“{n.name}”：{t}") for t in said)
            if not n.children:
                chain = (*trail, n)[1:]  # the nodes below the 一级指标
                anchors = tuple(a for a in (anchor(x) for x in chain) if a not in seen)
                seen.update(anchors)
                rows.append(
                    LeafRow(
                        anchors=anchors,
                        path=tuple(x.name for x in chain),
                        type=types[n.id],
                        max=n.max,
                        clause=n.clause,
                        rule=wording.rule_text(n, types[n.id], locale),
                        notes=(*above, *wording.indicator_notes(n, names, groups, locale)),
                        office=office,
                    )
                )
                above.clear()
            for child in n.children:
                walk(child, (*trail, n), office)

        walk(top, (), None)
        return tuple(rows)

    blocks = tuple(
        TopBlock(anchor(t), t.name, types[t.id], t.max, block_rows(t)) for t in tree.indicators
    )
    return TreeView(tid, tree.name, tree.total, blocks)


def _version_list(data: SiteData, scheme_id: str) -> list[dict]:
    current = data.project.current_version(scheme_id)
    return [
        {
            "title": v.scheme.title,
            "start": v.start,
            "target": paths.scheme_doc(v.id, v.version),
            "current": v is current,
            "version": v.version,
        }
        for v in data.project.schemes[scheme_id].values()
    ]


@page_kind("scheme")
def scheme_pages(data: SiteData) -> Iterator[Route]:
    loc = data.locale
    for scheme_id in sorted(data.project.schemes):
        versions = list(data.project.schemes[scheme_id].values())
        current = versions[-1]
        for i, sv in enumerate(versions):
            s = sv.scheme
            previous = versions[i - 1] if i > 0 else None
            if s.extends is not None:  # written as changes to that version: show what it changed
                previous = data.project.schemes[scheme_id].get(s.extends, previous)
            groups = {g.id: g.name for g in s.groups}
            meta = PageMeta(
                path=paths.scheme_doc(scheme_id, sv.version),
                title=s.title,
                kind="scheme",
                sample=data.scheme_sample(sv),
                crumbs=archive_crumbs(data, scheme_id, version=sv),
                description=sharing.scheme(data, sv),
            )
            superseded = None
            if sv is not current:
                superseded = {
                    "title": current.scheme.title,
                    "start": current.start,
                    "target": paths.scheme_doc(scheme_id, current.version),
                    "changes": schemediff.changes(sv, current, loc),
                    "notes": list(current.scheme.changes),
                }
            yield page(
                meta,
                "scheme.html",
                scheme=s,
                sv=sv,
                preamble=render_markdown(s.preamble),
                sections=[
                    (sec.title, render_markdown(sec.body, shift_headings=2)) for sec in s.sections
                ],
                trees=[tree_view(sv, tid, tree, loc) for tid, tree in sv.trees.items()],
                groups=[
                    (
                        g.name,
                        i18n.text("list.sep", loc).join(
                            data.unit_name(u, sv.start) for u in g.units
                        ),
                        paths.group(scheme_id, g.id),
                    )
                    for g in s.groups
                ],
                vetoes=[(v.name, wording.veto_consequence(v, loc, len({x.called for x in s.vetoes}) > 1), v.clause) for v in s.vetoes],
                rankings=[ranking_wording.ranking_text(r, s, loc) for r in s.rankings],
                honours=[ranking_wording.honour_text(h, s, groups, loc, {u: x.category for u, x in data.project.units.items()}) for h in s.honours],
                other_rules=wording.other_rules(s, loc),
                levels=scheme_levels(sv, loc, read_schemes(data.project, sv, sv.until)),
                changes=list(s.changes),
                diff=schemediff.changes(previous, sv, loc) if previous else None,
                superseded=superseded,
                versions=_version_list(data, scheme_id) if len(versions) > 1 else [],
                notices=[
                    {
                        "title": data.notice_title(p),
                        "target": paths.notice(p.scheme, p.id),
                        "date": data.notice_date(p),
                    }
                    for p in data.periods_of(scheme_id)
                    if p.version == sv.version
                ],
                yaml_target=paths.scheme_yaml(scheme_id, sv.version),
                # the scheme's full dataset and data dictionary (schemes with published periods)
                data_target=paths.data_dictionary(scheme_id) if published_periods(data, scheme_id) else None,
                empty=Markup(""),
            )
            yield Route(
                paths.scheme_yaml(scheme_id, sv.version),
                "download",
                # a version written as changes (extends:) is offered written out in full
                data=downloads.lf(sv.full_text if sv.full_text is not None else data.project.sources[sv.path]),
            )
