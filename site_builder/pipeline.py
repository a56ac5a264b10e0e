"""The first half of the build: load → validate → model → score → rank.

``site-builder check`` is :func:`check`; ``build`` continues with the site
stage.  Each step is a plain function of its inputs.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import pickle
import re
import threading
import unicodedata
from pathlib import Path

from site_builder import aside, messages
from site_builder.checks.input_checks import check_inputs
from site_builder.checks.scheme_checks import check_scheme
from site_builder.checks.scores_checks import check_period
from site_builder.collector import paused, settled
from site_builder.errors import InputError, Mark, Problems
from site_builder.load.cache import SourceCache, digest
from site_builder.load.files import (
    MAX_BYTES,
    PERIOD_MAX_BYTES,
    UNITS_MAX_BYTES,
    copy_key,
    display_path,
    list_files,
    list_folders,
    read_source,
)
from site_builder.load import yamlsplice
from site_builder.load.yamlsafe import Document, load_yaml_bytes
from site_builder.model import Period, Project, SchemeVersion
from site_builder.schema import extends
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
        "project.duplicate_version": (
            "方案版本“{name}”有多个文件：{files}",
            "一个版本只能有一个文件：请删除副本 {others}（旧的内容在 git 历史中，不必另存一份）",
            "scheme version “{name}” has several files: {files}",
            "one file per version: delete the copies {others} (git keeps the old content)"),
        "project.duplicate_period_file": (
            "考核期“{name}”有多个文件：{files}",
            "一个考核期只能有一个文件：请删除副本 {others}（旧的内容在 git 历史中，不必另存一份）",
            "period “{name}” has several files: {files}",
            "one file per period: delete the copies {others} (git keeps the old content)"),
        "project.nested_version": (
            "方案版本文件必须直接放在 schemes/{scheme}/ 下，不能放在下级文件夹中",
            "请移动到 {target}，或删除它（旧版本请保留在 schemes/{scheme}/ 下，以版本号命名）",
            "scheme version files belong directly in schemes/{scheme}/, not in a subfolder",
            "move it to {target} or delete it (keep earlier versions in schemes/{scheme}/, named by version)"),
        "project.bad_version_name": (
            "文件名“{name}”不能作为方案版本标识",
            "版本标识只能用小写英文字母、数字、连字符和下划线，如 {guess}.yaml；副本请删除",
            "file name “{name}” is not a valid scheme version id",
            "use lowercase ASCII letters, digits, '-' and '_', such as {guess}.yaml; delete copies"),
        "project.unknown_parent": ("上级单位“{parent}”未登记", "请先登记该单位，或删除 parent", "parent unit “{parent}” is not registered", "register it or remove parent"),
    }
)


#: The size cap of each kind of source file (docs/formats.md, limits): a period file or a
#: unit registry of a province is large; a scheme or site.yaml that large is a mistake.
CAPS = {"site": MAX_BYTES, "units": UNITS_MAX_BYTES, "scheme": MAX_BYTES, "scores": PERIOD_MAX_BYTES}


def _load(path: Path, root: Path, problems: Problems, sources: dict[str, bytes], cache: SourceCache,
          kind: str, model=None) -> tuple[Document | None, object]:
    """Read one YAML source (inside the project, regular, size-capped first), load and validate it.

    Returns ``(document, model instance)``; either is None after its problems were reported.
    """
    display = display_path(path, root)
    raw = read_source(path, display, root, problems, CAPS[kind])
    if raw is None:
        return None, None
    sources[display] = raw
    return _parse(raw, display, problems, cache, kind, model)


def _parse(raw: bytes, display: str, problems: Problems, cache: SourceCache, kind: str,
           model=None, splice: bool = False) -> tuple[Document | None, object]:
    """The document of ``raw`` and its validated model, from the cache when the bytes were seen before.

    Only a file without any problem (error or warning) is stored, so problems
    always come from a fresh parse, at their line and column.  With ``splice`` (a period file), an
    edit of one entry since the last clean parse is read alone (:func:`_spliced`): the document then
    has no positions (:func:`yamlsplice.is_bare`) and the caller parses again whole
    (``splice=False``) when anything is said about it.
    """
    key = _parse_key(raw, display, kind)
    hit = cache.get(key)
    if (isinstance(hit, tuple) and len(hit) == 2 and isinstance(hit[0], Document)
            and hit[0].display == display and (model is None or isinstance(hit[1], model))):
        if kind == "scores":
            cache.put(_last_key(display), (key, raw, yamlsplice.light(hit[0])))  # the next edit starts here
        return hit
    if splice:
        got = _spliced(raw, display, cache, key, model)
        if got is not None:
            return got
    before = len(problems.items)
    doc = load_yaml_bytes(raw, display, problems, CAPS[kind])
    value = validate(model, doc, problems) if doc is not None and model is not None else None
    if doc is not None and len(problems.items) == before and (model is None or value is not None):
        cache.put(key, (doc, value), size=len(raw))
        if kind == "scores":
            cache.put(_last_key(display), (key, raw, yamlsplice.light(doc)))
    return doc, value


def _parse_key(raw: bytes, display: str, kind: str) -> str:
    return SourceCache.key(kind, display, str(CAPS[kind]), digest(raw))


def _last_key(display: str) -> str:
    """The entry of the last clean parse of period file ``display``: (its parse key, its bytes, what
    an edit is spliced from: :func:`yamlsplice.light`)."""
    return SourceCache.key("last parse", "scores", display)


def _spliced(raw: bytes, display: str, cache, key: str, model) -> tuple[Document, object] | None:
    """A period file edited in one entry since its last clean parse: its data made from what that
    parse stored by re-reading only the entry that changed (:func:`yamlsplice.spliced`), validated,
    as a document without positions; None (parse it whole) when it cannot be, or anything is said.
    Under the tests' check the whole parse is made too and must be the same."""
    last = cache.get(_last_key(display))
    if not (isinstance(last, tuple) and len(last) == 3 and isinstance(last[0], str)
            and isinstance(last[1], bytes)) or last[0] == key:
        return None
    parts = yamlsplice.spliced(last[1], last[2], raw, display, CAPS["scores"])
    if parts is None:
        return None
    if yamlsplice.checking():
        whole = load_yaml_bytes(raw, display, Problems(), CAPS["scores"])
        assert whole is not None and yamlsplice.same_document(yamlsplice.document(display, parts), whole), \
            f"{display}: spliced document differs"
    doc = yamlsplice.bare(display, parts[0])
    said = Problems()
    value = validate(model, doc, said) if model is not None else None
    if said.items or (model is not None and value is None):
        return None
    cache.put(_last_key(display), (key, raw, parts))  # (no entry of the document: it has no positions)
    return doc, value


