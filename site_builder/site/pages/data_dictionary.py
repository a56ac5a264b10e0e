"""A scheme's full dataset and its data dictionary: ``data/<scheme>/``.

For every scheme with published periods: the four long tables of
:mod:`site_builder.site.output.dataset` over all its published periods (CSV), the same
as one JSON file, a ``datapackage.json`` (Frictionless Data Package) and the
page ``data/<scheme>/index.html`` that describes every file and every column —
of these files and of each notice's downloads — with its type, what it counts,
its decimals, its meaning and an example taken from the data.

Why ``number`` for figures in the data package: frictionless reads a ``number``
field into :class:`decimal.Decimal` (``96.40`` stays ``Decimal('96.40')``), so
the published figure loads exactly; a tool that reads floats still gets the
right value to the published places.  The JSON writes figures as strings for
the same reason (a JSON number is a float to most readers).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import partial

from site_builder.site import paths

from site_builder.site.output import dataset, dataset_stream, jsontext

from site_builder.site.present import i18n, sharing
from site_builder.site.data import SiteData
from site_builder.site.output.dataset import TABLES
from site_builder.site.output.digest import keyed
from site_builder.site.pages.common import archive_crumbs
from site_builder.site.plan import Once, PageMeta, Route, lazy_page, page_kind

# the notice's JSON, key by key: path, type, meaning (a catalogue key; a field of a long table
# means what it means there)
NOTICE_JSON: tuple[tuple[str, str, str], ...] = (
    ("scheme", "string", "data.field.scheme_id"),
    ("version", "string", "data.field.scheme_version"),
    ("period", "string", "data.field.period_id"),
    ("period_name", "string", "data.field.period"),
    ("title", "string", "data.json.title"),
    ("status", "string", "data.field.notice_status"),
    ("date", "date", "data.field.notice_date"),
    ("number", "string", "data.json.number"),
    ("issuer", "string", "data.json.issuer"),
    ("contact", "object", "data.json.contact"),
    ("sample", "boolean", "data.json.sample"),
    ("corrections", "integer", "data.json.corrections"),
    ("published_version", "integer", "data.json.published_version"),
    ("current", "boolean", "data.json.current"),
    ("groups[]", "array", "data.json.groups"),
    ("groups[].id", "string", "data.field.group_id"),
    ("groups[].name", "string", "data.field.group"),
    ("groups[].ranking", "string", "data.field.ranking"),
    ("groups[].places", "integer", "data.json.places"),
    ("groups[].show", "string", "data.json.show"),
    ("groups[].columns[]", "array", "data.json.columns"),
    ("groups[].columns[].id", "string", "data.field.line_id"),
    ("groups[].columns[].name", "string", "data.field.line"),
    ("groups[].columns[].type", "string", "data.field.type"),
    ("groups[].columns[].max", "number", "data.field.max"),
    ("groups[].columns[].places", "integer", "data.json.column_places"),
    ("groups[].rows[]", "array", "data.json.rows"),
    ("groups[].rows[].rank", "integer", "data.field.results.rank"),
    ("groups[].rows[].tied", "boolean", "data.field.tied"),
    ("groups[].rows[].unit", "string", "data.field.unit_id"),
    ("groups[].rows[].name", "string", "data.field.unit"),
    ("groups[].rows[].category", "string", "data.field.results.category"),
    ("groups[].rows[].scores", "object", "data.json.scores"),
    ("groups[].rows[].coefficient", "number", "data.field.coefficient"),
    ("groups[].rows[].total", "number", "data.field.total"),
    ("groups[].rows[].cumulative", "number", "data.field.cumulative"),
    ("groups[].rows[].stage_total", "number", "data.field.stage_total"),
    ("groups[].rows[].marks[]", "array", "data.json.marks"),
    ("groups[].rows[].level", "string", "data.field.level"),
    ("groups[].rows[].reward", "string", "data.json.reward"),
    ("groups[].rows[].lines[]", "array", "data.json.lines"),
    ("groups[].unranked[]", "array", "data.json.unranked"),
    ("groups[].unranked[].unit", "string", "data.field.unit_id"),
    ("groups[].unranked[].name", "string", "data.field.unit"),
    ("groups[].unranked[].reason", "string", "data.field.rankings.reason"),
    ("groups[].honours[]", "array", "data.json.honours"),
    ("groups[].honours[].name", "string", "data.field.honour"),
    ("groups[].honours[].kind", "string", "data.field.kind"),
    ("groups[].honours[].units[]", "array", "data.json.honour_units"),
    ("groups[].honours[].units[].unit", "string", "data.field.unit_id"),
    ("groups[].honours[].units[].name", "string", "data.field.unit"),
    ("groups[].honours[].excluded[]", "array", "data.json.honour_excluded"),
    ("groups[].honours[].excluded[].unit", "string", "data.field.unit_id"),
    ("groups[].honours[].excluded[].name", "string", "data.field.unit"),
    ("groups[].honours[].excluded[].reason", "string", "data.field.honours.reason"),
    ("groups[].honours[].pending", "string", "data.json.pending"),
    ("groups[].honours[].places", "string", "data.json.honour_places"),
    ("groups[].levels[]", "array", "data.json.levels"),
    ("groups[].levels[].id", "string", "data.field.level_id"),
    ("groups[].levels[].name", "string", "data.field.level"),
    ("groups[].levels[].reward", "string", "data.json.reward"),
    ("groups[].levels[].units[]", "array", "data.json.honour_units"),
    ("groups[].levels[].units[].unit", "string", "data.field.unit_id"),
    ("groups[].levels[].units[].name", "string", "data.field.unit"),
    ("rankings[]", "array", "data.json.rankings"),
    ("rankings[].id", "string", "data.field.ranking_id"),
    ("rankings[].name", "string", "data.field.ranking"),
    ("rankings[].basis", "string", "data.field.basis"),
    ("rankings[].group", "string", "data.field.group_id"),
    ("rankings[].category", "string", "data.field.category"),
    ("rankings[].entries[]", "array", "data.json.entries"),
    ("rankings[].entries[].unit", "string", "data.field.unit_id"),
    ("rankings[].entries[].name", "string", "data.field.unit"),
    ("rankings[].entries[].rank", "integer", "data.field.rank"),
    ("rankings[].entries[].tied", "boolean", "data.field.tied"),
    ("rankings[].entries[].value", "number", "data.field.value"),
    ("rankings[].unranked[]", "array", "data.json.unranked"),
    ("rankings[].unranked[].unit", "string", "data.field.unit_id"),
    ("rankings[].unranked[].name", "string", "data.field.unit"),
    ("rankings[].unranked[].reason", "string", "data.field.rankings.reason"),
    ("outcomes[]", "array", "data.json.outcomes"),
)
DATASET_JSON: tuple[tuple[str, str, str], ...] = (
    ("scheme", "string", "data.field.scheme_id"),
    ("title", "string", "data.json.scheme_title"),
    ("periods[]", "array", "data.json.periods"),
    ("periods[].id", "string", "data.field.period_id"),
    ("periods[].name", "string", "data.field.period"),
    ("periods[].version", "string", "data.field.scheme_version"),
    ("periods[].status", "string", "data.field.notice_status"),
    ("periods[].date", "date", "data.field.notice_date"),
    ("periods[].notice", "string", "data.json.notice"),
    ("results[]", "array", "data.file.results"),
    ("lines[]", "array", "data.file.lines"),
    ("rankings[]", "array", "data.file.rankings"),
    ("honours[]", "array", "data.file.honours"),
)


def meaning(table: str, name: str, locale: str) -> str:
    """What a field of a long table means: its own text in this table, else the shared one."""
    key = f"data.field.{table}.{name}"
    return i18n.text(key if key in i18n.catalogue_keys() else f"data.field.{name}", locale)


def field_views(table: str, examples: dict, places: int, locale: str) -> list[dict]:
    """The fields of a long table, each with its first value that is not blank
    (:func:`.dataset_stream.examples`)."""
    out = []
    for f in TABLES[table]:
        example = examples.get(f.name)
        if isinstance(example, bool):
            example = "true" if example else "false"
        out.append({
            "name": f.name,
            "type": i18n.text(f"data.type.{f.type}", locale),
            "unit": i18n.text(f"data.unit.{f.unit}", locale) if f.unit else None,
            "places": i18n.text(f"data.places.{f.places}", locale, places=places) if f.places else None,
            "meaning": meaning(table, f.name, locale),
            "example": None if example is None else str(example),
        })
    return out


def json_views(keys, locale: str) -> list[dict]:
    return [{"name": k, "type": i18n.text(f"data.type.{t}", locale), "meaning": i18n.text(m, locale)}
            for k, t, m in keys]


def table_columns(data: SiteData, scheme_id: str, locale: str) -> tuple[list[tuple[str, str]], list[str]]:
    """The notice table's fixed columns (header, meaning) and the names of its indicator columns."""
    t = lambda key: i18n.text(key, locale)  # noqa: E731
    fixed = [(t("col.group"), meaning("results", "group", locale)),
             (t("col.rank"), meaning("results", "rank", locale)),
             (t("col.unit_id"), meaning("results", "unit_id", locale)),
             (t("col.unit"), meaning("results", "unit", locale)),
             (t("col.coefficient"), meaning("results", "coefficient", locale)),
             (t("col.total"), meaning("results", "total", locale)),
             (t("col.level"), meaning("results", "level", locale)),
             (t("col.reward"), t("data.json.reward")),
             (t("col.marks"), t("data.json.marks")),
             (t("col.remark"), t("data.table.remark"))]
    names: list[str] = []
    for sv in data.project.schemes[scheme_id].values():
        for tree in sv.trees.values():
            for n in tree.indicators:
                if n.name not in names:
                    names.append(n.name)
    return fixed, names


