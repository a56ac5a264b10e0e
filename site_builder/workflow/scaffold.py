"""``site-builder new site`` and ``site-builder new period``: start a project, start a period.

A new site is made from the template files in ``skeleton/`` (package data):
every file is rendered in memory, written into a temporary folder beside the
target, checked there with the same checks ``site-builder check`` runs, and
only then moved into place; on any problem nothing is left behind.

A new period file lists every unit of every group of the scheme version in
force for the period, with every value to fill written empty (``key:``) and
``status: draft``; :mod:`site_builder.checks.scores_checks` reads such a
draft as "not filled in yet" (a warning, not an error).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import tempfile
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from site_builder import messages, periods
from site_builder.errors import InputError, Mark, Problems

SCHEME_ID = "xiaoneng"  # the scheme of a new site (its folder name under schemes/)
DEFAULT_TITLE = "【请填写网站标题】考核结果公示"
DEFAULT_ORGANISATION = "【请填写发布机关】"

messages.register(
    {
        "new.not_empty": (
            "文件夹 {dir} 不是空的（已有 {names}）",
            "请换一个新的文件夹名，如 site-builder new site 考核网站；已有的项目不需要再新建",
            "the folder {dir} is not empty (it has {names})",
            "choose a new folder name; an existing project does not need to be created again",
        ),
        "new.not_a_folder": (
            "{dir} 已存在，而且不是文件夹",
            "请换一个名称",
            "{dir} exists and is not a folder",
            "choose another name",
        ),
        "new.no_parent": (
            "上级文件夹 {dir} 不存在",
            "请先创建它，或换一个位置",
            "the parent folder {dir} does not exist",
            "create it first, or choose another place",
        ),
        "new.bad_text": (
            "{option} 不能用：{why}",
            "请写一行普通文字，如 --title \"某某县机关效能考核结果公示\"",
            "{option} cannot be used: {why_en}",
            "write one line of plain text, such as --title \"County assessment results\"",
        ),
        "new.bad_year": (
            "年度“{year}”不对",
            "请写四位数的年份，如 --year 2026",
            "“{year}” is not a year",
            "write a four-digit year, such as --year 2026",
        ),
        "new.skeleton_invalid": (
            "新网站的文件没有通过检查（程序错误，请报告）：{detail}",
            "请检查 --title、--organisation 的写法后重试",
            "the new site's files did not pass the check (a bug, please report it): {detail}",
            "check --title and --organisation and try again",
        ),
        "new.write_failed": (
            "不能写入 {path}：{error}",
            "请确认有写入权限、磁盘没有满、文件没有被其他程序占用，然后重试；没有写出任何文件",
            "cannot write {path}: {error}",
            "check the permissions, free disk space and that no other program holds the file, then try again; nothing was written",
        ),
        "new.not_a_project": (
            "{root} 不是 site-builder 项目（没有 site.yaml）",
            "请先进入项目文件夹（cd 项目文件夹），或用 --root 指明；新建项目用 site-builder new site 文件夹名",
            "{root} is not a site-builder project (no site.yaml)",
            "cd into the project folder or pass --root; create one with site-builder new site FOLDER",
        ),
        "new.project_errors": (
            "项目中有 {n} 个错误，请先改正（见上）",
            "改正后再运行 site-builder new period",
            "the project has {n} error(s), listed above",
            "fix them first, then run site-builder new period again",
        ),
        "new.unknown_scheme": (
            "方案“{scheme}”不存在{suggestion_zh}",
            "已有方案：{known}",
            "there is no scheme “{scheme}”{suggestion_en}",
            "known schemes: {known}",
        ),
        "new.unknown_version": (
            "方案“{scheme}”没有版本“{version}”{suggestion_zh}",
            "已有版本：{known}",
            "scheme “{scheme}” has no version “{version}”{suggestion_en}",
            "known versions: {known}",
        ),
        "new.bad_period": (
            "考核期“{period}”不符合方案“{scheme}”的考核周期（{kind}）{suggestion_zh}",
            "请写成如 {example} 的形式",
            "period “{period}” does not fit the period kind of scheme “{scheme}” ({kind}){suggestion_en}",
            "write it like {example}",
        ),
        "new.period_outside": (
            "考核期 {period}（{start} 至 {end}）不在方案“{scheme}”任何版本的有效期内（{windows}）",
            "请核对考核期；新年度请先增加新的方案版本文件 schemes/{scheme}/<年度>.yaml",
            "period {period} ({start} to {end}) is outside every version of scheme “{scheme}” ({windows})",
            "check the period; for a new year add a new scheme version schemes/{scheme}/<year>.yaml first",
        ),
        "new.version_outside": (
            "考核期 {period}（{start} 至 {end}）不在版本 {version} 的有效期（{window}）内",
            "请去掉 --version（自动选用有效的版本），或改用有效的版本：{fits}",
            "period {period} ({start} to {end}) is outside the effective dates of version {version} ({window})",
            "leave out --version (the version in force is chosen), or use: {fits}",
        ),
        "new.period_exists": (
            "考核期 {period} 已有记录文件 {file}",
            "不能覆盖：要重新开始，请先删除或改名该文件（旧内容在 git 历史中）；要修改，请直接编辑它或用 site-builder import",
            "period {period} already has a file: {file}",
            "it is not overwritten: delete or rename it to start again (git keeps the old content); to change it, edit it or use site-builder import",
        ),
    }
)


# ---------------------------------------------------------------- shared


def _fail(problems: Problems, locale: str) -> None:
    problems.raise_if_errors(locale)


def _one_line(value: str, option: str, problems: Problems) -> str:
    text = value.strip()
    why = None
    if not text:
        why = ("是空的", "it is empty")
    elif any(ord(c) < 0x20 or 0x7F <= ord(c) < 0xA0 or c in "\u2028\u2029\ufeff" for c in text):
        why = ("含有换行或不可见字符", "it contains a line break or an invisible character")
    elif len(text) > 200:
        why = ("超过 200 个字", "it is longer than 200 characters")
    if why is not None:
        problems.add("new.bad_text", None, option=option, why=why[0], why_en=why[1])
    return text


_PLAIN = re.compile(r"^[^\s\-?:,\[\]{}#&*!|>'\"%@`【][^:#]*$")


def yaml_scalar(text: str) -> str:
    """``text`` as a YAML scalar the project's loader reads back as this exact text."""
    from site_builder.load.scalars import yaml11_reading

    if _PLAIN.match(text) and not text.endswith(" ") and yaml11_reading(text) is None and "\\" not in text:
        return text
    return json.dumps(text, ensure_ascii=False)


