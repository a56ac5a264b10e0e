"""``site-builder export SCHEME PERIOD``: one notice as a folder a government portal's CMS imports.

Many county departments must publish through the county portal (政府网站集约化
平台), whose editor takes an HTML fragment and uploaded attachments, not a
static site.  The export folder holds:

- ``index.html``: the notice as one ``<div>`` — no ``<script>``, no
  ``<style>`` or ``<link>``, every element styled inline, no web fonts, no link
  to the site: the only relative links are the attachments beside it;
- ``print.html``: the same notice as a full A4 page (its CSS inside the page)
  for printing and the paper file;
- the notice's table as CSV and XLSX, byte for byte the site's downloads.

The data goes through exactly what ``build`` runs: every check, the lock of
published notices, the as-of date, personal data masked and the output scan
over every exported file.  A period that is not on public notice or published
(as of the date) is refused unless ``--preview``.  The folder is written
beside its place and swapped in at once; on any error nothing is written.
"""

from __future__ import annotations

import datetime as dt
import html
import os
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

from markupsafe import Markup

from site_builder import messages, pipeline
from site_builder.errors import Mark, Problems
from site_builder.site.output import dataset, downloads, personal_names
from site_builder.site.failures import fail, fail_all

messages.register(
    {
        "export.unknown_scheme": (
            "方案“{scheme}”不存在{suggestion_zh}",
            "已有方案：{known}",
            "scheme “{scheme}” does not exist{suggestion_en}",
            "known schemes: {known}",
        ),
        "export.unknown_period": (
            "方案“{scheme}”没有考核期“{period}”{suggestion_zh}",
            "已有考核期：{known}",
            "scheme “{scheme}” has no period “{period}”{suggestion_en}",
            "known periods: {known}",
        ),
        "export.draft": (
            "{what}，不能导出到政府网站",
            "请先发布（site-builder publish {scheme} {period} --gongshi …），或加 --preview 导出预览稿（带“草稿 预览”字样，不得上传）",
            "{what_en}: it cannot be exported for the portal",
            "publish it first (site-builder publish {scheme} {period} --gongshi …), or add --preview for a marked draft (never upload it)",
        ),
        "export.out_in_sources": (
            "导出目录 {out} 位于项目的源文件目录 {folder} 之内",
            "请换一个导出目录，如默认的 _export/{scheme}/{period}",
            "the export folder {out} is inside the project's sources ({folder})",
            "choose another folder, such as the default _export/{scheme}/{period}",
        ),
        "export.foreign_out": (
            "导出目录 {out} 已有其他文件，不是以前导出的通报",
            "请换一个空的或不存在的目录；导出会整体替换该目录",
            "the export folder {out} holds other files, not an earlier export",
            "choose an empty or new folder; an export replaces the whole folder",
        ),
    }
)

# Files of an earlier export: a folder holding only these (and attachments) may be replaced.
_MARKERS = ("index.html", "print.html")
_SOURCE_DIRS = ("units", "schemes", "scores", "content", "published", "theme", "schema", ".git")

_TEXT = {
    "attachments": ("附件", "Attachments"),
    "att.csv": ("{title}（CSV 表格）", "{title} (CSV table)"),
    "att.xlsx": ("{title}（Excel 表格）", "{title} (Excel workbook)"),
    "draft": (
        "草稿 预览：未发布，不得上传到政府网站。",
        "Draft preview: not published, do not upload it to the portal.",
    ),
    "sample": ("示例数据，非真实考核结果", "Sample data, not real assessment results"),
    "print.title": ("{title}（打印版）", "{title} (print version)"),
}


def _tx(key: str, locale: str, **params: object) -> str:
    zh, en = _TEXT[key]
    return (en if locale == "en" else zh).format(**params)