def datapackage(data: SiteData, scheme_id: str, title: str) -> bytes:
    """The Frictionless Data Package of the scheme's dataset (stable keys, sorted)."""
    loc = data.locale
    keys = {"results": ["scheme_id", "period_id", "unit_id"], "lines": ["scheme_id", "period_id", "unit_id", "line_id"]}
    resources = []
    for name, fields in TABLES.items():
        schema = {
            "fields": [
                {"name": f.name, "type": f.type, "description": meaning(name, f.name, loc),
                 **({"decimalChar": ".", "groupChar": ""} if f.type == "number" else {})}
                for f in fields
            ],
            "missingValues": [""],
            **({"primaryKey": keys[name]} if name in keys else {}),
        }
        resources.append({
            "name": name,
            "path": paths.dataset(scheme_id, name, "csv").rsplit("/", 1)[-1],
            "profile": "tabular-data-resource",
            "format": "csv",
            "mediatype": "text/csv",
            "encoding": "utf-8",
            "dialect": {"delimiter": ",", "lineTerminator": "\r\n", "quoteChar": '"', "header": True},
            "description": i18n.text(f"data.file.{name}", loc),
            "schema": schema,
        })
    resources.append({
        "name": "dataset",
        "path": paths.dataset(scheme_id, None, "json").rsplit("/", 1)[-1],
        "format": "json",
        "mediatype": "application/json",
        "encoding": "utf-8",
        "description": i18n.text("data.file.json", loc),
    })
    doc = {"profile": "data-package", "name": scheme_id.lower(), "title": title, "resources": resources}
    return jsontext.document(doc)