def _today() -> dt.date:
    from site_builder.site.data import SHANGHAI

    return dt.datetime.now(SHANGHAI).date()


# ---------------------------------------------------------------- new site


@dataclass
class NewSite:
    target: Path
    files: list[str]
    scheme: str
    year: int
    locale: str = "zh-CN"

    def __str__(self) -> str:
        try:
            d = os.path.relpath(self.target)
        except ValueError:  # another drive on Windows
            d = str(self.target)
        if d.startswith(".."):
            d = str(self.target)
        if " " in d:
            d = f'"{d}"'
        cd = [] if d == "." else [f"  cd {d}"]
        nxt = f"{self.year}-Q2"
        if self.locale == "en":
            return "\n".join([
                f"Created the project {self.target} ({len(self.files)} files): site.yaml, units/units.yaml, "
                f"schemes/{self.scheme}/{self.year}.yaml, scores/{self.scheme}/{self.year}-Q1.yaml (a filled sample draft), "
                "content/, schema/, netlify.toml, .github/workflows/, .vscode/, README.md.",
                "Next:",
                *cd,
                "  edit site.yaml (title, publishing office, objection contact: the values marked 【请填写】),",
                f"  units/units.yaml (your units) and schemes/{self.scheme}/{self.year}.yaml (your scheme)",
                "  site-builder check",
                "  site-builder build --preview    (open _site/index.html)",
                f"  site-builder new period {self.scheme} {nxt}",
                f"  site-builder sheet {self.scheme} {nxt}",
            ])
        return "\n".join([
            f"已创建网站项目 {self.target}（{len(self.files)} 个文件）：site.yaml、units/units.yaml、"
            f"schemes/{self.scheme}/{self.year}.yaml、scores/{self.scheme}/{self.year}-Q1.yaml（已填写的示例草稿）、"
            "content/、schema/、netlify.toml、.github/workflows/、.vscode/、README.md。",
            "下一步：",
            *cd,
            "  修改 site.yaml 中标有【请填写】的网站标题、发布机关和异议受理联系方式；",
            f"  把 units/units.yaml 换成本地的被考核单位，照正式考核办法改写 schemes/{self.scheme}/{self.year}.yaml",
            "  site-builder check    检查全部文件",
            "  site-builder build --preview    生成网站（含草稿），打开 _site/index.html 查看",
            f"  site-builder new period {self.scheme} {nxt}    开始一个考核期",
            f"  site-builder sheet {self.scheme} {nxt}    生成评分表",
        ])