def _validated_scheme(doc: Document, chain: str, cache: SourceCache, problems: Problems) -> Scheme | None:
    """The scheme of ``doc``, validated, from the cache when the same bytes (with the versions it
    extends: ``chain``) were validated before without a word said: building pydantic's validator for
    the scheme and running it take 30–40 ms, a twentieth of a rebuild after an edit of one period.
    Only a clean validation is stored, so a problem always comes from a fresh one, located."""
    key = SourceCache.key("scheme model", chain)
    hit = cache.get(key)
    if isinstance(hit, Scheme):
        return hit
    before = len(problems.items)
    scheme = validate(Scheme, doc, problems)
    if scheme is not None and len(problems.items) == before:
        cache.put(key, scheme)
    return scheme


def _calendar_digest(root: Path) -> bytes:
    """What ``calendar.yaml`` holds (periods are checked against it), or that there is none."""
    from site_builder.workflow.workdays import CALENDAR_FILE

    path = root / CALENDAR_FILE
    if not os.path.lexists(path):
        return b"no calendar"
    raw = read_source(path, CALENDAR_FILE, root, Problems())
    return b"unreadable" if raw is None else digest(raw)


def _cached_period(hit: object, root: Path, display: str) -> tuple[Period, dict[str, bytes]] | None:
    """A checked period from the cache, when its notice body still holds the same bytes."""
    if not (isinstance(hit, tuple) and len(hit) == 2 and isinstance(hit[0], Period)
            and isinstance(hit[1], dict) and hit[0].path == display):
        return None
    period, bodies = hit
    read: dict[str, bytes] = {}
    for name, want in bodies.items():
        if not isinstance(name, str) or not name.startswith("content/"):
            return None
        scratch = Problems()
        raw = read_source(root / name, name, root, scratch)
        if raw is None or scratch.items or digest(raw) != want:
            return None
        read[name] = raw
    return period, read