def dataset_fixed(data: SiteData, scheme_id: str, title: str) -> dict:
    """The dataset JSON's keys besides the tables: the scheme, its title and its published periods."""
    periods = [
        {"id": p.id, "name": data.period_name(p), "version": p.version, "status": data.status(p),
         "date": data.notice_date(p).isoformat(), "notice": paths.notice(p.scheme, p.id)}
        for p in dataset.published_periods(data, scheme_id)
    ]
    return {"scheme": scheme_id, "title": title, "periods": periods}


@page_kind("data")
def data_pages(data: SiteData) -> Iterator[Route]:
    """Per scheme: the dataset of all its published periods (CSV per table, JSON, datapackage.json)
    and its data dictionary page; the records are made once, when the first of them is written."""
    loc = data.locale
    for scheme_id in sorted(data.project.schemes):
        published = dataset.published_periods(data, scheme_id)
        if not published:
            continue
        current = data.project.current_version(scheme_id)
        title = current.scheme.title
        # each published period's key (its results, names, status ...), made once per process: the files'
        # pre-keys, and what their pieces are recorded under (dataset_stream.DatasetFile)
        pks = Once(partial(dataset_stream.period_keys, data, scheme_id))
        # the periods' keys (equal keys, equal records; the records digested only for the tests' check),
        # once per process: the files' inputs
        made_of = Once(partial(dataset_stream.inputs, data, scheme_id, pks))
        files = []
        for name in TABLES:
            target = paths.dataset(scheme_id, name, "csv")
            files.append({"target": target, "file": target.rsplit("/", 1)[-1], "what": i18n.text(f"data.file.{name}", loc)})
            yield Route(target, "download", make=partial(dataset_stream.csv_chunks, data, scheme_id, name, target, pks),
                        inputs=partial(lambda name, made_of: keyed(name, made_of()), name, made_of),
                        prekey=partial(lambda name, pks: keyed(name, pks()), name, pks))
        target = paths.dataset(scheme_id, None, "json")
        files.append({"target": target, "file": target.rsplit("/", 1)[-1], "what": i18n.text("data.file.json", loc)})
        fixed = dataset_fixed(data, scheme_id, title)
        yield Route(target, "download", make=partial(dataset_stream.json_chunks, data, scheme_id, fixed, target, pks),
                    inputs=partial(lambda fixed, made_of: keyed(fixed, made_of()), fixed, made_of),
                    prekey=partial(lambda fixed, pks: keyed(fixed, pks()), fixed, pks))
        target = paths.datapackage(scheme_id)
        files.append({"target": target, "file": "datapackage.json", "what": i18n.text("data.file.datapackage", loc)})
        yield Route(target, "download", data=datapackage(data, scheme_id, title))
        # the page shows the scheme's versions (their indicators), the files, and examples from the records
        # of the first periods: unchanged when those and the periods' keys are
        versions = tuple(data.project.schemes[scheme_id].values())
        yield lazy_page(paths.data_dictionary(scheme_id), "data", "data.html",
                        partial(_dictionary_page, data, scheme_id, current, files, pks),
                        prekey=partial(lambda pre, pks: keyed(*pre, pks()), (scheme_id, loc, data.project.site.sample,
                                                                             files, current, versions), pks))


