"""Checks on a source file's bytes and characters, before any YAML parsing.

Size cap, UTF-8 BOM, UTF-8 validity (with a guess at the real encoding), tabs
and invisible characters.  Used by :mod:`site_builder.load.yamlsafe`; the
reporting helper :class:`Report` caps how many problems of one kind a single
file can produce, so hostile input cannot flood the output.
"""

from __future__ import annotations

import bisect
import re

from site_builder.errors import Mark, Problems
from site_builder.messages import register

MAX_PER_CODE = 20  # at most this many problems of one kind are listed per file

_RESAVE = "请用编辑器（如 VS Code：右下角编码 → 通过编码保存 → UTF-8）另存为 UTF-8"
_RESAVE_EN = ("re-save the file as UTF-8 (VS Code: encoding in the status bar → "
              "Save with Encoding → UTF-8)")

register({
    "yaml.not_found": ("文件不存在", "请检查文件名和路径", "file not found",
                       "check the file name and path"),
    "yaml.read_failed": ("无法读取文件（{reason}）", "请检查文件权限，确认它是普通文件",
                         "cannot read the file ({reason})",
                         "check the file permissions and that it is a regular file"),
    "yaml.too_large": (
        "文件大小 {size}（{size_bytes} 字节）超过上限 {limit}（{limit_bytes} 字节）",
        "请删除不需要的内容（如大段注释或嵌入的数据）；单位名册可拆分为 units/ 下的多个文件",
        "the file is {size} ({size_bytes} bytes), over the limit of {limit} ({limit_bytes} bytes)",
        "remove content that is not needed (long comments, embedded data); a unit registry may be split into several files under units/"),
    "yaml.bom": (
        "文件开头有 UTF-8 BOM（字节顺序标记），将被忽略",
        "建议保存为不带 BOM 的 UTF-8（VS Code：右下角编码 → 通过编码保存 → UTF-8；"
        "记事本：另存为时选“UTF-8”而不是“带有 BOM 的 UTF-8”）",
        "the file starts with a UTF-8 byte order mark (BOM); it will be ignored",
        "save the file as UTF-8 without BOM (VS Code: encoding in the status bar → "
        "Save with Encoding → UTF-8)"),
    "yaml.encoding": (
        "文件不是有效的 UTF-8 编码（第一个无效字节 {byte}），看起来是 {encoding} 编码",
        _RESAVE + "，或运行 iconv -f {encoding} -t UTF-8 原文件 > 新文件",
        "the file is not valid UTF-8 (first invalid byte {byte}); it looks like {encoding}",
        _RESAVE_EN + ", or run: iconv -f {encoding} -t UTF-8 old-file > new-file"),
    "yaml.not_utf8": (
        "文件不是有效的 UTF-8 编码（第一个无效字节 {byte}）",
        "请确认文件原来的编码，" + _RESAVE,
        "the file is not valid UTF-8 (first invalid byte {byte})",
        "find out the file's original encoding and " + _RESAVE_EN),
    "yaml.tab": (
        "出现制表符（Tab），YAML 中不允许使用 Tab",
        "请改用空格（缩进建议每级 2 个空格；编辑器中可开启“用空格代替 Tab”）",
        "tab character; tabs are not allowed in YAML",
        "use spaces instead (2 per indentation level; let your editor insert spaces)"),
    "yaml.control_char": (
        "出现不可见的控制字符 {char}", "请删除该字符（它通常来自从其他软件复制粘贴的文本）",
        "invisible control character {char}",
        "delete it (it usually comes from text pasted from another program)"),
    "yaml.stray_bom": (
        "文本中出现不可见字符 U+FEFF（零宽不换行空格 / BOM）", "请删除该字符",
        "invisible character U+FEFF (zero-width no-break space / BOM) in the text",
        "delete it"),
    "yaml.invisible_char": (
        "出现不可见字符 {char}",
        "请删除该字符：它看不见，却会改变文字的显示顺序，或使两个看起来相同的名称并不相同"
        "（常见于从网页、Word 或聊天软件复制的文字）",
        "invisible character {char}",
        "delete it: it cannot be seen but can reorder the text as displayed or make two "
        "names that look the same differ (it usually comes from text copied from a web page, "
        "a word processor or a chat program)"),
    "yaml.more_hidden": (
        "另有 {count} 处同类问题（{kind}）未逐一列出", "请先修正已列出的问题，再重新检查",
        "{count} more problems of the same kind ({kind}) not listed",
        "fix the problems listed, then check again"),
})


