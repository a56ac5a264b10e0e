"""Checks across notices: the mistakes a copied period file carries.

A clerk who copies last quarter's period file and changes only ``period``
publishes last quarter's 文号, title, body and corrections under the new
period.  ``check`` (and so ``build`` and ``lock``) refuses, each at the
period file's line:column:

- a 文号 used by two notices: two period files, or a notice and a correction
  (更正) of another period (both files are named).  One correction notice
  may correct several periods, so corrections may share a number;
- a notice dated before the period ends, with the slack offices use (an
  annual honour announced in late December, a weekly rating on Friday: see
  :func:`earliest_notice`);
- a 公示 whose notice is dated after its window starts (the 公示 is published
  on its first day), and a 通报 that keeps its 公示 window but is dated
  before that window ends;
- a 公示 window that declares ``working_days`` and whose ``until`` is not
  ``from`` plus that many working days on the official calendar
  (:mod:`site_builder.workflow.workdays`); a window in a year the calendar
  does not cover is refused with how to add that year (``calendar.yaml``);
- a correction dated before the first publication (the notice date, or the
  start of the 公示 window when that is earlier) or before the period ends;
- a title naming another period of the same kind (2017年三季度 in the notice of
  2017-Q4), and a body that names another period but never its own.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

from site_builder import messages
from site_builder.errors import Mark, Problems
from site_builder.load.files import PERIOD_MAX_BYTES
from site_builder.load.yamlsafe import Document, load_yaml_bytes
from site_builder.model import Period, Project

messages.register(
    {
        "notice.duplicate_number": (
            "文号“{number}”已用于{other_what}（{other}）",
            "每份通报、公示和更正通知的文号都不同：请写本期的文号（复制上期文件时最常见）",
            "the document number “{number}” is already used by {other_what_en} ({other})",
            "every notice, public notice and correction has its own number: write this period's number (a copied period file is the usual cause)",
        ),
        "notice.before_period_end": (
            "{what}日期 {date} 早于考核期“{period}”结束（{end}）",
            "考核期结束后才能公布其结果：请改正日期（复制上期文件时最常见）",
            "the {what_en} date {date} is before the period “{period}” ends ({end})",
            "results are published after the period ends: correct the date (a copied period file is the usual cause)",
        ),
        "notice.gongshi_late": (
            "公示的发布日期 {date} 晚于公示期开始（{start}）",
            "公示在公示期的第一天发布：notice.date 应为 {start}，或把 public_notice.from 改为 {date}",
            "the public notice is dated {date}, after its window starts ({start})",
            "a public notice is published on the first day of its window: make notice.date {start}, or public_notice.from {date}",
        ),
        "notice.final_early": (
            "通报日期 {date} 早于公示期结束（{until}）",
            "公示期满后才能发布通报：请把 notice.date 改为 {until} 之后的日期",
            "the final notice is dated {date}, before its public notice window ends ({until})",
            "the final notice comes after the window: make notice.date later than {until}",
        ),
        "notice.window_mismatch": (
            "公示期从 {start} 起 {n} 个工作日应截止到 {expected}，这里写的是 {until}",
            "请把 until 改为 {expected}（按国务院办公厅公布的节假日和调休计算，{start} 是工作日时算第 1 天），或改正 working_days",
            "{n} working days from {start} end on {expected}, not {until}",
            "make until {expected} (official holidays and working weekends; {start} counts as day 1 when it is a working day), or correct working_days",
        ),
        "notice.correction_early": (
            "更正日期 {date} 早于{what}（{first}）",
            "更正只能在发布之后：这条更正可能是从上期文件复制来的，请删除或改正日期",
            "the correction is dated {date}, before {what_en} ({first})",
            "a correction comes after publication: this one may have been copied from another period's file; delete it or correct its date",
        ),
        "notice.addressee_twice": (
            "正文的第一行“{line}”已是主送，又设置了主送“{addressee}”（{where}），通报上会出现两次",
            "删除正文的第一行，或删除 {key}",
            "the body's first line “{line}” already addresses the notice, and the addressee “{addressee}” is set too ({where_en}): the notice would show both",
            "delete the body's first line, or delete {key_en}",
        ),
        "notice.other_period": (
            "{where}写的是“{found}”，而本文件是“{period}”",
            "请改为本期（{period}）的内容（复制上期文件或正文时最常见）",
            "the {where_en} names “{found}”, but this file is “{period}”",
            "write this period's ({period}) content (a copied period file or body is the usual cause)",
        ),
    }
)

_CN = {"一": 1, "二": 2, "三": 3, "四": 4, "1": 1, "2": 2, "3": 3, "4": 4}
_QUARTER = re.compile(r"(\d{4})\s*年\s*(?:第\s*)?([一二三四1-4])\s*季度")
_MONTH = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月(?!\s*\d{1,2}\s*[日号])")
_WEEK = re.compile(r"(\d{4})\s*年\s*第\s*(\d{1,2})\s*周")
_HALF = re.compile(r"(\d{4})\s*年\s*([上下])\s*半年")
_YEAR = re.compile(r"(\d{4})\s*年度")


def _mentions(kind: str, text: str) -> list[tuple[str, int, str]]:
    """(period id, offset, text found) of every mention of a period of ``kind`` in ``text``."""
    text = unicodedata.normalize("NFKC", text)
    found = []
    if kind == "quarter":
        for m in _QUARTER.finditer(text):
            found.append((f"{m.group(1)}-Q{_CN[m.group(2)]}", m.start(), m.group(0)))
    elif kind == "month":
        for m in _MONTH.finditer(text):
            month = int(m.group(2))
            if 1 <= month <= 12:
                found.append((f"{m.group(1)}-{month:02d}", m.start(), m.group(0)))
    elif kind == "week":
        for m in _WEEK.finditer(text):
            found.append((f"{m.group(1)}-W{int(m.group(2)):02d}", m.start(), m.group(0)))
    elif kind == "half-year":
        for m in _HALF.finditer(text):
            found.append((f"{m.group(1)}-H{1 if m.group(2) == '上' else 2}", m.start(), m.group(0)))
    elif kind == "year":
        for m in _YEAR.finditer(text):
            found.append((m.group(1), m.start(), m.group(0)))
    return found


def _norm_number(number: str) -> str:
    return "".join(unicodedata.normalize("NFKC", number).split())


def earliest_notice(kind: str, start: dt.date, end: dt.date) -> dt.date:
    """The earliest date a notice (or correction) of a period may bear.

    Results are published after the period ends, but offices announce some a
    little earlier: a weekly rating on the Friday of its week, an annual
    honour in late December.  So a date is refused only when it is before
    the period's last stretch: its last month (year, half-year, quarter), its
    last 7 days (month), its last working weekday (week, stage).  A period
    file copied from the period before is always caught: its dates lie before
    the new period's last stretch.
    """
    if kind in ("year", "half-year", "quarter") and end.day == _month_end(end):
        return max(start, end.replace(day=1))
    if kind == "month":
        return max(start, end - dt.timedelta(days=6))
    day = end
    while day.weekday() >= 5 and day > start:
        day -= dt.timedelta(days=1)
    return day


def _month_end(day: dt.date) -> int:
    import calendar

    return calendar.monthrange(day.year, day.month)[1]


def _line_col(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def _doc(project: Project, period: Period) -> Document | None:
    raw = project.sources.get(period.path)
    if raw is None:
        return None
    return load_yaml_bytes(raw, period.path, Problems(), PERIOD_MAX_BYTES)


def notice_problems(project: Project) -> Problems:
    """Every copy-paste mistake across the project's notices (see the module's text)."""
    from site_builder.workflow.workdays import load_calendar, window_end

    problems = Problems()
    calendar = None
    docs: dict[str, Document | None] = {}  # parsed again only for a file that has a problem

    def mark(p: Period, *path: object) -> Mark:
        if p.path not in docs:
            docs[p.path] = _doc(project, p)
        doc = docs[p.path]
        return doc.mark(tuple(path)) if doc is not None else Mark(p.path)

    # 文号: every notice and correction number, by normalised text
    uses: dict[str, list[tuple[Period, tuple, str]]] = {}
    for p in project.periods:
        n = p.scores.notice
        if n is not None and n.number:
            uses.setdefault(_norm_number(n.number), []).append((p, ("notice", "number"), "notice"))
        for i, c in enumerate(p.scores.corrections):
            if c.number:
                uses.setdefault(_norm_number(c.number), []).append((p, ("corrections", i, "number"), "correction"))
    for _number, found in uses.items():
        files = {p.path for p, _, _ in found}
        if len(files) < 2:
            continue  # the same period may cite its own number again
        for p, path, mine in found:
            # one correction notice (更正通知) may correct several periods' notices
            others = [(q, what) for q, _, what in found
                      if q.path != p.path and (mine == "notice" or what == "notice")]
            if not others:
                continue
            q, what = others[0]
            problems.add(
                "notice.duplicate_number", mark(p, *path),
                number=_number_text(p, path),
                other_what="另一考核期的更正通知" if what == "correction" else "另一考核期的通报或公示",
                other_what_en="a correction of another period" if what == "correction" else "the notice of another period",
                other=", ".join(sorted({x.path for x, _ in others})),
            )
    for p in project.periods:
        s = p.scores
        n = s.notice
        window = s.public_notice
        sv = project.schemes.get(p.scheme, {}).get(p.version)
        last = earliest_notice(sv.scheme.period.kind if sv else "stage", p.start, p.end)
        if n is not None and n.date < last:
            problems.add("notice.before_period_end", mark(p, "notice", "date"),
                         what="公示" if s.status == "public_notice" else "通报", what_en="notice",
                         date=n.date.isoformat(), period=p.name, end=p.end.isoformat())
        if window is not None and n is not None:
            if s.status == "public_notice" and n.date > window.start:
                problems.add("notice.gongshi_late", mark(p, "notice", "date"),
                             date=n.date.isoformat(), start=window.start.isoformat())
            if s.status == "published" and n.date <= window.until:
                problems.add("notice.final_early", mark(p, "notice", "date"),
                             date=n.date.isoformat(), until=window.until.isoformat())
        if window is not None and window.working_days is not None and window.until >= window.start:
            if calendar is None:
                calendar = load_calendar(project.root, problems)
            where = mark(p, "public_notice", "from")
            expected = window_end(calendar, window.start, window.working_days, where, problems)
            if expected is not None and expected != window.until:
                problems.add("notice.window_mismatch", mark(p, "public_notice", "until"),
                             start=window.start.isoformat(), n=window.working_days,
                             expected=expected.isoformat(), until=window.until.isoformat())
        first = min([d for d in (n.date if n else None, window.start if window else None) if d], default=None)
        for i, c in enumerate(s.corrections):
            if first is not None and c.date < first:
                problems.add("notice.correction_early", mark(p, "corrections", i, "date"),
                             date=c.date.isoformat(), what="首次发布", what_en="the first publication",
                             first=first.isoformat())
            elif c.date < last:
                problems.add("notice.correction_early", mark(p, "corrections", i, "date"),
                             date=c.date.isoformat(), what=f"考核期“{p.name}”结束",
                             what_en=f"the period “{p.name_en}” ends", first=p.end.isoformat())
        _other_periods(project, p, mark, problems)
        _addressee_twice(project, p, problems)
    return problems


# a first line that only addresses the notice: “各单位：”, “区各相关单位：”, “各乡镇人民政府，县直各部门：”
# (not a sentence ending in a colon: “现将结果通报如下：”)
_ADDRESS_LINE = re.compile(r"^(?!.*如下)[^。；！？.!?]{0,40}各[^。；！？.!?]{0,40}[：:]$")


def _addressee_twice(project: Project, p: Period, problems: Problems) -> None:
    """A 主送 set (the notice's own or the site's) while the body already opens with one: a warning."""
    n = p.scores.notice
    if n is None or not n.body:
        return
    own = n.addressee
    default = project.site.notice.addressee if project.site.notice is not None else None
    if not (own or default):
        return
    raw = project.sources.get(f"content/{n.body}")
    if raw is None:
        return
    lines = raw.decode("utf-8-sig", errors="replace").splitlines()
    at = next((i for i, ln in enumerate(lines) if ln.strip()), None)
    first = lines[at].strip() if at is not None else ""
    same = first.rstrip("：:") == (own or default or "").rstrip("：:")
    if at is None or not (same or _ADDRESS_LINE.match(first)):
        return
    problems.warn(
        "notice.addressee_twice", Mark(f"content/{n.body}", at + 1, 1),
        line=lines[at].strip(), addressee=own or default,
        where=f"{p.path} 的 notice.addressee" if own else "site.yaml 的 notice.addressee",
        where_en=f"notice.addressee of {p.path}" if own else "notice.addressee of site.yaml",
        key="该期的 notice.addressee" if own else "site.yaml 的 notice.addressee",
        key_en="the period's notice.addressee" if own else "notice.addressee in site.yaml",
    )


def _number_text(p: Period, path: tuple) -> str:
    if path[0] == "notice":
        return p.scores.notice.number or ""
    return p.scores.corrections[path[1]].number or ""


def _other_periods(project: Project, p: Period, mark, problems: Problems) -> None:
    """The title naming another period; the body naming others but never its own."""
    versions = project.schemes.get(p.scheme, {})
    sv = versions.get(p.version)
    if sv is None or p.scores.notice is None:
        return
    kind = sv.scheme.period.kind
    n = p.scores.notice
    if n.title:
        for pid, _offset, text in _mentions(kind, n.title):
            if pid != p.id:
                problems.add("notice.other_period", mark(p, "notice", "title"),
                             where="标题", where_en="title", found=text, period=p.name)
                break
    if n.body:
        key = f"content/{n.body}"
        raw = project.sources.get(key)
        if raw is None:
            return
        text = raw.decode("utf-8", errors="replace")
        found = _mentions(kind, text)
        if found and all(pid != p.id for pid, _, _ in found):
            pid, offset, shown = found[0]
            # offsets are in the NFKC text; the body is checked to be NFC-clean
            # text, and NFKC keeps line breaks, so the line is right
            line, col = _line_col(unicodedata.normalize("NFKC", text), offset)
            problems.add("notice.other_period", Mark(key, line, col),
                         where=f"正文（{p.path} 的 notice.body）", where_en=f"body (notice.body of {p.path})",
                         found=shown, period=p.name)