@dataclass(frozen=True)
class ExportReport:
    out: Path
    files: tuple[str, ...]  # names written, in the folder
    title: str
    status: str  # public_notice | published | draft
    as_of: dt.date
    locale: str
    preview: bool = False

    def __str__(self) -> str:
        names = "\n".join(f"  {self.out / name}" for name in self.files)
        attachments = [n for n in self.files if n not in _MARKERS]
        if self.locale == "en":
            head = (
                f"Exported “{self.title}” (judged as of {self.as_of.isoformat()}) into {self.out}:\n{names}\n"
            )
            if self.preview:
                return head + "This is a DRAFT preview: do not upload it."
            return head + (
                "To publish on the portal: create an article in the CMS, switch its editor to "
                "source (HTML) mode and paste the whole of index.html; upload "
                + ", ".join(attachments)
                + " as the article's attachments under the same names; print print.html (A4) for the file.\n"
                "Next: after the portal shows it, check the page against this notice; "
                "run site-builder export again after any correction."
            )
        head = f"已导出“{self.title}”（按 {self.as_of.isoformat()} 判断公示状态）到 {self.out}：\n{names}\n"
        if self.preview:
            return head + "这是草稿预览，不得上传到政府网站。"
        return head + (
            "上传到政府网站集约化平台：在信息发布栏目新建信息，编辑器切换到“源代码/HTML”模式，"
            "粘贴 index.html 的全部内容；把 "
            + "、".join(attachments)
            + " 作为附件上传，保持文件名不变；print.html 用浏览器打开后按 A4 打印存档。\n"
            "下一步：平台发布后核对页面与本通报一致；以后如有更正，更正后重新运行 site-builder export。"
        )


def default_out(root: Path, scheme: str, period: str) -> Path:
    return root / "_export" / scheme / period


def export_notice(
    root: Path,
    scheme: str,
    period_id: str,
    *,
    out: Path | None = None,
    as_of: dt.date | None = None,
    preview: bool = False,
    locale: str | None = None,
) -> ExportReport:
    """Check the project as ``build`` does, then write the notice's export folder atomically."""
    from site_builder.site.build import privacy_check, public_sources, read_content, scan_privacy
    from site_builder.site.data import Options, SiteData, default_as_of
    from site_builder.site.records.gitversion import build_version
    from site_builder.site.records.lock.checks import check_lock
    from site_builder.site.records.versions import archive_sources, notice_histories
    from site_builder.site.output.write import write_site

    root = Path(root).resolve()
    warnings = Problems()
    project, public = pipeline.check(root, locale=locale, warnings=warnings, include_drafts=False)
    loc = locale or project.site.locale
    period = _find_period(project, scheme, period_id, loc)
    target = Path(out) if out is not None else default_out(root, scheme, period_id)
    if not target.is_absolute():
        target = root / target
    try:
        _check_out(root, target, scheme, period_id, loc)
    except OSError as exc:  # a folder on the way that cannot be looked into
        where = str(exc.filename or target)
        fail("site.out_read_only", loc, Mark(where), path=where, why=exc.strerror or str(exc))
    privacy_check(root, project, warnings, loc)
    locked = check_lock(project, public, loc)
    histories = notice_histories(project, public, locked, loc) if locked else {}
    results = pipeline.compute(project, include_drafts=True) if preview else public
    options = Options(as_of=as_of or default_as_of(project), preview=preview)
    data = SiteData(
        project,
        results,
        options,
        build_version(root),
        read_content(root, [period], options, loc, project.sources),
        histories=histories,
        archive=archive_sources(root, locked),
    )
    status = data.status(period)
    if status == "draft" and not preview:
        _refuse_draft(data, period, loc)
    names = personal_names.names_to_mask(project, histories)
    data = personal_names.redact_site_data(data, names)
    files = render_export(data, period)
    scan_privacy(files, public_sources(data), loc, names)
    write_site(target, files, loc)
    return ExportReport(
        out=target,
        files=tuple(sorted(files, key=_file_order)),
        title=data.notice_title(period),
        status=status,
        as_of=options.as_of,
        locale=loc,
        preview=preview,
    )


def _file_order(name: str) -> tuple:
    return (name not in _MARKERS, _MARKERS.index(name) if name in _MARKERS else 0, name)


def _find_period(project, scheme: str, period_id: str, locale: str):
    problems = Problems()
    if scheme not in project.schemes:
        known = sorted(project.schemes)
        problems.add(
            "export.unknown_scheme",
            Mark(f"schemes/{scheme}"),
            scheme=scheme,
            known="、".join(known) if locale != "en" else ", ".join(known),
            **messages.did_you_mean(scheme, known),
        )
        fail_all(problems, locale)
    found = [p for p in project.periods if p.scheme == scheme]
    for p in found:
        if p.id == period_id:
            return p
    known = [p.id for p in found]
    problems.add(
        "export.unknown_period",
        Mark(f"scores/{scheme}/{period_id}.yaml"),
        scheme=scheme,
        period=period_id,
        known=("、" if locale != "en" else ", ").join(known) or "—",
        **messages.did_you_mean(period_id, known),
    )
    fail_all(problems, locale)