class Report:
    """The problems of one file: lists at most MAX_PER_CODE of each kind, counts errors."""

    def __init__(self, problems: Problems, display: str) -> None:
        self.problems = problems
        self.display = display
        self.errors = 0
        self.counts: dict[str, int] = {}
        self.listed: dict[str, int] = {}
        self.first_hidden: dict[str, Mark | None] = {}
        self.positions: set[tuple[int, int]] = set()

    def at(self, line: int = 0, column: int = 0) -> Mark:
        return Mark(self.display, line, column)

    def error(self, code: str, mark: Mark | None, **params: object) -> None:
        self.count(code, mark)
        if self.counts[code] <= MAX_PER_CODE:
            self.listed[code] = self.listed.get(code, 0) + 1
            self.problems.add(code, mark, **params)

    def count(self, code: str, mark: Mark | None, n: int = 1) -> None:
        """Count ``n`` errors of kind ``code`` without listing them."""
        self.errors += n
        if mark is not None:
            self.positions.add((mark.line, mark.column))
        self.counts[code] = self.counts.get(code, 0) + n
        if self.counts[code] > MAX_PER_CODE:
            self.first_hidden.setdefault(code, mark)

    def finish(self) -> None:
        """Add one summary problem for each kind that had problems not listed."""
        for code, n in self.counts.items():
            hidden = n - self.listed.get(code, 0)
            if hidden > 0:
                self.problems.add("yaml.more_hidden", self.first_hidden.get(code) or self.at(),
                                  count=hidden, kind=code)


# ------------------------------------------------------------------------ size and BOM

def _human(n: int) -> str:
    if n < 1024:
        return f"{n} B"
    if n < 1024 * 1024:
        return f"{n / 1024:.1f} KB"
    return f"{n / (1024 * 1024):.1f} MB"


def report_too_large(size: int, limit: int, display: str, problems: Problems) -> None:
    problems.add("yaml.too_large", Mark(display), size=_human(size), size_bytes=size,
                 limit=_human(limit), limit_bytes=limit)


def strip_bom(raw: bytes, rep: Report) -> bytes:
    """Drop a leading UTF-8 BOM, with a warning."""
    if raw.startswith(b"\xef\xbb\xbf"):
        rep.problems.warn("yaml.bom", rep.at(1, 1))
        return raw[3:]
    return raw


# ------------------------------------------------------------------------ encoding

_GUESSES = (("UTF-16", "utf-16"), ("GBK", "gb18030"), ("Big5", "big5"), ("Shift_JIS", "shift_jis"))
_NOT_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ue000-\uf8ff\ufffd]")
_NON_ASCII = re.compile("[^\x00-\x7f]")
_CJKISH = re.compile(
    "[\u00b7\u2010-\u206f\u2190-\u21ff\u2460-\u24ff\u2500-\u27bf\u3000-\u30ff\u3100-\u312f"
    "\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef"
    "\U00020000-\U0003134f]")


def _looks_like_text(text: str, name: str) -> bool:
    """Mostly printable, and its non-ASCII characters mostly CJK text or punctuation.

    For GBK the bar is higher: most characters must also exist in GB2312 (the
    common simplified characters), otherwise Shift_JIS or Big5 bytes, which
    often decode as rare GBK characters, would be taken for GBK.
    """
    if not text or _NOT_TEXT.search(text):
        return False
    wide = _NON_ASCII.findall(text)
    if not wide:
        return True
    if len(_CJKISH.findall(text)) < 0.7 * len(wide):
        return False
    if name == "GBK":
        common = sum(1 for ch in wide if _encodes(ch, "gb2312"))
        return common >= 0.7 * len(wide)
    return True


def _encodes(ch: str, codec: str) -> bool:
    try:
        ch.encode(codec)
    except UnicodeEncodeError:
        return False
    return True


def guess_encoding(raw: bytes) -> str | None:
    """Name of the first of UTF-16 (by BOM), GBK, Big5, Shift_JIS that fits ``raw``."""
    for name, codec in _GUESSES:
        if codec == "utf-16" and not raw.startswith((b"\xff\xfe", b"\xfe\xff")):
            continue
        try:
            text = raw.decode(codec)
        except (UnicodeDecodeError, LookupError):
            continue
        if _looks_like_text(text.lstrip("\ufeff"), name):
            return name
    return None


