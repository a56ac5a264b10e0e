"""The first half of the build: load → validate → model → score → rank.

``site-builder check`` is :func:`check`; ``build`` continues with the site
stage.  Each step is a plain function of its inputs.
"""

from __future__ import annotations

from pathlib import Path

from site_builder import messages
from site_builder.checks.scheme_checks import check_scheme
from site_builder.checks.scores_checks import check_period
from site_builder.errors import InputError, Problems, rel
from site_builder.load.yamlsafe import Document, load_yaml_file
from site_builder.model import Period, Project, SchemeVersion
from site_builder.schema.convert import validate
from site_builder.schema.scheme import Scheme
from site_builder.schema.scores import ScoresFile
from site_builder.schema.site import Site
from site_builder.schema.types import _ID
from site_builder.schema.units import Unit, UnitsFile

messages.register(
    {
        "project.no_site": ("找不到 site.yaml", "请在项目根目录创建 site.yaml（见 docs/formats.md）", "site.yaml not found", "create site.yaml at the project root (see docs/formats.md)"),
        "project.no_units": ("找不到单位名册（units.yaml 或 units/*.yaml）", "请创建单位名册", "no unit registry (units.yaml or units/*.yaml)", "create the unit registry"),
        "project.duplicate_unit": ("单位标识“{id}”重复（{other} 已登记）", "每个单位的标识必须唯一", "unit id “{id}” is registered twice (also in {other})", "unit ids must be unique"),
        "project.bad_folder_id": ("文件夹名“{name}”不能作为方案标识", "只能用小写英文字母、数字、连字符", "folder name “{name}” is not a valid scheme id", "use lowercase letters, digits and hyphens"),
        "project.unknown_scheme": ("方案“{scheme}”不存在（schemes/{scheme}/）{suggestion_zh}", "已有方案：{known}", "scheme “{scheme}” does not exist (schemes/{scheme}/){suggestion_en}", "known schemes: {known}"),
        "project.unknown_version": ("方案“{scheme}”没有版本“{version}”", "已有版本：{known}", "scheme “{scheme}” has no version “{version}”", "known versions: {known}"),
        "project.scores_folder": ("记录文件应放在 scores/<方案标识>/ 下，且文件夹名与 scheme 一致（此处为“{folder}”，文件写的是“{scheme}”）", "请移动文件或改正 scheme", "period files belong in scores/<scheme-id>/ matching scheme (folder “{folder}”, file says “{scheme}”)", "move the file or fix scheme"),
        "project.unknown_parent": ("上级单位“{parent}”未登记", "请先登记该单位，或删除 parent", "parent unit “{parent}” is not registered", "register it or remove parent"),
    }
)


def _yaml_files(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.rglob("*") if p.suffix in (".yaml", ".yml") and p.is_file())


def _load(path: Path, root: Path, problems: Problems, sources: dict[str, bytes]) -> Document | None:
    display = rel(path, root)
    try:
        sources[display] = path.read_bytes()
    except OSError:
        pass
    return load_yaml_file(path, display, problems)


