"""Problems found in the input, and the one exception type users ever see.

Every stage collects :class:`Problem` objects into a :class:`Problems` list
instead of stopping at the first one, so a single ``site-builder check``
reports everything.  When a stage is done it calls
:meth:`Problems.raise_if_errors`; the resulting :class:`InputError` is a
``click.ClickException``, so the CLI prints it and exits non-zero without a
traceback.  Anything else that escapes is a bug and is allowed to be loud.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import click

from site_builder import messages
from site_builder.messages import DEFAULT_LOCALE


@dataclass(frozen=True, order=True, slots=True)
class Mark:
    """A position in a source file (1-based line and column).

    With ``__slots__``: a period file of 500 units holds ~20,000 of them in its document (and the
    parse cache pickles them), each half the size it would be with a ``__dict__``."""

    path: str
    line: int = 0
    column: int = 0

    def __getstate__(self) -> tuple:  # pickled as a tuple (the default of a slotted dataclass is slower)
        return (self.path, self.line, self.column)

    def __setstate__(self, state: tuple) -> None:
        setattr_ = object.__setattr__
        setattr_(self, "path", state[0])
        setattr_(self, "line", state[1])
        setattr_(self, "column", state[2])

    def __str__(self) -> str:
        if self.line:
            return f"{self.path}:{self.line}:{self.column}"
        return self.path


@dataclass(frozen=True)
class Problem:
    code: str
    mark: Mark | None
    params: tuple[tuple[str, object], ...] = ()
    severity: str = "error"  # "error" or "warning"

    def render(self, locale: str = DEFAULT_LOCALE) -> str:
        what, fix = messages.get(self.code).render(locale, dict(self.params))
        where = f"{self.mark}: " if self.mark else ""
        if self.severity == "warning":
            what = ("warning: " if locale == "en" else "警告：") + what
        sep = " — " if fix else ""
        return f"{where}{what}{sep}{fix}"

    def sort_key(self) -> tuple:
        m = self.mark or Mark("")
        return (m.path, m.line, m.column, self.code, repr(self.params))


@dataclass
class Problems:
    """An ordered collection of problems, errors and warnings alike."""

    items: list[Problem] = field(default_factory=list)

    def add(self, code: str, mark: Mark | None, severity: str = "error", **params: object) -> None:
        messages.get(code)  # unknown codes are bugs: fail at the call site
        p = Problem(code, mark, tuple(sorted(params.items())), severity)
        if p not in self.items:
            self.items.append(p)

    def warn(self, code: str, mark: Mark | None, **params: object) -> None:
        self.add(code, mark, severity="warning", **params)

    def extend(self, other: Problems | list[Problem]) -> None:
        for p in other.items if isinstance(other, Problems) else other:
            if p not in self.items:
                self.items.append(p)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.items if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.items if p.severity == "warning"]

    def __bool__(self) -> bool:
        return bool(self.errors)

    def sorted(self) -> list[Problem]:
        return sorted(self.items, key=Problem.sort_key)

    def raise_if_errors(self, locale: str = DEFAULT_LOCALE) -> None:
        if self.errors:
            raise InputError(self.sorted(), locale)


class SiteBuilderError(click.ClickException):
    """Base class of every error a user may see: printed as text, never a traceback."""

    exit_code = 1


class InputError(SiteBuilderError):
    """The sources have problems; ``problems`` lists all of them."""

    def __init__(self, problems: list[Problem], locale: str = DEFAULT_LOCALE) -> None:
        self.problems = problems
        self.locale = locale
        n = sum(1 for p in problems if p.severity == "error")
        lines = [p.render(locale) for p in problems]
        if locale == "en":
            lines.append(f"{n} error(s); nothing was written.")
        else:
            lines.append(f"共 {n} 个错误；未写出任何文件。")
        super().__init__("\n".join(lines))

    def format_message(self) -> str:
        return self.message

    def show(self, file=None) -> None:  # no "Error: " prefix: each line is already complete
        click.echo(self.format_message(), err=True, file=file)


def rel(path: Path | str, root: Path | None = None) -> str:
    """Path as shown in messages: relative to the project root, with forward slashes."""
    p = Path(path)
    if root is not None:
        try:
            p = p.resolve().relative_to(root.resolve())
        except ValueError:
            pass
    return p.as_posix()