def _skeleton():
    return resources.files("site_builder.workflow").joinpath("skeleton")


def _walk(node, prefix: str = ""):
    for child in sorted(node.iterdir(), key=lambda c: c.name):
        rel = f"{prefix}{child.name}"
        if child.is_dir():
            if child.name == "__pycache__":
                continue
            yield from _walk(child, rel + "/")
        else:
            yield rel, child.read_bytes()


def skeleton_files(*, title: str, organisation: str, year: int, scheme: str = SCHEME_ID) -> dict[str, bytes]:
    """Every file of a new site: relative path -> bytes (schemas included)."""
    from site_builder import __version__
    from site_builder.jsonschema import KINDS, render

    plain = {
        "title": title, "organisation": organisation, "year": str(year), "scheme": scheme,
        "tool_version": __version__,
    }
    as_yaml = {**plain, "title": yaml_scalar(title), "organisation": yaml_scalar(organisation)}
    out: dict[str, bytes] = {}
    for rel, raw in _walk(_skeleton()):
        path = rel.replace("__scheme__", scheme).replace("__year__", str(year))
        text = raw.decode("utf-8")
        values = as_yaml if path.endswith((".yaml", ".yml")) else plain
        for key, value in values.items():
            text = text.replace("{{" + key + "}}", value)
        out[path] = text.encode("utf-8")
    for kind in KINDS:
        out[f"schema/{kind}.schema.json"] = render(kind).encode("utf-8")
    return dict(sorted(out.items()))


def new_site(
    target: Path,
    *,
    title: str | None = None,
    organisation: str | None = None,
    year: int | None = None,
    locale: str = "zh-CN",
) -> NewSite:
    """Create a working project in ``target`` (a new or empty folder)."""
    problems = Problems()
    title = _one_line(title, "--title", problems) if title is not None else DEFAULT_TITLE
    organisation = (
        _one_line(organisation, "--organisation", problems) if organisation is not None else DEFAULT_ORGANISATION
    )
    if year is None:
        year = _today().year
    if not 2000 <= year <= 2099:
        problems.add("new.bad_year", None, year=year)
    target = Path(os.path.abspath(target))
    shown = str(target)
    if os.path.lexists(target):
        if not target.is_dir() or target.is_symlink():
            problems.add("new.not_a_folder", None, dir=shown)
        else:
            names = sorted(os.listdir(target))
            if names:
                more = "…" if len(names) > 3 else ""
                problems.add("new.not_empty", None, dir=shown, names="、".join(names[:3]) + more)
    elif not target.parent.is_dir():
        problems.add("new.no_parent", None, dir=str(target.parent))
    _fail(problems, locale)

    files = skeleton_files(title=title, organisation=organisation, year=year)
    try:
        staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.new-", dir=target.parent))
    except OSError as exc:
        _write_failed(target.parent, exc, locale)
    try:
        umask = os.umask(0o022)
        os.umask(umask)
        os.chmod(staging, 0o777 & ~umask)  # mkdtemp makes it private; the project is an ordinary folder
        for rel, data in files.items():
            p = staging / rel
            p.parent.mkdir(parents=True, exist_ok=True)
            p.write_bytes(data)
        _check_new(staging, locale)
        if os.path.lexists(target):
            _move_into(staging, target)  # an empty folder (checked above), perhaps the current one: keep it
        else:
            os.rename(staging, target)
    except OSError as exc:
        shutil.rmtree(staging, ignore_errors=True)
        _write_failed(target, exc, locale)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return NewSite(target=target, files=list(files), scheme=SCHEME_ID, year=year, locale=locale)