def _preferred(path: Path, top: Path, canonical=lambda stem: True) -> tuple:
    """Which of several files for one version or period is taken as the real one.

    The file directly in the folder, whose name has no copy marks, is a valid
    id (for versions), ends in ``.yaml``, then the first by name.
    """
    nested = len(path.relative_to(top).parts) > 1
    marked = copy_key(path.stem) != unicodedata.normalize("NFKC", path.stem).casefold()
    return (nested, marked, not canonical(path.stem), path.suffix != ".yaml", path.as_posix())


def _one_per_key(files: list[Path], top: Path, root: Path, problems: Problems, code: str,
                 key=lambda p, top: copy_key(p.stem), canonical=lambda stem: True) -> list[Path]:
    """Group ``files`` by their name without copy marks; report each group of several once.

    Returns the preferred file of every group (see :func:`_preferred`); the
    copies are not read at all.
    """
    groups: dict[object, list[Path]] = {}
    for path in files:
        groups.setdefault(key(path, top), []).append(path)
    kept: list[Path] = []
    for _, group in sorted(groups.items(), key=lambda kv: min(p.as_posix() for p in kv[1])):
        group.sort(key=lambda p: _preferred(p, top, canonical))
        first = group[0]
        if len(group) > 1:
            names = [display_path(p, root) for p in group]
            problems.add(code, Mark(names[1]), name=first.stem, files=", ".join(names),
                         others=", ".join(names[1:]))
        kept.append(first)
    return sorted(kept)


def _period_key(path: Path, top: Path) -> tuple[str, str]:
    parts = path.relative_to(top).parts
    return (parts[0] if len(parts) > 1 else "", copy_key(path.stem))


def load_project(root: Path, problems: Problems, cache: SourceCache | None = None) -> Project | None:
    """Read and validate every source file; ``None`` when anything is wrong.

    ``cache`` (default: the project's ``.site-builder/cache/``, unless
    ``SITE_BUILDER_NO_CACHE`` is set) keeps what unchanged files loaded to.
    """
    root = root.resolve()
    if cache is None:
        cache = SourceCache(root)
    # Loading makes hundreds of thousands of small objects and almost no garbage: the
    # collector would only walk them again and again (2/3 of a warm load, 1/3 of a cold one).
    with paused():
        return _load_project(root, problems, cache)


