"""The canonical content of one published notice: everything a reader sees, as items.

``site-builder lock`` fingerprints each published version of a notice by this
document and archives it (``published/<scheme>/<period>/v<n>.notice.json``);
the build compares the current document with the last locked one and lists
what changed item by item (``项目: 旧 → 新``).

The document is a flat mapping of stable keys to text, for example
``notice.number``, ``unit.fgw.name``, ``unit.fgw.line.tuijin.points``,
``scheme.line.tuijin.clause``, ``honour.hongqi.name``.  It is built from the
validated project and the engine's results, never from the bytes of a file, so
line endings, a BOM, the encoding of a body, YAML quoting or key order do not
change it; every text is normalised (CRLF → LF, no BOM, Unicode NFC).  Unit
names are the names on the notice's date (``former_names``), so a unit renamed
later keeps its old name on old notices.  A person's name is masked (张*)
wherever it appears unless the scheme declares a legal basis for publishing
names, so the archived document holds no personal name.

The set of items is part of the format (``FORMAT``, written into every archived
document): a later site-builder that shows more on a notice must add its new
items under a new format number and compare a document of an older format only
on the items that format had, so that upgrading never refuses a locked notice.

What changed between two documents, and how a change reads on a page, is in
:mod:`.notice_changes`.
"""

from __future__ import annotations

import datetime as dt
import json
import unicodedata
from collections.abc import Mapping
from decimal import Decimal

from site_builder.model import Period, Project
from site_builder.schema.site import Contact
from site_builder.scoring.results import PeriodResult
from site_builder.site.output import personal_names


FORMAT = 1
Items = dict[str, str]


def normalise(text: str) -> str:
    """CRLF/CR → LF, no BOM, NFC."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if text.startswith("\ufeff"):
        text = text[1:]
    return unicodedata.normalize("NFC", text)


def decode(data: bytes) -> str:
    """A text file's bytes as text: UTF-8 (with or without BOM), else GB 18030."""
    try:
        return normalise(data.decode("utf-8-sig"))
    except UnicodeDecodeError:
        try:
            return normalise(data.decode("gb18030"))
        except UnicodeDecodeError:
            return normalise(data.decode("utf-8", errors="replace"))


def canonical_bytes(data: bytes) -> bytes:
    """A text file's bytes as LF, without BOM (what an archive holds, whatever git did to it)."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    return data.replace(b"\r\n", b"\n")


def _num(d: Decimal | None) -> str | None:
    if d is None:
        return None
    text = format(d.normalize(), "f")
    return "0" if text in ("-0", "0") else text



class _Doc:
    def __init__(self, names: set[str], publish: bool):
        self.items: Items = {}
        self.names = set() if publish else names
        self.publish = publish

    def put(self, key: str, value: object) -> None:
        if value is None or value == "":
            return
        if isinstance(value, Decimal):
            text = _num(value)
        elif isinstance(value, bool):
            text = "true" if value else "false"
        elif isinstance(value, dt.date):
            text = value.isoformat()
        else:
            text = normalise(str(value))
            if self.names:
                text = personal_names.redact_names(text, self.names)
        if text is not None:
            self.items[key] = text

    def person(self, key: str, name: str | None) -> None:
        if name:
            self.put(key, name if self.publish else personal_names.mask_name(normalise(name)))


def _flatten(doc: _Doc, key: str, value: object, depth: int = 0) -> None:
    """A rule's settings as items: ``….rule.levels.1.name`` (lists numbered from 1)."""
    if depth > 12:
        return
    if isinstance(value, Mapping):
        for k, v in sorted(value.items(), key=lambda kv: str(kv[0])):
            _flatten(doc, f"{key}.{k}", v, depth + 1)
    elif isinstance(value, (list, tuple)):
        for i, v in enumerate(value, start=1):
            _flatten(doc, f"{key}.{i}", v, depth + 1)
    elif isinstance(value, (str, Decimal, bool, int, dt.date)):
        doc.put(key, Decimal(value) if isinstance(value, int) and not isinstance(value, bool) else value)


def issuer_of(project: Project, period: Period) -> str:
    """发布机关 of a notice: the notice's own, else its scheme version's, else the site's organisation."""
    meta = period.scores.notice
    if meta is not None and meta.issuer:
        return meta.issuer
    scheme = project.schemes[period.scheme][period.version].scheme
    return scheme.issuer or project.site.organisation