def _write_failed(path: Path, exc: OSError, locale: str) -> None:
    problems = Problems()
    problems.add("new.write_failed", None, path=str(path), error=exc.strerror or type(exc).__name__)
    raise InputError(problems.sorted(), locale) from None


def _move_into(staging: Path, target: Path) -> None:
    """Move the staged files into the existing empty folder ``target``; on failure take them out again."""
    moved: list[Path] = []
    try:
        for child in sorted(staging.iterdir()):
            dest = target / child.name
            if os.path.lexists(dest):  # appeared meanwhile: never overwrite
                raise FileExistsError(str(dest))
            os.rename(child, dest)
            moved.append(dest)
    except BaseException:
        for dest in moved:
            if dest.is_dir() and not dest.is_symlink():
                shutil.rmtree(dest, ignore_errors=True)
            else:
                dest.unlink(missing_ok=True)
        raise
    os.rmdir(staging)


def _check_new(root: Path, locale: str) -> None:
    from site_builder.site.records.verify import check_project

    try:
        check_project(root, locale=locale, warnings=Problems())
    except InputError as exc:
        detail = "; ".join(p.render(locale) for p in exc.problems[:3])
        problems = Problems()
        problems.add("new.skeleton_invalid", None, detail=detail)
        raise InputError(problems.sorted(), locale) from None


# ---------------------------------------------------------------- new period


@dataclass
class NewPeriod:
    path: str
    scheme: str
    version: str
    period: str
    name: str
    units: int
    to_fill: int
    optional: dict[str, str] = field(default_factory=dict)  # leaf id -> name, lines left out
    crlf: bool = False
    locale: str = "zh-CN"

    def __str__(self) -> str:
        s, p = self.scheme, self.period
        if self.locale == "en":
            lines = [
                f"Created {self.path}: {self.name}, scored by version {self.version}, {self.units} units, "
                f"{self.to_fill} value(s) to fill (status: draft, not published).",
            ]
            if self.optional:
                lines.append(f"Lines counted per occurrence ({', '.join(self.optional.values())}) are left out: "
                             "add them to a unit only when something happened.")
            lines += [
                "Next:",
                f"  site-builder sheet {s} {p}    scoring workbook for the assessors",
                "  site-builder import <workbook>    import the filled workbook (or fill in the file above directly)",
                "  site-builder check",
            ]
            return "\n".join(lines)
        lines = [
            f"已创建 {self.path}：{self.name}，按方案版本 {self.version} 计分，{self.units} 个单位，"
            f"共 {self.to_fill} 项待填写（草稿 status: draft，不会发布）。",
        ]
        if self.optional:
            lines.append(f"按次计分的项目（{'、'.join(self.optional.values())}）没有列出：哪个单位发生了，再在它的 facts 下加一行。")
        lines += [
            "下一步：",
            f"  site-builder sheet {s} {p}    生成评分表，交评分人填写",
            "  site-builder import <评分表文件>    导入填好的评分表（也可以直接在上面的文件中填写）",
            "  site-builder check    检查",
        ]
        return "\n".join(lines)


def _project_locale(root: Path) -> str:
    from site_builder.pipeline import _guess_locale

    return _guess_locale(root)