def _dictionary_page(data: SiteData, scheme_id: str, current, files: list, pks=None) -> tuple[PageMeta, dict]:
    loc = data.locale
    stem = f"{scheme_id}-<{i18n.text('data.placeholder.period', loc)}>"
    notice_files = [
        {"file": f"{stem}.csv", "what": i18n.text("data.file.table", loc)},
        {"file": f"{stem}.xlsx", "what": i18n.text("data.file.xlsx", loc)},
        {"file": f"{stem}.json", "what": i18n.text("data.file.notice_json", loc)},
        *({"file": f"{stem}-{name}.csv", "what": i18n.text(f"data.file.{name}", loc)}
          for name in ("lines", "rankings", "honours")),
    ]
    places = current.scheme.rounding.places
    fixed, indicators = table_columns(data, scheme_id, loc)
    found = dataset_stream.examples(data, scheme_id, pks)
    meta = PageMeta(
        path=paths.data_dictionary(scheme_id),
        title=i18n.text("data.title", loc, scheme=data.scheme_title(current)),
        kind="data",
        sample=data.scheme_sample(current),
        description=sharing.text(data, "share.data", scheme=data.scheme_title(current)),
        crumbs=archive_crumbs(data, scheme_id),
    )
    return meta, dict(
        files=files,
        notice_files=notice_files,
        tables=[{"name": name, "file": paths.dataset(scheme_id, name, "csv").rsplit("/", 1)[-1],
                 "fields": field_views(name, found[name], places, loc)} for name in TABLES],
        table_fixed=fixed,
        table_indicators=i18n.text("list.sep", loc).join(indicators),
        notice_json=json_views(NOTICE_JSON, loc),
        dataset_json=json_views(DATASET_JSON, loc),
        codes=[code_list(i18n.text(f"data.code.{c}", loc)) for c in
               ("notice_status", "status", "line_status", "type", "basis", "kind", "outcome")],
    )


_CODE = re.compile(r"([a-z_]+(?:[/:][a-z_.…]*)*)(.*)", re.S)


def code_list(text: str) -> dict:
    """A catalogue line “field（what）：code meaning，code meaning” as parts for the page, so each
    code is shown as written (``<code>``) and its meaning as words."""
    head, _, rest = re.split(r"(：|: )", text, maxsplit=1) if re.search(r"：|: ", text) else (text, "", "")
    field = _CODE.match(head)
    items = []
    for part in re.split(r"，|, ", rest):
        m = _CODE.match(part.strip())
        items.append((m.group(1), m.group(2).strip()) if m else ("", part.strip()))
    return {"field": field.group(1) if field else head, "note": field.group(2) if field else "", "codes": items}