def addressee_of(project: Project, period: Period) -> str | None:
    """主送 of a notice: the notice's own, else the site's default (``site.yaml`` ``notice.addressee``),
    without a closing colon (the page writes its own); None when neither names one.

    Not one of the locked items: it addresses the notice and changes no published record,
    so adding a site default later does not alter notices already locked."""
    meta = period.scores.notice
    text = meta.addressee if meta is not None and meta.addressee else None
    if text is None and project.site.notice is not None:
        text = project.site.notice.addressee
    text = text.rstrip().rstrip("：:").rstrip() if text else None
    return text or None


def contact_of(project: Project, period: Period) -> Contact | None:
    """异议受理 of a notice: the notice's own, else its scheme version's, else the site's (or none)."""
    meta = period.scores.notice
    if meta is not None and meta.contact is not None:
        return meta.contact
    scheme = project.schemes[period.scheme][period.version].scheme
    return scheme.contact or project.site.contact


def _title(project: Project, period: Period) -> str:
    """The title the notice shows (its own, else the generated one for its status)."""
    from site_builder.site.data import Options, SiteData

    # judged on the notice's own date: the title it was published with, whatever today is
    on = period.scores.notice.date if period.scores.notice else period.end
    data = SiteData(project, {}, Options(as_of=on), None)  # type: ignore[arg-type]
    return data.notice_title(period)