def _refuse_draft(data, period, locale: str) -> None:
    if period.status == "draft":
        what = ("该考核期是草稿（status: draft）", "the period is a draft (status: draft)")
    else:
        day = data.notice_date(period).isoformat()
        what = (
            f"通报日期 {day} 晚于判断日期 {data.options.as_of.isoformat()}，尚未发布",
            f"the notice is dated {day}, after {data.options.as_of.isoformat()}: not published yet",
        )
    fail(
        "export.draft",
        locale,
        Mark(period.path),
        what=what[0],
        what_en=what[1],
        scheme=period.scheme,
        period=period.id,
    )


def _check_out(root: Path, out: Path, scheme: str, period: str, locale: str) -> None:
    """Refuse a folder that holds the sources or files that are not an earlier export."""
    o = Path(os.path.realpath(out))
    r = root.resolve()
    shown = str(out)
    if o == r or o in r.parents:
        fail("export.out_in_sources", locale, Mark(shown), out=shown, folder=str(r),
             scheme=scheme, period=period)
    for name in _SOURCE_DIRS:
        folder = r / name
        if o == folder or folder in o.parents:
            fail("export.out_in_sources", locale, Mark(shown), out=shown, folder=f"{name}/",
                 scheme=scheme, period=period)
    if o.exists() and not o.is_dir():
        fail("export.foreign_out", locale, Mark(shown), out=shown)
    if o.is_dir():
        entries = {e.name for e in o.iterdir()}
        if entries and not all(m in entries for m in _MARKERS):
            fail("export.foreign_out", locale, Mark(shown), out=shown)
        if any((o / e).is_dir() for e in entries):
            fail("export.foreign_out", locale, Mark(shown), out=shown)


# ------------------------------------------------------------------ rendering


def render_export(data, period) -> dict[str, bytes]:
    """``index.html``, ``print.html`` and the attachments of ``period``'s notice, by file name."""
    import jinja2

    from site_builder.site.build import theme_dir
    from site_builder.site.pages.notice import body_of, body_signs_off, notice_view
    from site_builder.site.pages.notice_versions import corrections_of
    from site_builder.site.present.render import make_environment
    from site_builder.site.present.tables import notice_tables

    loc = data.locale
    tables = notice_tables(data, period)
    view = notice_view(data, period)
    csv_name = view["downloads"]["csv"].rsplit("/", 1)[-1]
    xlsx_name = view["downloads"]["xlsx"].rsplit("/", 1)[-1]
    attachments = {
        csv_name: downloads.to_csv(tables, loc),
        # the same workbook as the site's: with the sheets of every line, ranking and honour
        xlsx_name: downloads.to_xlsx(tables, loc, view["title"], view["date"], dataset.period_records(data, period)),
    }
    listed = [
        (csv_name, _tx("att.csv", loc, title=view["title"])),
        (xlsx_name, _tx("att.xlsx", loc, title=view["title"])),
    ]
    from site_builder.site.pages.notice import veto_lasting

    lasts = {c.id: c.lasts for c in data.version_of(period).scheme.vetoes}
    vetoed = [
        (data.unit_name(u.unit, view["date"]), v)
        for _uid, u in sorted(data.result(period).units.items())
        for v in u.vetoes
    ]
    # how long each lasts (“自2025年第9周起，至本阶段结束”), beside ``vetoed`` so that older themes still render
    vetoed_lasting = [veto_lasting(v, lasts.get(v.id, "period"), data.locale) for _, v in vetoed]
    site = data.project.site
    templates = theme_dir(data.project.root) / "templates"
    if not (templates / "export_notice.html").is_file():  # a project theme made before export
        from site_builder.site.build import PACKAGE_THEME

        templates = PACKAGE_THEME / "templates"
    env = make_environment(
        templates,
        {"site": site, "locale": loc, "lang": "en" if loc == "en" else "zh-CN"},
    )
    env.globals["tx"] = lambda key, **params: _tx(key, loc, **params)
    context = {
        "notice": view,
        "body": inline_styles(body_of(data, period)),
        "tables": tables,
        "vetoed": vetoed,
        "vetoed_lasting": vetoed_lasting,
        "corrections": corrections_of(data, period),
        "attachments": listed,
        "signed_in_body": body_signs_off(data, period),  # the body ends with its own 落款 and date
        "sample": data.period_sample(period),
        "draft": data.status(period) == "draft",
        "max_total": data.version_of(period).scheme.total,
    }
    try:
        fragment = env.get_template("export_notice.html").render(context).strip() + "\n"
        page = env.get_template("export_print.html").render(
            {**context, "fragment": Markup(fragment)}
        )
    except jinja2.TemplateError as exc:
        fail("site.template_error", loc, template="export_notice.html", path="index.html",
             error=str(exc))
    return {
        "index.html": fragment.encode("utf-8"),
        "print.html": page.encode("utf-8"),
        **attachments,
    }