def _choose_version(scheme: str, period: str, versions: dict, wanted: str | None, problems: Problems):
    """(SchemeVersion, (start, end, name, name_en)) for ``period``, or None with problems added."""
    if wanted is not None:
        sv = versions.get(wanted)
        if sv is None:
            problems.add("new.unknown_version", None, scheme=scheme, version=wanted, known=", ".join(versions),
                         **messages.did_you_mean(wanted, list(versions)))
            return None
        parsed = periods.parse_period(period, sv.scheme.period)
        if parsed is None:
            _bad_period(scheme, period, sv, problems)
            return None
        start, end = parsed[0], parsed[1]
        if not _inside(sv, start, end):
            fits = [v for v, x in versions.items() if _fits(x, period)]
            problems.add("new.version_outside", None, period=period, start=start, end=end, version=wanted,
                         window=_window(sv), fits=", ".join(fits) or "—")
            return None
        return sv, parsed
    fitting = [sv for sv in versions.values() if _fits(sv, period)]
    if fitting:
        sv = max(fitting, key=lambda v: (v.start, v.version))
        return sv, periods.parse_period(period, sv.scheme.period)
    parsed_any = [(sv, periods.parse_period(period, sv.scheme.period)) for sv in versions.values()]
    parsed_any = [(sv, p) for sv, p in parsed_any if p is not None]
    if not parsed_any:
        _bad_period(scheme, period, list(versions.values())[-1], problems)
        return None
    start, end = parsed_any[0][1][0], parsed_any[0][1][1]
    problems.add("new.period_outside", None, period=period, start=start, end=end, scheme=scheme,
                 windows="；".join(f"{v}：{_window(sv)}" for v, sv in versions.items()))
    return None


def _bad_period(scheme: str, period: str, sv, problems: Problems) -> None:
    spec = sv.scheme.period
    known = [st.id for st in spec.stages] if spec.kind == "stage" else []
    example = ", ".join(known) if known else periods.example(spec.kind)
    problems.add("new.bad_period", None, period=period, scheme=scheme, kind=spec.kind, example=example,
                 **messages.did_you_mean(period, known))


def _inside(sv, start: dt.date, end: dt.date) -> bool:
    eff = sv.scheme.effective
    return eff.start <= start and (eff.until is None or end <= eff.until)


def _fits(sv, period: str) -> bool:
    parsed = periods.parse_period(period, sv.scheme.period)
    return parsed is not None and _inside(sv, parsed[0], parsed[1])


def _window(sv) -> str:
    eff = sv.scheme.effective
    return f"{eff.start} 至 {eff.until or '长期'}"


def _existing(root: Path, scheme: str, period: str) -> str | None:
    """A file that already holds ``period`` of ``scheme`` (by name, a copy's name, or its ``period:``)."""
    from site_builder.load.files import copy_key, display_path, list_files
    from site_builder.load.yamlsafe import load_yaml_bytes

    folder = root / "scores" / scheme
    if not folder.is_dir():
        return None
    want = copy_key(period)
    candidates = list_files(folder, root, Problems())
    for path in candidates:
        if path.stem == period or copy_key(path.stem) == want:
            return display_path(path, root)
    for path in candidates:
        try:
            doc = load_yaml_bytes(path.read_bytes(), display_path(path, root), Problems())
        except OSError:
            continue
        if doc is not None and isinstance(doc.data, dict) and str(doc.data.get("period", "")).strip() == period:
            return display_path(path, root)
    return None


def period_document(project, sv, period: str, start: dt.date, stage: str | None, end: dt.date | None = None,
                    locale: str = "zh-CN"):
    """``(doc, unit_comments, group_comments, to_fill, optional_names)`` for a new period file."""
    from site_builder.checks.tree import applies

    scheme = sv.scheme
    units: dict[str, dict] = {}
    unit_comments: dict[str, str] = {}
    group_comments: dict[str, str] = {}
    optional: dict[str, str] = {}
    to_fill = 0
    for group in scheme.groups:
        chain = sv.chains[sv.group_tree[group.id]]
        members = []
        for uid in group.units:
            unit = project.units.get(uid)
            if unit is not None and unit.retired is not None and unit.retired.date <= start:
                continue  # retired: it may not appear in a later period
            members.append(uid)
        for i, uid in enumerate(members):
            facts: dict[str, None] = {}
            for leaf_id, nodes in chain.items():
                rule = nodes[-1].rule
                if rule is None or rule.reads_history or not applies(nodes, uid, group.id, period, stage):
                    continue  # a history line is computed from earlier results: nothing to fill
                if rule.facts_optional:
                    optional.setdefault(leaf_id, nodes[-1].name)
                    continue
                if rule.group_relative and getattr(rule, "of", None):
                    continue  # computed from other lines
                facts[leaf_id] = None
            to_fill += len(facts)
            units[uid] = {"facts": facts}
            unit = project.units.get(uid)
            # the name the notice will show: the one in use when the period ends
            unit_comments[uid] = _name_at(unit, end or start) if unit is not None else uid
            if i == 0:
                group_comments[uid] = (f"{group.name} ({len(members)} units)" if locale == "en"
                                       else f"{group.name}（{len(members)} 个单位）")
    doc = {"scheme": sv.id, "version": sv.version, "period": period, "status": "draft", "units": units}
    return doc, unit_comments, group_comments, to_fill, optional