def decode_utf8(raw: bytes, rep: Report) -> str | None:
    """The text of ``raw``, or None after reporting where it stops being UTF-8."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        start = exc.start
        line_start = raw.rfind(b"\n", 0, start) + 1
        line = raw.count(b"\n", 0, start) + 1
        column = len(raw[line_start:start].decode("utf-8", "replace")) + 1
        byte = f"0x{raw[start]:02X}"
        encoding = guess_encoding(raw)
        if encoding:
            rep.error("yaml.encoding", rep.at(line, column), encoding=encoding, byte=byte)
        else:
            rep.error("yaml.not_utf8", rep.at(line, column), byte=byte)
        return None


# ------------------------------------------------------------------------ characters

BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")  # line breaks as PyYAML counts them
# Tabs, plus everything PyYAML's reader refuses, plus U+FEFF.
BAD_CHAR = re.compile(
    "[\t\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\ud800-\udfff\ufeff\ufffe\uffff]")
# Invisible characters PyYAML lets through: every format character (Unicode
# category Cf: zero-width spaces and joiners, bidi embeddings, overrides and
# isolates, the soft hyphen, tag characters, …; U+FEFF is BAD_CHAR's), plus
# the Hangul fillers and the combining grapheme joiner, which render as nothing.
# tests/test_yamlsafe_chars.py checks the class against unicodedata.
FORMAT_RANGES = (
    (0x00AD, 0x00AD), (0x0600, 0x0605), (0x061C, 0x061C), (0x06DD, 0x06DD), (0x070F, 0x070F),
    (0x0890, 0x0891), (0x08E2, 0x08E2), (0x180E, 0x180E), (0x200B, 0x200F), (0x202A, 0x202E),
    (0x2060, 0x2064), (0x2066, 0x206F), (0xFFF9, 0xFFFB), (0x110BD, 0x110BD),
    (0x110CD, 0x110CD), (0x13430, 0x1343F), (0x1BCA0, 0x1BCA3), (0x1D173, 0x1D17A),
    (0xE0001, 0xE0001), (0xE0020, 0xE007F),
)
FILLERS = (0x034F, 0x115F, 0x1160, 0x3164, 0xFFA0)
_HIDDEN_CLASS = "".join(
    chr(a) if a == b else f"{chr(a)}-{chr(b)}" for a, b in FORMAT_RANGES
) + "".join(chr(c) for c in FILLERS)
HIDDEN = re.compile(f"[{_HIDDEN_CLASS}]")
_ANY_BAD = re.compile(f"[\t\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\ud800-\udfff"
                      f"\ufeff\ufffe\uffff{_HIDDEN_CLASS}]")
_INDENT_TAB = re.compile(r"^ *\t", re.MULTILINE)
_SCAN_LIMIT = 1000  # beyond this many bad characters, only count them


def char_name(ch: str) -> str:
    """``U+202E RIGHT-TO-LEFT OVERRIDE``: the code point and, when it has one, its name."""
    import unicodedata

    name = unicodedata.name(ch, "")
    return f"U+{ord(ch):04X}" + (f" {name}" if name else "")


def _code(ch: str, tabs_ok: bool) -> str | None:
    if ch == "\t":
        return None if tabs_ok else "yaml.tab"
    if ch == "\ufeff":
        return "yaml.stray_bom"
    if HIDDEN.match(ch):
        return "yaml.invisible_char"
    return "yaml.control_char"


def check_characters(text: str, rep: Report, *, tabs_ok: bool = False) -> tuple[set[int], int]:
    """Report tabs, control and invisible characters, each at its line and column.

    Returns the lines that have one, and the line from which on syntax errors
    are most likely consequences of these characters (0 if none): the first
    line indented with a tab, or line 1 when the text is flooded with them.
    ``tabs_ok`` is for Markdown, where a tab is ordinary text.
    """
    starts = [0] + [m.end() for m in BREAK.finditer(text)]
    lines: set[int] = set()
    n = 0
    for m in _ANY_BAD.finditer(text):
        i = m.start()
        ch = m.group()
        code = _code(ch, tabs_ok)
        if code is None:
            continue
        if n >= _SCAN_LIMIT:  # hostile input: count the rest in bulk
            counts: dict[str, int] = {}
            for rest in _ANY_BAD.findall(text, i):
                kind = _code(rest, tabs_ok)
                if kind is not None:
                    counts[kind] = counts.get(kind, 0) + 1
            for kind, count in counts.items():
                rep.count(kind, None, count)
            return lines, 1
        n += 1
        k = bisect.bisect_right(starts, i) - 1
        mark = rep.at(k + 1, i - starts[k] + 1)
        lines.add(k + 1)
        if code in ("yaml.control_char", "yaml.invisible_char"):
            rep.error(code, mark, char=char_name(ch) if code == "yaml.invisible_char"
                      else f"U+{ord(ch):04X}")
        else:
            rep.error(code, mark)
    if tabs_ok:
        return lines, 0
    first = _INDENT_TAB.search(text)
    first_line = bisect.bisect_right(starts, first.start()) if first else 0
    return lines, first_line