def notice_items(
    project: Project, period: Period, result: PeriodResult, body: bytes | None
) -> Items:
    """Every item a reader sees on the notice of ``period`` and its score cards."""
    sv = project.schemes[period.scheme][period.version]
    scheme = sv.scheme
    meta = period.scores.notice
    on = meta.date if meta else (
        period.scores.public_notice.start if period.scores.public_notice else period.end
    )
    doc = _Doc(personal_names.person_names(period.facts), personal_names.publishes_names(project, period.scheme, period.version))
    put = doc.put
    en = project.site.locale == "en"
    # the notice
    put("notice.stage", period.status)
    put("notice.title", _title(project, period))
    put("notice.date", on)
    if meta is not None:
        put("notice.number", meta.number)
        put("notice.index_number", meta.index_number)
    put("notice.issuer", issuer_of(project, period))
    # 主送 is part of what the notice says: recorded when there is one, so a notice locked without
    # one keeps its record, and one set (or changed, also by a new site default) later is a change
    put("notice.addressee", addressee_of(project, period))
    if body is not None:
        put("notice.body", decode(body))
    window = period.scores.public_notice
    if window is not None:
        put("notice.window.from", window.start)
        put("notice.window.until", window.until)
        put("notice.window.working_days", window.working_days)
    contact = contact_of(project, period)
    if contact is not None and period.status == "public_notice":  # where objections go
        for f in ("office", "phone", "email", "address"):
            put(f"contact.{f}", getattr(contact, f, None))
    put("period.name", period.name_en if en else period.name)
    for i, c in enumerate(period.scores.corrections, start=1):  # the correction records shown
        put(f"correction.{i}.date", c.date)
        put(f"correction.{i}.number", c.number)
        put(f"correction.{i}.reason", c.reason)
        for j, ch in enumerate(c.changes, start=1):
            put(f"correction.{i}.change.{j}", f"{ch.unit} {ch.line}: {ch.old} → {ch.new}")
    put("scheme.title", scheme.title)
    put("scheme.total", scheme.total)
    # the scheme version's text
    many = len(sv.trees) > 1
    for tree_id, tree in sv.indicators.items():
        if many:
            put(f"scheme.tree.{tree_id}.name", sv.trees[tree_id].name)
        for line_id, node in tree.items():
            k = f"scheme.line.{tree_id}.{line_id}" if many else f"scheme.line.{line_id}"
            put(f"{k}.name", node.name)
            put(f"{k}.type", sv.types.get(tree_id, {}).get(line_id))
            put(f"{k}.max", node.max)
            put(f"{k}.clause", node.clause)
            put(f"{k}.office", node.office)
            put(f"{k}.rater", node.rater)
            put(f"{k}.source", node.source)
            if node.disqualify is not None:
                put(f"{k}.disqualify", node.disqualify.reason or node.name)
            for i, m in enumerate(node.modifiers, start=1):
                put(f"{k}.modifier.{i}", m.label)
            if node.rule is not None:  # level names, ranks, rates and amounts as written
                rule = node.rule.model_dump(mode="python", by_alias=True, exclude_defaults=True)
                rule["kind"] = getattr(node.rule, "kind", rule.get("kind"))
                _flatten(doc, f"{k}.rule", rule)
    for g in scheme.groups:
        put(f"scheme.group.{g.id}.name", g.name)
    for r in scheme.rankings:
        put(f"scheme.ranking.{r.id}.name", r.name)
    for v in scheme.vetoes:
        put(f"scheme.veto.{v.id}.name", v.name)
        put(f"scheme.veto.{v.id}.clause", v.clause)
    if scheme.coefficient is not None:
        put("scheme.coefficient.label", scheme.coefficient.label)
    for h in scheme.honours:
        put(f"honour.{h.id}.name", h.name)
        put(f"honour.{h.id}.kind", h.kind)
        put(f"honour.{h.id}.description", h.description)
    # the results, unit by unit
    group_names = {g.id: g.name for g in scheme.groups}
    shown_totals = {r.basis for r in scheme.rankings}  # score cards show these running totals
    for uid, u in sorted(result.units.items()):
        k = f"unit.{uid}"
        put(f"{k}.name", project.unit_name(uid, on) if uid in project.units else uid)
        put(f"{k}.group", group_names.get(u.group, u.group))
        put(f"{k}.status", u.status)
        put(f"{k}.reason", u.reason)
        put(f"{k}.note", u.note)
        if u.status == "assessed":
            put(f"{k}.total", u.total)
            put(f"{k}.max_total", u.max_total)  # 满分 on the score card (after exclusions)
        if scheme.coefficient is not None:
            put(f"{k}.coefficient", u.coefficient)
        for v in u.vetoes:
            put(f"{k}.veto.{v.id}.reason", v.reason)
            put(f"{k}.veto.{v.id}.date", v.date)
        for line in u.lines:
            lk = f"{k}.line.{line.id}"
            put(f"{lk}.points", line.points)
            if line.status != "scored":
                put(f"{lk}.status", line.status)
            if line.clip:
                put(f"{lk}.raw", line.raw)
                put(f"{lk}.clip", line.clip_note or line.clip)
            if line.disqualified:
                put(f"{lk}.disqualified", True)
            facts = line.facts
            if facts is None:
                continue
            put(f"{lk}.note", facts.note)
            put(f"{lk}.evidence", facts.evidence)
            for i, ev in enumerate(facts.all_events(), start=1):
                ek = f"{lk}.event.{i}"
                put(f"{ek}.date", ev.date)
                put(f"{ek}.text", ev.title or ev.event)
                doc.person(f"{ek}.person", ev.name)
                put(f"{ek}.count", ev.count)
                put(f"{ek}.points", ev.points)
                put(f"{ek}.note", ev.note)
                put(f"{ek}.evidence", ev.evidence)
        if uid in result.cumulative and "cumulative" in shown_totals:
            put(f"{k}.cumulative", result.cumulative[uid])
        if uid in result.stage_totals and "stage" in shown_totals:
            put(f"{k}.stage_total", result.stage_totals[uid])
        for cid, values in sorted(result.composites.items()):
            put(f"{k}.composite.{cid}", values.get(uid))
        for cid, values in sorted(result.conversions.items()):
            put(f"{k}.conversion.{cid}", values.get(uid))
    for r in result.rankings:
        for e in r.entries:
            put(f"unit.{e.unit}.rank.{r.ranking}.place", f"{e.rank}{'=' if e.tied else ''}")
            put(f"unit.{e.unit}.rank.{r.ranking}.value", e.value)
        for unit, reason in r.unranked:
            put(f"unit.{unit}.rank.{r.ranking}.unranked", reason)
    for h in result.honours:
        hk = f"honour.{h.honour}.{h.group}" + (f".{h.category}" if h.category else "")  # per sub-category
        put(f"{hk}.units", "、".join(h.chosen))
        put(f"{hk}.pending", h.pending)  # not decided this period: when it will be
        put(f"{hk}.places", h.places)  # shared from a pool or decided “about N”
        put(f"{hk}.places_note", h.note)
        for unit, reason in h.excluded:
            put(f"{hk}.excluded.{unit}", reason)
        for unit, n in sorted(h.streaks.items()):
            if unit in h.chosen:
                put(f"{hk}.streak.{unit}", n)
    for g, median in sorted(result.group_medians.items()):
        put(f"group.{g}.median", median)
    return doc.items


def document_bytes(items: Mapping[str, str]) -> bytes:
    """The archived form: sorted keys, UTF-8, LF."""
    doc = {"format": FORMAT, "items": dict(sorted(items.items()))}
    return (json.dumps(doc, ensure_ascii=False, sort_keys=True, indent=1) + "\n").encode("utf-8")


def read_document(data: bytes) -> Items | None:
    """The items of an archived document; None when it is not one."""
    try:
        doc = json.loads(canonical_bytes(data).decode("utf-8"))
    except (ValueError, RecursionError):
        return None
    items = doc.get("items") if isinstance(doc, dict) else None
    if not isinstance(items, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in items.items()
    ):
        return None
    return items