def _name_at(unit, day: dt.date) -> str:
    for former in sorted(unit.former_names, key=lambda f: f.until):
        if day <= former.until:
            return former.name
    return unit.name


def new_period(root: Path, scheme: str, period: str, *, version: str | None = None,
               locale: str | None = None) -> NewPeriod:
    """Write ``scores/<scheme>/<period>.yaml``: a draft listing every value to fill."""
    from site_builder.load.files import display_path
    from site_builder.pipeline import load_project
    from site_builder.workflow.periodfile import period_text, write_new

    root = Path(os.path.abspath(root))
    problems = Problems()
    if not (root / "site.yaml").exists():
        loc = locale or "zh-CN"
        problems.add("new.not_a_project", None, root=str(root))
        _fail(problems, loc)
    loc = locale or _project_locale(root)
    scheme = scheme.strip()
    period = period.strip()
    loaded = Problems()
    project = load_project(root, loaded)
    if project is None:
        errors = [p for p in loaded.sorted() if p.severity == "error"]
        tail = Problems()
        tail.add("new.project_errors", None, n=len(errors))
        raise InputError([*errors, *tail.items], loc)
    loc = locale or project.site.locale
    versions = project.schemes.get(scheme)
    if versions is None:
        known = sorted(project.schemes)
        problems.add("new.unknown_scheme", None, scheme=scheme, known=", ".join(known) or "—",
                     **messages.did_you_mean(scheme, known))
        _fail(problems, loc)
    chosen = _choose_version(scheme, period, versions, version, problems)
    _fail(problems, loc)
    sv, (start, end, name, name_en) = chosen
    path = root / "scores" / scheme / f"{period}.yaml"
    shown = display_path(path, root)
    other = _existing(root, scheme, period)
    if other is not None or os.path.lexists(path):
        problems.add("new.period_exists", Mark(other or shown), period=period, file=other or shown)
        _fail(problems, loc)
    stage = periods.stage_of(start, end, sv.scheme.period)
    doc, unit_comments, group_comments, to_fill, optional = period_document(project, sv, period, start, stage, end, loc)
    header = _header(sv, name, name_en, optional, loc)
    rel_schema = os.path.relpath(root / "schema" / "scores.schema.json", path.parent).replace(os.sep, "/")
    text = period_text(doc, schema=rel_schema, header=header, unit_comments=unit_comments,
                       group_comments=group_comments)
    _verify_period_text(text, shown, project, sv, loc)
    crlf = _uses_crlf(root)
    try:
        write_new(path, text, crlf=crlf)
    except FileExistsError:
        problems.add("new.period_exists", Mark(shown), period=period, file=shown)
        _fail(problems, loc)
    except OSError as exc:
        _write_failed(path, exc, loc)
    return NewPeriod(path=shown, scheme=scheme, version=sv.version, period=period,
                     name=name_en if loc == "en" else name, units=len(doc["units"]), to_fill=to_fill,
                     optional=optional, crlf=crlf, locale=loc)


