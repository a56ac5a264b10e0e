"""The message catalogue: every user-facing problem text, in Chinese and English.

Each module that reports problems registers its own messages with
:func:`register`, so the catalogue grows with the code that uses it and no
single file becomes a dumping ground.  A message has two halves: *what* is
wrong and *how to fix it*; both are ``str.format`` templates over the
problem's parameters.
"""

from __future__ import annotations

from dataclasses import dataclass

LOCALES = ("zh-CN", "en")
DEFAULT_LOCALE = "zh-CN"


@dataclass(frozen=True)
class Message:
    zh_what: str
    zh_fix: str
    en_what: str
    en_fix: str

    def render(self, locale: str, params: dict[str, object]) -> tuple[str, str]:
        if locale == "en":
            what, fix = self.en_what, self.en_fix
        else:
            what, fix = self.zh_what, self.zh_fix
        return _fmt(what, params), _fmt(fix, params)

    def what(self, locale: str, params: dict[str, object]) -> str:
        """Only the first half: a score card's explanation step has no fix to render."""
        return _fmt(self.en_what if locale == "en" else self.zh_what, params)


class _SafeDict(dict):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


# Line breaks and other control characters in a quoted value would split one
# message over several lines (the second without its file:line:col) or move
# the terminal's cursor: they are shown escaped, as \n, \r, \x1b.
_CONTROL = {c: f"\\x{c:02x}" for c in [*range(0x20), 0x7F, *range(0x80, 0xA0)]} | {
    0x0A: "\\n", 0x0D: "\\r", 0x09: "\\t", 0x2028: "\\u2028", 0x2029: "\\u2029",
}


def _one_line(value: object) -> object:
    return value.translate(_CONTROL) if isinstance(value, str) else value


def _fmt(template: str, params: dict[str, object]) -> str:
    if "{" not in template and "}" not in template:  # nothing to fill in (most “how to fix” halves)
        return template
    return template.format_map(_SafeDict({k: _one_line(v) for k, v in params.items()}))


_CATALOGUE: dict[str, Message] = {}


def register(messages: dict[str, tuple[str, str, str, str]]) -> None:
    """Add ``code -> (zh_what, zh_fix, en_what, en_fix)`` entries.

    Registering one code twice with different text is a programming error.
    """
    for code, texts in messages.items():
        msg = Message(*texts)
        old = _CATALOGUE.get(code)
        if old is not None and old != msg:
            raise RuntimeError(f"message {code!r} registered twice with different text")
        _CATALOGUE[code] = msg


def get(code: str) -> Message:
    try:
        return _CATALOGUE[code]
    except KeyError:  # a bug, not a user error: fail loudly
        raise RuntimeError(f"unknown message code {code!r}") from None


def known_codes() -> list[str]:
    return sorted(_CATALOGUE)


def did_you_mean(word: str, known: list[str] | tuple[str, ...], cutoff: float = 0.6) -> dict[str, str]:
    """``suggestion_zh``/``suggestion_en`` parameters naming the closest known word, if any."""
    import difflib

    close = difflib.get_close_matches(word, list(known), n=1, cutoff=cutoff)
    if not close:
        return {"suggestion_zh": "", "suggestion_en": ""}
    return {"suggestion_zh": f"，是不是“{close[0]}”？", "suggestion_en": f"; did you mean “{close[0]}”?"}


def known(code: str) -> bool:
    return code in _CATALOGUE