def _load_project(root: Path, problems: Problems, cache: SourceCache) -> Project | None:
    sources: dict[str, bytes] = {}
    site = None
    site_path = root / "site.yaml"
    if not os.path.lexists(site_path):
        problems.add("project.no_site", None)
    else:
        _, site = _load(site_path, root, problems, sources, cache, "site", Site)
    # units
    units: dict[str, Unit] = {}
    unit_src: dict[str, str] = {}
    registry = root / "units.yaml"
    unit_files = ([registry] if os.path.lexists(registry) else []) + list_files(root / "units", root, problems)
    if not unit_files and not os.path.lexists(root / "units"):
        problems.add("project.no_units", None)
    elif not unit_files:
        problems.add("project.no_units", Mark("units"))
    unit_docs = []
    units_complete = True  # False when a registry file could not be read: its ids are unknown, not missing
    for path in unit_files:
        doc, uf = _load(path, root, problems, sources, cache, "units", UnitsFile)
        if doc is None or uf is None:
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
    # schemes: schemes/<id>/<version>.yaml, one file per version, nothing nested
    schemes: dict[str, dict[str, SchemeVersion]] = {}
    written: dict[str, set[str]] = {}  # scheme id -> its version files, also those with problems
    scheme_docs: dict[str, Document] = {}  # by path, for the checks across schemes (inputs)
    scheme_folders = list_folders(root / "schemes", root, problems)
    for folder in scheme_folders:
        if not _ID.match(folder.name):
            problems.add("project.bad_folder_id", None, name=display_path(folder, root))
            continue
        versions: list[SchemeVersion] = []
        files = _one_per_key(list_files(folder, root, problems), folder, root, problems, "project.duplicate_version",
                             canonical=lambda stem: bool(_ID.match(stem)))
        docs: dict[str, Document] = {}
        present = written.setdefault(folder.name, set())
        for path in files:
            display = display_path(path, root)
            if len(path.relative_to(folder).parts) > 1:
                problems.add("project.nested_version", Mark(display), scheme=folder.name,
                             target=f"{display_path(folder, root)}/{path.name}")
                continue
            if not _ID.match(path.stem):
                problems.add("project.bad_version_name", Mark(display), name=path.stem,
                             **_suggest_id(path.stem))
                continue
            present.add(path.stem)
            doc, _ = _load(path, root, problems, sources, cache, "scheme")
            if doc is not None:
                docs[path.stem] = doc
        # a version written as changes to another (extends:) is built after it, over its merged document
        built: dict[str, Document] = {}
        chains: dict[str, str] = {}  # version -> the digest of its file's bytes and those it extends
        for version in extends.in_order(folder.name, docs, problems, present):
            doc, full = docs[version], None
            base = extends.extends_of(doc)
            chain = _parse_key(sources[doc.display], doc.display, "scheme")
            if base is not None:
                if base not in built:
                    continue  # the base has problems of its own, reported there
                chain = SourceCache.key("extends", chains[base], chain)
                doc = extends.apply(built[base], doc, problems)
                if doc is None:
                    continue
                full = extends.full_text(doc.data)
            chains[version] = chain
            scheme = _validated_scheme(doc, chain, cache, problems)
            if scheme is None:
                continue
            sv = check_scheme(folder.name, version, doc.display, scheme, doc, problems, units, units_complete)
            if sv is not None:
                built[version] = doc
                scheme_docs[sv.path] = doc
                versions.append(sv if full is None else dataclasses.replace(sv, full_text=full))
        if versions:
            schemes[folder.name] = {v.version: v for v in sorted(versions, key=lambda v: (v.start, v.version))}
    check_inputs(schemes, scheme_docs, sorted(f.name for f in scheme_folders), problems)
    # periods
    found: list[Period] = []
    seen: dict[tuple[str, str], str] = {}
    scores_root = root / "scores"
    period_files = _one_per_key(list_files(scores_root, root, problems), scores_root, root, problems,
                                "project.duplicate_period_file", key=_period_key)
    # a checked period is cached with the digest of everything it was checked against
    deps = cache.key("period deps", _calendar_digest(root),
                     *(name.encode() + b"\0" + digest(raw) for name, raw in sorted(sources.items())))
    files = [_read_period(path, root, deps, cache) for path in period_files]
    outcomes = _check_periods(files, root, schemes, units, cache)
    for f, out in zip(files, outcomes):
        problems.extend(f.read)
        if f.raw is None:
            continue
        sources[f.display] = f.raw
        problems.extend(out.first)
        clean = not out.first  # a period is cached only when nothing at all was said about its file (once read)
        cache.keep(_last_key(f.display))  # the last clean parse of the file, for its next edit
        if out.cached is not None:
            cache.keep(_parse_key(f.raw, f.display, "scores"))  # for when another file changes
        elif out.fields is None:
            continue
        scheme_id, version_id, period_id = out.fields
        doc = out.doc

        def mark(where: tuple, _f=f) -> Mark:
            nonlocal doc
            if doc is None:  # let go once checked (or from the cache): a problem across files needs a position
                doc = load_yaml_bytes(_f.raw, _f.display, Problems(), CAPS["scores"])
            return doc.mark(where) if doc is not None else Mark(_f.display)

        said = len(problems.items)
        folder = f.path.relative_to(scores_root).parts[0] if len(f.path.relative_to(scores_root).parts) > 1 else ""
        if folder != scheme_id:
            problems.add("project.scores_folder", mark(("scheme",)), folder=folder or "scores", scheme=scheme_id)
        if scheme_id not in schemes:
            known = sorted({f.name for f in scheme_folders})
            if scheme_id not in known:  # a scheme that failed its own checks is reported there
                problems.add("project.unknown_scheme", mark(("scheme",)), scheme=scheme_id, known=", ".join(known),
                             **messages.did_you_mean(scheme_id, known))
            continue
        sv = schemes[scheme_id].get(version_id)
        if sv is None and version_id in written.get(scheme_id, ()):
            continue  # the version's file has problems of its own, reported there
        if sv is None:
            problems.add("project.unknown_version", mark(("version",)), scheme=scheme_id, version=version_id, known=", ".join(schemes[scheme_id]))
            continue
        key = (scheme_id, period_id)
        if key in seen:
            problems.add("scores.duplicate_period", mark(("period",)), period=period_id, other=seen[key])
            continue
        seen[key] = f.display
        if out.cached is not None:
            period, bodies = out.cached
            sources.update(bodies)
        else:
            period = out.period
            problems.extend(out.checked)
            sources.update(out.bodies)
            clean = clean and len(problems.items) == said and not out.checked
            if period is not None and clean:
                out.keep(cache, f.key, (period, {name: digest(b) for name, b in out.bodies.items()}))
        if period is not None:
            found.append(period)
    for out in outcomes:
        out.drop(cache)  # entries written aside for files that turned out not to be clean
    if problems.errors or site is None:
        cache.discard()
        return None
    cache.commit()
    found.sort(key=lambda p: (p.scheme, p.start, p.id))
    project = Project(root=root, site=site, units=units, schemes=schemes, periods=tuple(found),
                      sources=dict(sorted(sources.items())))
    from site_builder.scoring import period_cache

    period_cache.loaded(project)  # its periods are those of its sources: the period cache may key them so
    return project


