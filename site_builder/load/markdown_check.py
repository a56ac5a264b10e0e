"""Checks on a Markdown file from ``content/`` before it is rendered.

The same text checks as for YAML (UTF-8 with the first bad byte located,
control and invisible characters; a tab is fine in Markdown), and every link
target: only ``https:``, ``http:``, ``mailto:``, ``tel:``, relative paths
and ``#fragments`` may be linked.  The HTML sanitiser
(:mod:`site_builder.site.present.markdown_html`) still drops any other link at render
time; this check makes the office see the problem, at its line and column,
instead of a link that silently disappears.
"""

from __future__ import annotations

import bisect
import html
import re

from site_builder.errors import Problems
from site_builder.load.rawtext import BREAK, Report, check_characters, decode_utf8, strip_bom
from site_builder.messages import register

ALLOWED_SCHEMES = frozenset({"http", "https", "mailto", "tel"})

register({
    "content.bad_link": (
        "链接“{url}”使用了不允许的协议“{scheme}:”",
        "链接只能以 https:、http:、mailto:、tel: 开头，或是站内相对路径、#锚点；请改正或删除该链接",
        "the link “{url}” uses the scheme “{scheme}:”, which is not allowed",
        "links may only start with https:, http:, mailto: or tel:, or be relative paths "
        "or #fragments: fix or remove the link"),
    "content.internal": (
        "检查 Markdown 时出现意外错误（{error}）",
        "请检查文件内容是否完整；若问题持续，请把该文件提供给维护者",
        "unexpected error while checking Markdown ({error})",
        "check that the file is complete; if this persists, send the file to the maintainers"),
})

_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})[^\n]*\n.*?(?:^ {0,3}\1[`~]*[ \t]*$|\Z)", re.M | re.S)
_CODE_SPAN = re.compile(r"(?<!`)(`+)(?!`).+?(?<!`)\1(?!`)", re.S)
_TARGETS = (
    # [text](target "title") and ![alt](target)
    re.compile(r"\]\([ \t]*(<[^>\n]*>|[^\s)]+)"),
    # [label]: target
    re.compile(r"^ {0,3}\[[^\]\n]+\]:[ \t]*(<[^>\n]*>|\S+)", re.M),
    # <scheme:...> autolinks
    re.compile(r"<([A-Za-z][A-Za-z0-9+.\-]{1,31}:[^\s<>]*)>"),
    # raw HTML attributes that hold a URL
    re.compile(r"""(?i)\b(?:href|src|action|formaction|xlink:href|poster|background|cite|"""
               r"""longdesc|data)\s*=\s*("[^"]*"|'[^']*'|[^\s>]+)"""),
)
_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.\-]*):")
_IGNORED_IN_URL = re.compile(r"[\x00-\x20\x7f]+")


def _mask(text: str, pattern: re.Pattern) -> str:
    """``text`` with every match blanked out (line breaks kept, so positions stay right)."""
    return pattern.sub(lambda m: re.sub(r"[^\n]", " ", m.group()), text)


def link_scheme(target: str) -> str | None:
    """The scheme a browser would see in ``target`` (entities decoded, whitespace dropped)."""
    url = html.unescape(target.strip().strip("<>").strip("\"'"))
    url = _IGNORED_IN_URL.sub("", url)
    m = _SCHEME.match(url)
    return m.group(1).lower() if m else None


def bad_links(text: str) -> list[tuple[int, str, str]]:
    """``(offset, target, scheme)`` of every link whose scheme is not allowed, in order."""
    plain = _mask(_mask(text, _FENCE), _CODE_SPAN)
    found: list[tuple[int, str, str]] = []
    taken: list[tuple[int, int]] = []
    for pattern in _TARGETS:
        for m in pattern.finditer(plain):
            start, end = m.span(1)
            if any(a <= start < b or start <= a < end for a, b in taken):
                continue  # the same target, seen by an earlier pattern
            taken.append((start, end))
            scheme = link_scheme(m.group(1))
            if scheme is not None and scheme not in ALLOWED_SCHEMES:
                found.append((start, text[start:end], scheme))
    return sorted(found)


def _short(text: str, limit: int = 60) -> str:
    line = text.splitlines()[0] if text else ""
    return line if len(line) <= limit else line[: limit - 1] + "…"


def check_markdown(raw: bytes, display: str, problems: Problems) -> str | None:
    """The text of a Markdown file, or None after reporting its problems (never raises)."""
    rep = Report(problems, display)
    try:
        text = decode_utf8(strip_bom(raw, rep), rep)
        if text is None:
            return None
        check_characters(text, rep, tabs_ok=True)
        links = bad_links(text)
        if links:
            starts = [0] + [m.end() for m in BREAK.finditer(text)]
            for offset, target, scheme in links:
                k = bisect.bisect_right(starts, offset) - 1
                rep.error("content.bad_link", rep.at(k + 1, offset - starts[k] + 1),
                          url=_short(target), scheme=scheme)
    except Exception as exc:  # noqa: BLE001 - hostile input must never crash the build
        rep.error("content.internal", rep.at(), error=type(exc).__name__)
    finally:
        rep.finish()
    return None if rep.errors else text