def _fact_hint(node, locale: str) -> str:
    """What to write for one line, as an end-of-line comment: name, maximum, levels."""
    from site_builder.scoring.rules.base import fmt

    rule = node.rule
    parts = [node.name]
    if node.max is not None:
        parts.append(f"max {fmt(node.max)}" if locale == "en" else f"满分{fmt(node.max)}")
    levels = getattr(rule, "levels", None)
    if rule is not None and rule.kind == "levels" and levels:
        sep = "/" if locale == "en" else "、"
        parts.append(("levels: " if locale == "en" else "等次：") + sep.join(lv.name for lv in levels))
    elif rule is not None and rule.primary == "value" and getattr(rule, "label", None):
        unit = getattr(rule, "unit", None) or ""
        parts.append(f"{rule.label}{unit and ' ' + unit}")
    return "，".join(parts) if locale != "en" else ", ".join(parts)


def _legend(sv, locale: str) -> list[str]:
    """One comment line per line to fill (id, name, maximum, levels), per indicator tree in use."""
    trees: dict[str, list[str]] = {}
    for group in sv.scheme.groups:
        trees.setdefault(sv.group_tree[group.id], []).append(group.name)
    out: list[str] = []
    for tree_id, groups in trees.items():
        chain = sv.chains[tree_id]
        if len(trees) > 1:
            out.append(("  " + ", ".join(groups) + ":") if locale == "en" else ("  " + "、".join(groups) + "："))
        width = max((len(k) for k in chain), default=0)
        for leaf_id, nodes in chain.items():
            node = nodes[-1]
            if node.rule is None or node.rule.reads_history:
                continue
            hint = _fact_hint(node, locale)
            if node.rule.facts_optional:
                hint += " (per occurrence: only when it happened)" if locale == "en" else "（按次计分：发生了才写）"
            out.append(f"    {leaf_id.ljust(width)}  {hint}")
    return out


def _header(sv, name: str, name_en: str, optional: dict[str, str], locale: str) -> list[str]:
    if locale == "en":
        header = [
            f"{name_en}: {sv.scheme.title}, version {sv.version}. Facts, not points: the scheme computes the points.",
            "Fill in every empty value (key: with nothing after it); write na where a line does not apply",
            "(if the scheme allows it). A draft is not published and not computed until every value is filled.",
        ]
        if optional:
            first = next(iter(optional))
            header.append("Lines counted per occurrence (marked below) are not listed: nothing written means nothing")
            header.append(f"happened; when it did, add a line to that unit's facts, e.g. {first}: 1")
        return [*header, "What each key is:", *_legend(sv, locale)]
    header = [
        f"{name}：{sv.scheme.title}（版本 {sv.version}）。记录的是事实，分数由方案计算。",
        "请填写每一个空着的项目（“键:”后面是空的）；本项不适用且方案允许时写 na。",
        "草稿（status: draft）不会发布；全部填写之前不计算得分。",
    ]
    if optional:
        first = next(iter(optional))
        header.append("下面标“按次计分”的项目没有列出：没有发生就不用写；哪个单位发生了，")
        header.append(f"再在它的 facts 下加一行写次数，如 {first}: 1")
    return [*header, "各项的含义：", *_legend(sv, locale)]


def _verify_period_text(text: str, shown: str, project, sv, locale: str) -> None:
    """The new file, read back as ``check`` will read it: nothing but the draft's warning."""
    from site_builder.checks.scores_checks import check_period
    from site_builder.load.yamlsafe import load_yaml_bytes
    from site_builder.schema.convert import validate
    from site_builder.schema.scores import ScoresFile

    problems = Problems()
    doc = load_yaml_bytes(text.encode("utf-8"), shown, problems)
    scores = validate(ScoresFile, doc, problems) if doc is not None else None
    if scores is not None:
        check_period(shown, doc, scores, sv, project.units, problems)
    if problems.errors:
        detail = "; ".join(p.render(locale) for p in problems.errors[:3])
        out = Problems()
        out.add("new.skeleton_invalid", None, detail=detail)
        raise InputError(out.sorted(), locale)


def _uses_crlf(root: Path) -> bool:
    """Does this checkout use Windows line endings (git core.autocrlf)? Judged by site.yaml."""
    try:
        return b"\r\n" in (root / "site.yaml").read_bytes()[:65536]
    except OSError:
        return False


__all__ = ["NewPeriod", "NewSite", "new_period", "new_site", "period_document", "skeleton_files", "yaml_scalar"]