#: Source bytes of period files to check (not in the cache) from which part of them are checked in a
#: forked process while the parent checks the others.  Below it forking costs about what it saves
#: (measured: 4 files of 8 units, 16 KB, 23 ms forked / 21 ms in one process; 3 files of 20 units,
#: 27 KB, 28 / 29 ms; the example project, 82 KB, 81 / 111 ms; 6 files of 60 units, 156 KB, 90 / 179 ms).
FORK_BYTES = 64 * 1024
#: ``SITE_BUILDER_SERIAL_LOAD=1`` checks every period file in the one process (as the tests compare).
ENV_SERIAL = "SITE_BUILDER_SERIAL_LOAD"


@dataclasses.dataclass
class _PeriodFile:
    """A period file as read (``raw`` None when it could not be), before it is parsed and checked."""

    path: Path
    display: str
    raw: bytes | None
    read: list  # the problems of reading it
    key: str = ""  # its entry in the cache as a checked period
    fresh: bool = True  # no entry under ``key``: it is parsed and checked


@dataclasses.dataclass
class _Outcome:
    """What one period file parsed and checked to, in whichever process (see :func:`_check_periods`).

    ``fields`` (scheme, version, period as written) are None when it did not parse; ``period`` and
    ``checked`` (its problems) come from ``check_period``, run whenever its scheme version exists,
    kept only when the file passes the checks across files (folder, duplicates)."""

    first: list = dataclasses.field(default_factory=list)  # problems of parsing and validating it
    fields: tuple | None = None
    doc: Document | None = None  # kept only when it was not checked (re-parsed for a position if needed)
    cached: tuple | None = None  # (period, bodies) from the cache
    period: Period | None = None
    checked: list = dataclasses.field(default_factory=list)
    bodies: dict = dataclasses.field(default_factory=dict)
    written: str | None = None  # the staged name of its cache entry as a checked period (another process)

    def keep(self, cache: SourceCache, key: str, entry: object) -> None:
        """The file was clean: its checked period becomes an entry when the load commits."""
        if self.written is not None:
            cache.adopt(key, self.written)
            self.written = None
        else:
            cache.put(key, entry)

    def drop(self, cache: SourceCache) -> None:
        """The file was not clean after all: what was written aside for it is deleted."""
        if self.written is not None:
            cache.unstage(self.written)
            self.written = None


def _read_period(path: Path, root: Path, deps: str, cache: SourceCache) -> _PeriodFile:
    display = display_path(path, root)
    read = Problems()
    raw = read_source(path, display, root, read, CAPS["scores"])
    f = _PeriodFile(path, display, raw, read.items)
    if raw is not None:
        f.key = cache.key("period", display, digest(raw), deps)
        f.fresh = not cache.has(f.key)
    return f


