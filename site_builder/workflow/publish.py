"""``site-builder publish``: a period's 公示 or 通报, edited, checked and locked in one step.

Three ways, as offices work:

- ``--gongshi``: the draft goes on public notice (公示) for N working days
  from ``--date`` (day 1 when it is a working day; official holidays and
  调休 working weekends from :mod:`site_builder.workflow.workdays`);
- ``--final``: a 公示 whose window has ended becomes the 通报 under its own
  文号 and date; the 公示 stays readable as version 1 and its window is kept
  in the file as history;
- neither: the draft is published directly as a 通报 (no 公示).

Everything is validated first; then the period file is edited through
:class:`~site_builder.workflow.periodfile.PeriodFile` (comments, key order and
line endings kept), the whole project is checked as ``site-builder check``
does, and the lock records the new version.  When the check or the lock
refuses, the period file gets back its exact original bytes and nothing else
was written.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from site_builder import messages
from site_builder.errors import InputError, Mark, Problems, SiteBuilderError

messages.register(
    {
        "publish.no_period": (
            "找不到考核期文件 {path}",
            "先用 site-builder new period {scheme} {period} 建立，填好后再发布；已有的考核期：{known}",
            "there is no period file {path}",
            "start it with site-builder new period {scheme} {period}, fill it in, then publish; existing periods: {known}",
        ),
        "publish.already_published": (
            "“{period}”已作为通报发布（status: published）",
            "已发布的结果不能再发布一次；需要修改时请用 site-builder correct {scheme} {period} --reason \"…\"",
            "“{period}” is already published as the final notice (status: published)",
            "a published notice is not published again; to change it use site-builder correct {scheme} {period} --reason \"…\"",
        ),
        "publish.gongshi_locked": (
            "“{period}”的公示已发布并锁定（公示期 {start} 至 {until}）",
            "公示期满后请用 site-builder publish {scheme} {period} --final --number 文号 --date 日期 发布通报；公示内容有误请用 site-builder correct",
            "the public notice of “{period}” is already published and locked (window {start} to {until})",
            "after the window use site-builder publish {scheme} {period} --final --number … --date …; to change the 公示 use site-builder correct",
        ),
        "publish.not_gongshi": (
            "“{period}”还没有公示（status: {status}），不能用 --final",
            "先公示：site-builder publish {scheme} {period} --gongshi --number 文号 --date 日期；不经公示直接发布通报时去掉 --final",
            "“{period}” is not on public notice (status: {status}), so --final does not apply",
            "publish the 公示 first (--gongshi), or publish the final notice directly without --final",
        ),
        "publish.gongshi_unlocked": (
            "“{period}”的公示还没有锁定（published.lock 中没有它）",
            "先运行 site-builder lock 锁定公示的内容，再发布通报",
            "the public notice of “{period}” is not locked yet (not in published.lock)",
            "run site-builder lock first, then publish the final notice",
        ),
        "publish.final_early": (
            "通报日期 {date} 不晚于公示期结束（{until}）",
            "公示期满后才能发布通报：日期请写 {until} 之后（如 {next}）",
            "the final notice date {date} is not after the public notice window ends ({until})",
            "publish the final notice after the window: a date after {until} (such as {next})",
        ),
        "publish.same_number": (
            "通报的文号“{number}”与公示的文号相同",
            "通报另行编号：请写通报的文号",
            "the final notice has the same number “{number}” as the public notice",
            "the final notice has its own number: write it",
        ),
        "publish.number_used": (
            "文号“{number}”已用于 {other}",
            "每份通报、公示和更正通知的文号都不同：请核对文号",
            "the number “{number}” is already used by {other}",
            "each notice has its own number: check the number",
        ),
        "publish.empty_number": (
            "文号不能为空",
            "请写发文的文号，如 --number \"淮软建办〔2017〕21号\"",
            "the document number is empty",
            "write the notice's number, e.g. --number \"XX〔2017〕21号\"",
        ),
        "publish.date_before_end": (
            "日期 {date} 早于考核期“{period}”结束（{end}）",
            "考核期结束后才能公布其结果：请核对 --date",
            "the date {date} is before the period “{period}” ends ({end})",
            "results are published after the period ends: check --date",
        ),
        "publish.bad_days": (
            "公示工作日数应在 1 到 30 之间（此处为 {n}）",
            "公示期一般为 5 个或 7 个工作日，如 --days 5",
            "the number of working days must be 1 to 30 (found {n})",
            "a 公示 usually lasts 5 or 7 working days, e.g. --days 5",
        ),
        "publish.body_missing": (
            "找不到正文文件 {path}",
            "正文放在 content/ 下，如 content/notices/{scheme}/{period}.md（可复制上一期的正文改写）；--body 写它的路径",
            "there is no body file {path}",
            "notice bodies live under content/, e.g. content/notices/{scheme}/{period}.md; give its path to --body",
        ),
        "publish.body_outside": (
            "正文文件 {path} 不在 content/ 下",
            "请把正文放到 content/notices/{scheme}/ 下，再用 --body 写它的路径",
            "the body file {path} is not under content/",
            "put the body under content/notices/{scheme}/ and give that path to --body",
        ),
        "publish.project_fails": (
            "项目目前有错误，未发布（见上）",
            "请先改正上面列出的问题（site-builder check 可随时查看），再发布",
            "the project has errors, nothing was published (see above)",
            "fix the problems listed above (site-builder check shows them), then publish",
        ),
    }
)


@dataclass
class Published:
    """What ``publish`` did, for the printed summary."""

    scheme: str
    period: str
    name: str  # 2017年第三季度
    mode: str  # gongshi | final | direct
    number: str
    date: dt.date
    title: str | None
    path: str  # scores/<scheme>/<period>.yaml
    units: int
    groups: list[tuple[str, int]] = field(default_factory=list)
    honours: list[tuple[str, list[str]]] = field(default_factory=list)
    window: tuple[dt.date, dt.date, int] | None = None
    contact: list[str] = field(default_factory=list)
    version: int = 1
    locale: str = "zh-CN"
    files: list[str] = field(default_factory=list)
    final_date: dt.date | None = None  # the first working day after the window
    future: dt.date | None = None  # today, when the notice is dated after it (embargoed until its date)
    body: str | None = None  # content/… of the notice body, when it has one


def locale_of(root: Path, lang: str | None) -> str:
    if lang:
        return lang
    from site_builder.pipeline import _guess_locale

    return _guess_locale(root)


def fail_one(code: str, locale: str, mark: Mark | None, **params: object) -> None:
    problems = Problems()
    problems.add(code, mark, **params)
    raise InputError(problems.sorted(), locale)


def period_path(root: Path, scheme: str, period: str) -> Path:
    return root / "scores" / scheme / f"{period}.yaml"


def require_period(root: Path, scheme: str, period: str, locale: str) -> Path:
    path = period_path(root, scheme, period)
    if not path.is_file():
        folder = root / "scores" / scheme
        known = sorted(p.stem for p in folder.glob("*.yaml")) if folder.is_dir() else []
        fail_one("publish.no_period", locale, Mark(f"scores/{scheme}/{period}.yaml"),
                 path=f"scores/{scheme}/{period}.yaml", scheme=scheme, period=period,
                 known="、".join(known) or "—")
    return path


def check_first(root: Path, locale: str):
    """The project as ``check`` sees it now: refuses to go on when it already has errors."""
    from site_builder.site.records.verify import check_project

    return check_project(root, locale=locale)


def _day(d: dt.date, locale: str) -> str:
    return d.isoformat() if locale == "en" else f"{d.year}年{d.month}月{d.day}日"


def _short(d: dt.date, locale: str) -> str:
    return d.isoformat() if locale == "en" else f"{d.month}月{d.day}日"


def commit_edit(root: Path, path: Path, new_text: bytes, locale: str) -> None:
    """Save the edited period file, check the project and lock it; on refusal restore the exact bytes."""
    commit_edits(root, {path: new_text}, locale)


def commit_edits(root: Path, edits: dict[Path, bytes], locale: str) -> None:
    """:func:`commit_edit` for several period files at once (all restored on refusal)."""
    from site_builder.site.records.lock.update import update_lock
    from site_builder.site.records.verify import check_project
    from site_builder.workflow.periodfile import atomic_write

    originals = {path: path.read_bytes() for path in edits}
    lock_path = root / "published.lock"
    lock_before = lock_path.read_bytes() if lock_path.is_file() else None
    try:
        for path, data in edits.items():
            atomic_write(path, data)
        check_project(root, locale=locale)
        update_lock(root)
    except BaseException:
        for path, data in originals.items():
            atomic_write(path, data)
        if lock_before is not None and lock_path.read_bytes() != lock_before:
            atomic_write(lock_path, lock_before)
        raise


def _locked_entry(root: Path, scheme: str, period: str, locale: str):
    from site_builder.site.failures import fail_all
    from site_builder.site.records.lock.reading import load_lock

    problems = Problems()
    locked = load_lock(root, problems) or {}
    fail_all(problems, locale)
    return locked.get(f"{scheme}/{period}")


def _other_numbers(project, scheme: str, period: str) -> dict[str, str]:
    """Every 文号 of other periods' notices and corrections -> the file using it.

    Numbers that only earlier versions showed (a 公示's number after its 通报
    replaced it in the period file) come from the archived notices.
    """
    from site_builder.checks.notice_checks import _norm_number
    from site_builder.site.records.lock.checks import archived_items
    from site_builder.site.records.lock.reading import load_lock

    out: dict[str, str] = {}
    for key, entry in sorted((load_lock(project.root, Problems()) or {}).items()):
        if key == f"{scheme}/{period}":
            continue
        for v in entry.versions:
            items = archived_items(project.root, v) or {}
            number = items.get("notice.number")
            if number and v.notice_file is not None:
                out.setdefault(_norm_number(number), v.notice_file.path)
    for p in project.periods:
        if (p.scheme, p.id) == (scheme, period):
            continue
        n = p.scores.notice
        if n is not None and n.number:
            out[_norm_number(n.number)] = p.path  # the period file rather than its archive
        for c in p.scores.corrections:
            if c.number:
                out.setdefault(_norm_number(c.number), p.path)
    return out


def publish(
    root: Path,
    scheme: str,
    period: str,
    *,
    mode: str,
    number: str,
    date: dt.date,
    days: int = 5,
    title: str | None = None,
    body: str | None = None,
    lang: str | None = None,
) -> Published:
    """Publish ``scheme``/``period`` as a 公示 (``gongshi``), its 通报 (``final``) or a 通报 directly (``direct``)."""
    from site_builder.checks.notice_checks import _norm_number, earliest_notice
    from site_builder.workflow.periodfile import PeriodFile
    from site_builder.workflow.workdays import load_calendar, window_end

    root = Path(root).resolve()
    locale = locale_of(root, lang)
    path = require_period(root, scheme, period, locale)
    display = f"scores/{scheme}/{period}.yaml"
    project, _results = check_first(root, locale)
    locale = lang or project.site.locale
    current = next((p for p in project.periods if p.path == display), None)
    pf = PeriodFile.read(path)
    status = pf.get("status")
    name = current.name if current is not None else period
    problems = Problems()
    number = (number or "").strip()
    if not number:
        problems.add("publish.empty_number", Mark("--number"))
    entry = _locked_entry(root, scheme, period, locale)
    if status == "published":
        problems.add("publish.already_published", Mark(display), period=name, scheme=scheme)
    elif mode == "final":
        if status != "public_notice":
            problems.add("publish.not_gongshi", Mark(display), period=name, status=status,
                         scheme=scheme)
        elif entry is None:
            problems.add("publish.gongshi_unlocked", Mark(display), period=name)
    elif status == "public_notice" and entry is not None:
        problems.add("publish.gongshi_locked", Mark(display), period=name, scheme=scheme,
                     start=str(pf.get("public_notice.from")), until=str(pf.get("public_notice.until")))
    if current is not None:
        sv = project.schemes[current.scheme][current.version]
        if date < earliest_notice(sv.scheme.period.kind, current.start, current.end):
            problems.add("publish.date_before_end", Mark("--date"), date=date.isoformat(),
                         period=name, end=current.end.isoformat())
    if number:
        used = _other_numbers(project, scheme, period).get(_norm_number(number))
        if used:
            problems.add("publish.number_used", Mark("--number"), number=number, other=used)
    window = None
    calendar = load_calendar(root, problems)
    if mode == "gongshi":
        if not 1 <= days <= 30:
            problems.add("publish.bad_days", Mark("--days"), n=days)
        else:
            until = window_end(calendar, date, days, Mark("--date"), problems)
            if until is not None:
                window = (date, until, days)
    if mode == "final" and status == "public_notice":
        until = _as_date(pf.get("public_notice.until"))
        if until is not None and date <= until:
            nxt = window_end(calendar, until + dt.timedelta(days=1), 1, Mark("--date"), Problems())
            problems.add("publish.final_early", Mark("--date"), date=date.isoformat(),
                         until=until.isoformat(), next=(nxt or until + dt.timedelta(days=1)).isoformat())
        old = pf.get("notice.number")
        if number and old and _norm_number(str(old)) == _norm_number(number):
            problems.add("publish.same_number", Mark("--number"), number=number)
    body_rel = _body(root, scheme, period, body, pf.get("notice.body"), problems)
    problems.raise_if_errors(locale)

    # the edit
    if mode == "gongshi":
        pf.set("status", "public_notice")
    else:
        pf.set("status", "published")
    pf.set("notice.number", number)
    pf.set("notice.date", date)
    new_title = title
    if new_title is None and mode == "final":
        old_title = pf.get("notice.title")
        if isinstance(old_title, str) and "公示" in old_title:
            i = old_title.rfind("公示")
            new_title = old_title[:i] + "通报" + old_title[i + 2:]
    if new_title is not None:
        pf.set("notice.title", new_title)
    if body_rel is not None:
        pf.set("notice.body", body_rel)
    if mode == "gongshi" and window is not None:
        pf.set("public_notice.from", window[0])
        pf.set("public_notice.until", window[1])
        pf.set("public_notice.working_days", window[2])
    elif mode == "direct":
        pf.set("public_notice", None)
    commit_edit(root, path, pf.encoded(), locale)  # the file's own line endings and BOM
    return summarise(root, scheme, period, mode, number, date, locale)


def _body(root: Path, scheme: str, period: str, given: str | None, current: object,
          problems: Problems) -> str | None:
    """The notice body to record (relative to content/), or None to leave ``notice.body`` as it is.

    ``--body`` names a Markdown file under content/ (with or without the
    ``content/`` prefix); without it, ``content/notices/<scheme>/<period>.md``
    is taken when the period file names no body yet — the place the guide and
    a new site's template put it.
    """
    content = root / "content"
    if given is None:
        if current:
            return None
        conventional = content / "notices" / scheme / f"{period}.md"
        return f"notices/{scheme}/{period}.md" if conventional.is_file() else None
    text = given.strip().replace("\\", "/")
    candidates = [root / text, content / text] if not Path(text).is_absolute() else [Path(text)]
    for candidate in candidates:
        if candidate.is_file():
            resolved = candidate.resolve()
            try:
                return resolved.relative_to(content.resolve()).as_posix()
            except ValueError:
                problems.add("publish.body_outside", Mark("--body"), path=given, scheme=scheme)
                return None
    problems.add("publish.body_missing", Mark("--body"), path=given, scheme=scheme, period=period)
    return None


def _as_date(value: object) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        return None


def summarise(root: Path, scheme: str, period: str, mode: str, number: str, date: dt.date, locale: str) -> Published:
    """What is published now, read back from the checked project."""
    from site_builder.site.records.verify import check_project

    project, results = check_project(root, locale=locale)
    p = next(x for x in project.periods if (x.scheme, x.id) == (scheme, period))
    result = results.get((scheme, period))
    sv = project.schemes[p.scheme][p.version]
    out = Published(scheme, period, p.name if locale != "en" else p.name_en, mode, number, date,
                    p.scores.notice.title if p.scores.notice else None, p.path,
                    units=len(result.units) if result else 0, locale=locale)
    if result is not None:
        names = {g.id: g.name for g in sv.scheme.groups}
        counts: dict[str, int] = {}
        for u in result.units.values():
            counts[u.group] = counts.get(u.group, 0) + 1
        out.groups = [(names.get(g, g), n) for g, n in counts.items()]
        merged: dict[str, list[str]] = {}
        for h in result.honours:  # one line per honour, its groups together
            merged.setdefault(h.name, []).extend(project.unit_name(u, p.end) for u in h.chosen)
        out.honours = list(merged.items())
    if p.scores.notice is not None and p.scores.notice.body:
        out.body = f"content/{p.scores.notice.body}"
    w = p.scores.public_notice
    if w is not None:
        out.window = (w.start, w.until, w.working_days or 0)
    from site_builder.site.records.noticedoc import contact_of

    contact = contact_of(project, p)
    if contact is not None:
        for f in ("office", "phone", "email", "address"):
            v = getattr(contact, f, None)
            if v:
                out.contact.append(str(v))
    from site_builder.site.records.lock.reading import load_lock

    entry = (load_lock(root, Problems()) or {}).get(f"{scheme}/{period}")
    out.version = entry.last.n if entry else 1
    out.files = [p.path, "published.lock", f"published/{scheme}/{period}/"]
    from site_builder.site.data import today

    now = today()
    if date > now:
        out.future = now
    if out.window is not None:  # the first working day after the window, for --final
        from site_builder.workflow.workdays import load_calendar, window_end

        out.final_date = window_end(load_calendar(root, Problems()), out.window[1] + dt.timedelta(days=1),
                                    1, None, Problems())
    return out


def git_lines(files: str, message: str) -> list[str]:
    """The commands that record and publish the change, one per line (PowerShell 5 has no ``&&``)."""
    return [f"  git add {files}", f'  git commit -m "{message}"', "  git push"]


def report_text(r: Published) -> str:
    """The summary ``publish`` prints: what was published and the next commands."""
    en = r.locale == "en"
    lines = []
    kind = {"gongshi": ("公示", "public notice"), "final": ("通报", "final notice"),
            "direct": ("通报", "final notice")}[r.mode]
    if en:
        lines.append(f"Published the {kind[1]} of {r.name} ({r.scheme}/{r.period}): {r.number}, dated {r.date.isoformat()}.")
    else:
        lines.append(f"已发布{r.name}（{r.scheme}/{r.period}）的{kind[0]}：{r.number}，{_day(r.date, r.locale)}。")
    if r.title:
        lines.append(("Title: " if en else "标题：") + r.title)
    if r.body:
        lines.append(("Body: " if en else "正文：") + r.body)
    if r.window is not None and r.mode != "direct":
        a, b, n = r.window
        if en:
            lines.append(f"Public notice period: {a.isoformat()} to {b.isoformat()} ({n} working days).")
        elif r.mode == "gongshi":
            lines.append(f"公示期：{_short(a, r.locale)}至{_short(b, r.locale)}（{n}个工作日）。")
        else:
            lines.append(f"公示期 {_short(a, r.locale)}至{_short(b, r.locale)} 已满，公示作为第 1 版保留。")
    groups = "，".join(f"{g} {n} 个" for g, n in r.groups) if not en else ", ".join(f"{g}: {n}" for g, n in r.groups)
    lines.append(f"Units: {r.units} ({groups})." if en else f"单位：{r.units} 个（{groups}）。")
    for name, chosen in r.honours:
        shown = ("、" if not en else ", ").join(chosen) or ("none" if en else "无")
        lines.append(f"{name}: {shown}" if en else f"{name}：{shown}")
    if r.mode == "gongshi":
        if r.contact:
            lines.append(("Objections to: " if en else "异议受理：") + ("; " if en else "，").join(r.contact))
        else:
            lines.append("No objection contact is set (site.yaml contact)." if en
                         else "没有设置异议受理联系方式（site.yaml 或方案的 contact），公示上将不显示。")
    lines.append((f"Locked as version {r.version} in published.lock." if en
                  else f"已锁定为第 {r.version} 版（published.lock）。"))
    if r.future:
        lines.append(
            f"Note: dated after today ({r.future.isoformat()} in Beijing): the site shows this period "
            f"(its public notice too) only from {r.date.isoformat()}." if en
            else f"注意：发布日期晚于今天（北京时间 {r.future.isoformat()}），网站从 {_short(r.date, r.locale)}起才显示这一期"
            "（在此之前连公示也不显示）。")
    lines.append("")
    lines.append("Next:" if en else "下一步：")
    files = " ".join(r.files)
    if en:
        msg = f"{kind[1].capitalize()} of {r.name} ({r.number})"
    else:
        msg = f"{kind[0]}{r.name}（{r.number}）"
    lines.extend(git_lines(files, msg))
    if r.mode == "gongshi" and r.window is not None:
        b = r.window[1]
        after = b + dt.timedelta(days=1)
        final = r.final_date or after
        if en:
            lines.append(f"  after {b.isoformat()}: site-builder publish {r.scheme} {r.period} --final --number … --date {final.isoformat()} or later")
            lines.append(f"  (without it, the daily build shows the public notice as the final notice from {after.isoformat()})")
        else:
            lines.append(f"  {_short(b, r.locale)}公示期满后：site-builder publish {r.scheme} {r.period} --final --number 通报文号 --date {final.isoformat()}（或更晚的日期）")
            lines.append(f"  （不另发通报时什么也不用做：每天的自动构建从 {_short(after, r.locale)}起把公示显示为通报）")
    return "\n".join(lines)


__all__ = ["publish", "report_text", "Published", "SiteBuilderError"]