def load_project(root: Path, problems: Problems) -> Project | None:
    """Read and validate every source file; ``None`` when anything is wrong."""
    root = root.resolve()
    sources: dict[str, bytes] = {}
    site = None
    site_path = root / "site.yaml"
    if not site_path.is_file():
        problems.add("project.no_site", None)
    else:
        doc = _load(site_path, root, problems, sources)
        if doc is not None:
            site = validate(Site, doc, problems)
    # units
    units: dict[str, Unit] = {}
    unit_src: dict[str, str] = {}
    unit_files = ([root / "units.yaml"] if (root / "units.yaml").is_file() else []) + _yaml_files(root / "units")
    if not unit_files:
        problems.add("project.no_units", None)
    unit_docs = []
    units_complete = True  # False when a registry file could not be read: its ids are unknown, not missing
    for path in unit_files:
        doc = _load(path, root, problems, sources)
        if doc is None:
            units_complete = False
            continue
        uf = validate(UnitsFile, doc, problems)
        if uf is None:
            units_complete = False
            continue
        unit_docs.append((doc, uf))
        for i, u in enumerate(uf.units):
            if u.id in units:
                problems.add("project.duplicate_unit", doc.mark(("units", i, "id")), id=u.id, other=unit_src[u.id])
            else:
                units[u.id] = u
                unit_src[u.id] = doc.display
    for doc, uf in unit_docs:
        for i, u in enumerate(uf.units):
            if u.parent and u.parent not in units and units_complete:
                problems.add("project.unknown_parent", doc.mark(("units", i, "parent")), parent=u.parent)
    # schemes
    schemes: dict[str, dict[str, SchemeVersion]] = {}
    scheme_folders = sorted(p for p in (root / "schemes").iterdir() if p.is_dir()) if (root / "schemes").is_dir() else []
    for folder in scheme_folders:
        if not _ID.match(folder.name):
            problems.add("project.bad_folder_id", None, name=rel(folder, root))
            continue
        versions: list[SchemeVersion] = []
        for path in _yaml_files(folder):
            doc = _load(path, root, problems, sources)
            if doc is None:
                continue
            scheme = validate(Scheme, doc, problems)
            if scheme is None:
                continue
            sv = check_scheme(folder.name, path.stem, doc.display, scheme, doc, problems, units, units_complete)
            if sv is not None:
                versions.append(sv)
        if versions:
            schemes[folder.name] = {v.version: v for v in sorted(versions, key=lambda v: (v.start, v.version))}
    # periods
    found: list[Period] = []
    seen: dict[tuple[str, str], str] = {}
    for path in _yaml_files(root / "scores"):
        doc = _load(path, root, problems, sources)
        if doc is None:
            continue
        scores = validate(ScoresFile, doc, problems)
        if scores is None:
            continue
        folder = path.relative_to(root / "scores").parts[0] if len(path.relative_to(root / "scores").parts) > 1 else ""
        if folder != scores.scheme:
            problems.add("project.scores_folder", doc.mark(("scheme",)), folder=folder or "scores", scheme=scores.scheme)
        if scores.scheme not in schemes:
            known = sorted({f.name for f in scheme_folders})
            if scores.scheme not in known:  # a scheme that failed its own checks is reported there
                problems.add("project.unknown_scheme", doc.mark(("scheme",)), scheme=scores.scheme, known=", ".join(known),
                             **messages.did_you_mean(scores.scheme, known))
            continue
        sv = schemes[scores.scheme].get(scores.version)
        if sv is None:
            problems.add("project.unknown_version", doc.mark(("version",)), scheme=scores.scheme, version=scores.version, known=", ".join(schemes[scores.scheme]))
            continue
        key = (scores.scheme, scores.period)
        if key in seen:
            problems.add("scores.duplicate_period", doc.mark(("period",)), period=scores.period, other=seen[key])
            continue
        seen[key] = doc.display
        period = check_period(doc.display, doc, scores, sv, units, problems, content_root=root / "content")
        if period is not None:
            found.append(period)
            body = scores.notice.body if scores.notice else None
            if body and (root / "content" / body).is_file():
                sources[f"content/{body}"] = (root / "content" / body).read_bytes()
    if problems.errors or site is None:
        return None
    found.sort(key=lambda p: (p.scheme, p.start, p.id))
    return Project(root=root, site=site, units=units, schemes=schemes, periods=tuple(found), sources=dict(sorted(sources.items())))


def compute(project: Project, include_drafts: bool = True):
    """Score and rank every period: ``{(scheme, period): PeriodResult}``."""
    from site_builder.scoring.engine import compute_all

    return compute_all(project, include_drafts=include_drafts)


def check(root: Path, locale: str | None = None, warnings: Problems | None = None, include_drafts: bool = True):
    """Load, validate, score and rank: ``(project, results)``.

    Raises :class:`InputError` listing every problem; warnings (e.g. a BOM)
    are added to ``warnings`` when given.  Drafts are checked either way;
    ``include_drafts=False`` leaves them out of the computed results (so they
    cannot move published cumulative totals or streaks).
    """
    problems = Problems()
    project = load_project(root, problems)
    loc = locale or (project.site.locale if project else _guess_locale(root))
    if warnings is not None:
        warnings.extend(problems.warnings)
    if project is None:
        raise InputError(problems.sorted(), loc)
    results = compute(project, include_drafts=include_drafts)
    return project, results


def _guess_locale(root: Path) -> str:
    """The site's locale for messages even when site.yaml has other problems."""
    try:
        text = (root / "site.yaml").read_text("utf-8")
    except (OSError, UnicodeDecodeError):
        return "zh-CN"
    for line in text.splitlines():
        if line.strip().replace('"', "").replace("'", "") == "locale: en":
            return "en"
    return "zh-CN"