def _check_period_file(f: _PeriodFile, root: Path, schemes: dict, units: dict, cache,
                       splice: bool = True) -> _Outcome:
    """Parse, validate and check one period file (or take it from the cache), on its own: the checks
    across files (its folder, unknown schemes and versions, duplicate periods) are the caller's.
    An edit of one entry is read alone (``splice``, :func:`_parse`), the whole file again when
    anything is said about it."""
    out = _Outcome()
    if f.raw is None:
        return out
    cached = _cached_period(cache.get(f.key), root, f.display)
    if cached is not None:
        scores = cached[0].scores
        out.cached, out.fields = cached, (scores.scheme, scores.version, scores.period)
        return out
    problems = Problems()
    doc, scores = _parse(f.raw, f.display, problems, cache, "scores", ScoresFile, splice=splice)
    out.first = problems.items
    if doc is None or scores is None:
        return out
    out.doc, out.fields = doc, (scores.scheme, scores.version, scores.period)
    sv = schemes.get(scores.scheme, {}).get(scores.version)
    if sv is None:
        if yamlsplice.is_bare(doc):  # a problem across files needs its positions: the whole file
            return _check_period_file(f, root, schemes, units, cache, splice=False)
        return out
    checked = Problems()
    out.period = check_period(f.display, doc, scores, sv, units, checked, content_root=root / "content",
                              sources=out.bodies)
    if checked.items and yamlsplice.is_bare(doc):  # said at their positions: from the whole file
        return _check_period_file(f, root, schemes, units, cache, splice=False)
    out.checked, out.doc = checked.items, None  # a load holds one period's document at a time
    return out


class _Staging:
    """The cache as a forked checker sees it: what it would put is written aside at once (staged
    names, adopted by the parent: :meth:`SourceCache.adopt`)."""

    def __init__(self, cache: SourceCache) -> None:
        self.cache = cache
        self.names: dict[str, str] = {}

    def get(self, key: str) -> object | None:
        return self.cache.get(key)

    def put(self, key: str, obj: object, size: int = 0) -> None:
        name = self.cache.write_staged(key, obj)
        if name is not None:
            self.names[key] = name


def _may_fork(cache: SourceCache) -> bool:
    return (hasattr(os, "fork") and threading.active_count() == 1 and cache.memo is None
            and os.environ.get(ENV_SERIAL, "") in ("", "0"))


#: The part of the bytes to check that the forked process takes: it also pickles and writes the cache
#: entries of its files itself (the parent's are written by another child, site_builder/aside.py), a
#: quarter more work a file (measured at U=500: 1.16 s of CPU for 6 of 12 files, the parent 0.90 s).
CHILD_PART = 0.45


def _aside_share(files: list[_PeriodFile], caching: bool) -> list[int]:
    """Which files a forked process checks: its part of those to check (by bytes, taken in turn with
    the parent's), when they are large enough; none otherwise."""
    todo = [i for i, f in enumerate(files) if f.raw is not None and f.fresh]
    if len(todo) < 2 or sum(len(files[i].raw) for i in todo) < FORK_BYTES:
        return []
    part = CHILD_PART if caching else 0.5
    share: list[int] = []
    mine = theirs = 0
    for i in todo:
        size = len(files[i].raw)
        if theirs * (1 - part) < mine * part:  # the child is behind its part
            share.append(i)
            theirs += size
        else:
            mine += size
    return share


def _check_periods(files: list[_PeriodFile], root: Path, schemes: dict, units: dict,
                   cache: SourceCache) -> list[_Outcome]:
    """Every period file parsed and checked (:func:`_check_period_file`), in file order.

    With a second process at hand (a build, one thread, ``fork``) and enough to check, a forked
    child checks about half of the files (:func:`_aside_share`) while this process checks the rest; it sends back what each
    file checked to (problems with their positions, the checked period) and writes their cache
    entries aside under staged names, which become entries only when the load commits.  A child
    that fails or is killed sends nothing whole: its files are checked here again.
    """
    share = _aside_share(files, cache.enabled) if _may_fork(cache) else []
    pid = aside.fork_with_pipe() if share else None
    if pid is None:
        return [_check_period_file(f, root, schemes, units, cache) for f in files]
    pid, read_end, write_end = pid
    if pid == 0:  # the child: check its share, send the outcomes, leave without the parent's exit handlers
        code = 1
        try:
            os.close(read_end)
            _check_aside(files, share, root, schemes, units, cache, write_end)
            code = 0
        finally:
            os._exit(code)
    os.close(write_end)
    outcomes: list[_Outcome | None] = [None] * len(files)
    try:
        for i, f in enumerate(files):
            if i not in share:
                outcomes[i] = _check_period_file(f, root, schemes, units, cache)
        got = _received(read_end, pid, share)
    finally:
        with contextlib.suppress(OSError):
            os.close(read_end)
        with contextlib.suppress(ChildProcessError):
            os.waitpid(pid, 0)
    if got is None:  # the child failed: its files are checked here (what it staged is deleted)
        for i in share:
            f = files[i]
            for key in (_parse_key(f.raw, f.display, "scores"), f.key, _last_key(f.display)):
                cache.unstage(cache.staged_name(key))
            outcomes[i] = _check_period_file(f, root, schemes, units, cache)
    else:
        got, (hits, misses) = got
        cache.hits, cache.misses = cache.hits + hits, cache.misses + misses  # as if read here
        for i, (out, names) in got.items():
            for key, name in names.items():
                cache.adopt(key, name)
            outcomes[i] = out
    return outcomes