# Inline styles of the elements a notice body may hold (rendered Markdown, sanitised).
STYLES = {
    "p": "margin:0 0 0.8em;text-indent:2em;line-height:1.8;",
    "h2": "font-size:1.15em;font-weight:bold;margin:1em 0 0.5em;",
    "h3": "font-size:1.05em;font-weight:bold;margin:0.8em 0 0.4em;",
    "h4": "font-size:1em;font-weight:bold;margin:0.8em 0 0.4em;",
    "h5": "font-size:1em;font-weight:bold;margin:0.6em 0 0.3em;",
    "h6": "font-size:1em;font-weight:bold;margin:0.6em 0 0.3em;",
    "ul": "margin:0 0 0.8em 2em;padding:0;line-height:1.8;",
    "ol": "margin:0 0 0.8em 2em;padding:0;line-height:1.8;",
    "li": "margin:0;",
    "blockquote": "margin:0 0 0.8em 2em;padding-left:1em;border-left:3px solid #999;",
    "table": "border-collapse:collapse;margin:0 0 1em;",
    "caption": "font-weight:bold;padding:0.3em;",
    "th": "border:1px solid #666;padding:0.3em 0.5em;background:#f2f2f2;",
    "td": "border:1px solid #666;padding:0.3em 0.5em;",
    "pre": "white-space:pre-wrap;margin:0 0 0.8em;",
    "code": "font-family:monospace;",
    "a": "color:#1a4f9c;",
    "hr": "border:0;border-top:1px solid #999;margin:1em 0;",
    "thead": "vertical-align:bottom;",
    "tbody": "vertical-align:top;",
    "tr": "vertical-align:top;",
    "strong": "font-weight:bold;",
    "b": "font-weight:bold;",
    "em": "font-style:italic;",
    "i": "font-style:italic;",
    "u": "text-decoration:underline;",
    "s": "text-decoration:line-through;",
    "sub": "font-size:0.8em;",
    "sup": "font-size:0.8em;",
    "dl": "margin:0 0 0.8em;",
    "dt": "font-weight:bold;",
    "dd": "margin:0 0 0.4em 2em;",
    "abbr": "text-decoration:none;",
}
_DEFAULT_STYLE = "margin:0;"  # any other element the sanitiser lets through
_VOID = {"br", "hr"}
_KEEP = {"title", "scope", "colspan", "rowspan", "start"}


class _Inliner(HTMLParser):
    """Re-writes sanitised HTML with an inline ``style`` on every element and no link to the site."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []

    def handle_starttag(self, tag, attrs) -> None:
        kept = []
        for name, value in attrs:
            if value is None:
                continue
            if name == "href":
                if not value.lower().startswith(("http://", "https://")):
                    continue  # a link into the site, mailto:, tel: — only absolute web links stay
                kept.append((name, value))
            elif name in _KEEP:
                kept.append((name, value))
        if tag not in _VOID or tag == "hr":
            kept.append(("style", STYLES.get(tag, _DEFAULT_STYLE)))
        text = "".join(f' {n}="{html.escape(v, quote=True)}"' for n, v in kept)
        self.out.append(f"<{tag}{text}>")

    def handle_startendtag(self, tag, attrs) -> None:
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag) -> None:
        if tag not in _VOID:
            self.out.append(f"</{tag}>")

    def handle_data(self, data) -> None:
        self.out.append(html.escape(data, quote=False))


def inline_styles(fragment: Markup | str) -> Markup:
    """Sanitised body HTML with inline styles and only absolute http(s) links."""
    if not fragment:
        return Markup("")
    parser = _Inliner()
    parser.feed(str(fragment))
    parser.close()
    return Markup("".join(parser.out))