def _check_aside(files, share, root, schemes, units, cache, write_end) -> None:
    """The forked child of :func:`_check_periods`: its share checked and pickled into ``write_end``."""
    got = {}
    counts = cache.hits, cache.misses
    for i in share:
        f, staging = files[i], _Staging(cache)
        out = _check_period_file(f, root, schemes, units, staging)
        out.doc = None  # the parent parses it again only for the position of a problem across files
        if out.period is not None and not out.first and not out.checked:
            out.written = cache.write_staged(f.key, (out.period, {n: digest(b) for n, b in out.bodies.items()}))
        got[i] = (out, staging.names)
    data = pickle.dumps((tuple(share), got, (cache.hits - counts[0], cache.misses - counts[1])), protocol=5)
    with os.fdopen(write_end, "wb") as pipe:
        pipe.write(data)


def _received(read_end: int, pid: int, share: list[int]) -> tuple[dict, tuple[int, int]] | None:
    """The child's outcomes and its cache's (hits, misses), or None unless it sent them whole and
    exited cleanly."""
    chunks = []
    while True:
        chunk = os.read(read_end, 1 << 20)
        if not chunk:
            break
        chunks.append(chunk)
    try:
        _, status = os.waitpid(pid, 0)
    except ChildProcessError:
        return None
    if not (os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0):
        return None
    try:
        sent, got, counts = pickle.loads(b"".join(chunks))
    except Exception:  # noqa: BLE001 - cut short: checked here again
        return None
    return (got, counts) if sent == tuple(share) and sorted(got) == sorted(share) else None


def _suggest_id(stem: str) -> dict[str, str]:
    """A valid version id close to ``stem`` for the fix hint (e.g. ``2019`` for ``2019 - 副本``)."""
    guess = copy_key(stem)
    guess = re.sub(r"[^a-z0-9_-]+", "-", guess).strip("-_")[:64]
    if not guess or not _ID.match(guess):
        guess = "2024"
    return {"guess": guess}


def compute(project: Project, include_drafts: bool = True):
    """Score and rank every period: ``{(scheme, period): PeriodResult}``.

    Scoring and ranking take turns, period by period, each scheme after the schemes
    it reads: a period's history lines (streaks, running totals) read the ranked
    results of the periods before it, so neither engine calls the other.  The first
    periods whose inputs did not change since a run without failures come from the
    period cache (site_builder/scoring/period_cache.py); the rest are computed.
    """
    from site_builder.ranking.engine import rank_period
    from site_builder.ranking.levels import grade, raise_level_failures, record_levels
    from site_builder.scoring.engine import (
        SchemeScoring,
        previous_period,
        reads_history,
        scheme_order,
    )
    from site_builder.scoring.failures import raise_failures
    from site_builder.scoring.history import History
    from site_builder.scoring.period_cache import PeriodCache

    # Scoring makes hundreds of thousands of long-lived objects (the results) and little garbage:
    # the collector would walk them and the project again and again (site_builder/collector.py).
    with settled():
        steps = [(sid, project.schemes[sid][p.version], p) for sid in scheme_order(project) for p in project.periods
                 if p.scheme == sid and (include_drafts or p.status != "draft")]
        periods = [p for _, _, p in steps]
        cache = PeriodCache.open(project, include_drafts, periods, lambda: _compute_inputs(project))
        hits = cache.hits(periods) if cache is not None else []
        graded = [hit.result for hit in hits]
        failures: list = []
        level_failures: list = []
        if len(hits) < len(steps):
            # filled period by period; read by history lines and levels (grades:) only: without any,
            # not made at all (recording every unit of every period costs ~0.05 s a period at 500 units)
            read = any(reads_history(sv) or sv.scheme.grades is not None
                       for versions in project.schemes.values() for sv in versions.values())
            history = History.for_project(project) if read else None
            for (_, sv, period), result in zip(steps, graded if history is not None else ()):
                history.add(result, period.name_en)
                record_levels(history, sv, period, result.levels)
            scheme_id = None
            for i in range(len(hits), len(steps)):
                sid, sv, period = steps[i]
                if sid != scheme_id:
                    scheme_id = sid
                    scoring = SchemeScoring(project, failures, history)
                    state: dict = {}  # what ranking carries from period to period
                    previous = None
                    # its periods read from the cache: carry on from the last of them
                    resumed = PeriodCache.resume(hits, [s for s, _, _ in steps], sid)
                    if resumed is not None:
                        scoring.ledger, state, last = resumed
                        previous = steps[last][2].id
                        scoring.previous = previous_period(steps[last][2], graded[last].units)
                streaks = {hid: len(v) for hid, v in state.get("honours", {}).items()}
                units = cache.score(i, scoring, sv, period) if cache is not None else scoring.score(sv, period)
                ranked = rank_period(project, sv, period, units, state, previous)
                if history is not None:
                    history.add(ranked, period.name_en)
                # levels as results (等次): after ranking, reading the history with this period in it
                graded.append(grade(sv, period, ranked, history, level_failures))
                previous = period.id
                if cache is not None:
                    cache.carry(i, scoring.ledger, state, streaks)
                    cache.result_key(i, graded[-1])
        raise_failures(project, failures)
        raise_level_failures(project, level_failures)
        if cache is not None:
            cache.save(graded, periods, len(hits))
            from site_builder.site.output import digest

            # the keys stand in for the digests of the site stage's incremental keys: no need to pickle
            # a period or a result again (equal key, equal object); a result's key is of its content
            # (R_i), so a later period that comes out as before keeps its pages' keys
            for result_key, period_key, period, result in zip(cache.result_keys, cache.period_keys, periods, graded):
                if result_key is not None:
                    digest.remember(result, result_key)
                digest.remember(period, period_key)
        out = {(sid, period.id): result for (sid, _, period), result in zip(steps, graded)}
        return dict(sorted(out.items(), key=lambda kv: kv[0][0]))  # by scheme id; periods in order


def _compute_inputs(project: Project):
    """What compute reads besides the period files, digested for the period cache's keys (as the site
    stage digests its inputs: equal objects, equal digests, in every process), or None."""
    from site_builder.scoring.period_cache import Inputs
    from site_builder.site.output import digest

    versions = {(sid, v): digest.digest(sv) for sid, svs in project.schemes.items() for v, sv in svs.items()}
    site, units = digest.digest(project.site, swap=False), digest.digest(project.units, swap=False)
    if site is None or units is None or None in versions.values():
        return None
    return Inputs(site, units, versions, _calendar_digest(project.root))


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
    _notice_problems(project, problems, loc)
    if warnings is not None:  # and the notices' (a 主送 written twice)
        warnings.extend(problems.warnings)
    try:
        results = compute(project, include_drafts=include_drafts)
    except InputError as exc:  # the engine's problems (a formula failing with the facts) in the chosen language
        if exc.locale == loc:
            raise
        raise InputError(exc.problems, loc) from None
    return project, results


def _notice_problems(project: Project, problems: Problems, locale: str) -> None:
    """Copy-paste mistakes across notices (site_builder/checks/notice_checks.py)."""
    from site_builder.checks.notice_checks import notice_problems

    problems.extend(notice_problems(project))
    problems.raise_if_errors(locale)


def _guess_locale(root: Path) -> str:
    """The site's locale for messages even when site.yaml has other problems."""
    raw = read_source(root / "site.yaml", "site.yaml", root, Problems())
    try:
        text = raw.decode("utf-8") if raw is not None else ""
    except UnicodeDecodeError:
        return "zh-CN"
    for line in text.splitlines():
        if line.strip().replace('"', "").replace("'", "") == "locale: en":
            return "en"
    return "zh-CN"
