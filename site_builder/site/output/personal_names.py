"""Registered names (``name:`` of a person, an award or an event): found, masked
(张三 → 张*) in text, in archived period files and in a copy of the site data,
and looked for in every output.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import functools
import re
from collections.abc import Iterable, Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any
from pydantic import BaseModel

from site_builder.scoring.rules.base import per_object
from site_builder.site.output.personal_numbers import normalise


def mask_name(name: str) -> str:
    """张三 → 张*, 欧阳小明 → 欧***: keep the first character only."""
    name = name.strip()
    if not name:
        return name
    return name[0] + "*" * max(1, len(name) - 1)


# ------------------------------------------------------------------ registered names
#
# The names recorded with events (``name:`` of a person, an award or an event)
# are personal data.  Unless a scheme declares a legal basis for publishing
# them, every occurrence of such a name — in a note, a title, an archived
# period file — is replaced by its mask.  The privacy stage and the lock share
# these functions.


def person_names(facts_by_unit: Mapping[str, Mapping[str, object]]) -> frozenset[str]:
    """Every person's name recorded in one period's validated facts (unit -> line -> Facts): read
    once per period's facts (the privacy stage, the notice documents and the lock each ask)."""
    return per_object(_PERSONS, facts_by_unit, lambda: _person_names(facts_by_unit))


_PERSONS: dict = {}


def _person_names(facts_by_unit: Mapping[str, Mapping[str, object]]) -> frozenset[str]:
    names: set[str] = set()
    for lines in facts_by_unit.values():
        for facts in lines.values():
            for ev in getattr(facts, "all_events", lambda: [])():
                if ev.name and ev.name.strip():
                    names.add(ev.name.strip())
    return frozenset(names)


def maskable_names(names: Iterable[str]) -> list[str]:
    """Names worth masking (two characters or more), longest first."""
    # a name already masked (张*, as archived by ``site-builder lock``) is not a name
    return sorted(
        {n.strip() for n in names if len(n.strip()) >= 2 and "*" not in n},
        key=lambda n: (-len(n), n),
    )


def redact_names(text: str, names: Iterable[str]) -> str:
    """``text`` with every registered name replaced by its mask (longest names first)."""
    for name in maskable_names(names):
        if name in text:  # one character would mask ordinary words
            text = text.replace(name, mask_name(name))
    return text


def redact_archive(data: bytes, names: Iterable[str]) -> bytes:
    """A period file's bytes with every registered name masked, for ``published/``.

    The replacement works on the UTF-8 bytes (a character's encoding never
    overlaps another's), so everything but the names — line endings, comments,
    a BOM — stays byte-for-byte, and the result is stable: redacting twice
    gives the same bytes.  A mask keeps the name's first character, so it never
    begins a plain YAML scalar with ``*`` and the file stays valid YAML.
    """
    for name in maskable_names(names):
        needle = name.encode("utf-8")
        if needle in data:
            data = data.replace(needle, mask_name(name).encode("utf-8"))
    return data


def redact_markdown(data: bytes, names: Iterable[str]) -> bytes:
    """A notice body's bytes with every registered name masked (the mask's ``*``
    escaped for Markdown), for ``published/``: what the page shows, byte-stable."""
    return _Redactor(maskable_names(names)).markdown(data)


def publishes_names(project: Any, scheme: str, version: str | None = None) -> bool:
    """Whether ``scheme`` (its ``version``, else its latest) declares a legal basis for names."""
    versions = getattr(project, "schemes", {}).get(scheme) or {}
    sv = versions.get(version) if version else None
    if sv is None and versions:
        sv = list(versions.values())[-1]
    if sv is None:
        return False
    pd = sv.scheme.personal_data
    return bool(pd.publish_names and pd.legal_basis)  # check refuses the one without the other


def names_to_mask(project: Any, histories: Mapping[Any, Any] | None = None, root: Path | None = None) -> list[str]:
    """Registered names of every period (earlier published versions too) whose scheme
    does not publish names: masked everywhere on the site, longest first.

    With the project's ``root``, the names of a period file read by an earlier build — the same
    bytes, validated with the same other sources — are taken from ``.site-builder/names/``
    (:mod:`.source_memo`) instead of reading every fact of it again."""
    periods = list(project.periods)
    for h in (histories or {}).values():
        for v in h.versions:
            periods.append(v.period)
            periods.extend(v.project.periods)
    memo = _NamesMemo(project, root)
    names: set[str] = set()
    seen: set[int] = set()
    for i, p in enumerate(periods):
        if id(p) in seen:
            continue
        seen.add(id(p))
        if not publishes_names(project, p.scheme, p.version):
            names |= memo.names(p) if i < len(project.periods) else person_names(p.facts)
    memo.save()
    return maskable_names(names)


class _NamesMemo:
    """A period's registered names by the digests of its file and of every other source (not
    other period files) it is validated with; only for the project's own periods (an earlier
    version's, archived in ``published/``, is read every time)."""

    def __init__(self, project: Any, root: Path | None) -> None:
        from site_builder.site.output import source_memo

        self.sources = getattr(project, "sources", None) or {}
        self.memo = source_memo.Memo(root, "names") if root is not None and self.sources else None
        if self.memo is not None:
            self.digest = source_memo.digest
            self.context = self.digest(*(
                name.encode("utf-8", "surrogatepass") + b"\0" + self.digest(raw)
                for name, raw in sorted(self.sources.items()) if not name.startswith("scores/")
            ))

    def names(self, period: Any) -> frozenset[str]:
        raw = self.sources.get(period.path) if self.memo is not None else None
        if raw is None:
            return person_names(period.facts)
        key = self.digest(period.path.encode("utf-8", "surrogatepass"), raw, self.context)
        got = self.memo.get(key)
        if isinstance(got, frozenset):
            return got
        found = person_names(period.facts)
        self.memo.put(key, found)
        return found

    def save(self) -> None:
        if self.memo is not None:
            self.memo.save()


_ATOMS = (bool, int, float, Decimal, dt.date, dt.time, Path, enum.Enum)
_PLAIN = frozenset({type(None), bool, int, float, Decimal, dt.date, dt.datetime})


class _Redactor:
    """A copy of immutable data (dataclasses, pydantic models, containers) with names masked.

    Only what changes is copied; shared objects stay shared (one copy each).
    Dictionary keys are identifiers and are left alone; bytes are Markdown
    (a notice body), where the mask's ``*`` is escaped.
    """

    def __init__(self, names: list[str], skip: frozenset[tuple[type, str]] = frozenset()) -> None:
        self.names = names
        self.pattern = re.compile("|".join(re.escape(n) for n in names)) if names else None
        self.masks = {n: mask_name(n) for n in names}
        self.skip = skip
        self.memo: dict[int, tuple[Any, Any]] = {}
        self.handlers: dict[type, Any] = {}

    def text(self, s: str) -> str:
        if self.pattern is None or self.pattern.search(s) is None:
            return s
        new = self.pattern.sub(lambda m: self.masks[m.group()], s)
        return new if type(s) is str else type(s)(new)

    def markdown(self, b: bytes) -> bytes:
        if self.pattern is None:
            return b
        text = b.decode("utf-8", errors="surrogateescape")
        if self.pattern.search(text) is None:
            return b
        new = self.pattern.sub(lambda m: self.masks[m.group()].replace("*", "\\*"), text)
        return new.encode("utf-8", errors="surrogateescape")

    def __call__(self, obj: Any) -> Any:
        t = type(obj)
        if t is str:
            return self.text(obj)
        handler = self.handlers.get(t)
        if handler is None:
            handler = self.handlers[t] = self._handler(t)
        return handler(obj)

    def _handler(self, t: type) -> Any:
        if t is type(None) or issubclass(t, _ATOMS):
            return _same
        if issubclass(t, str):
            return self.text
        if issubclass(t, bytes):
            return self.markdown
        if issubclass(t, BaseModel):
            return self._memo(self._model, tuple(t.model_fields))
        if dataclasses.is_dataclass(t):
            names = tuple(f.name for f in dataclasses.fields(t) if (t, f.name) not in self.skip)
            return self._memo(self._dataclass, names)
        if issubclass(t, dict):
            return self._memo(self._dict, ())
        if issubclass(t, (list, tuple)):
            return self._sequence
        if issubclass(t, (set, frozenset)):
            return self._set
        return _same

    def _memo(self, copy_of: Any, names: tuple[str, ...]) -> Any:
        memo = self.memo

        def handle(obj: Any) -> Any:
            hit = memo.get(id(obj))
            if hit is not None and hit[0] is obj:
                return hit[1]
            new = copy_of(obj, names)
            memo[id(obj)] = (obj, new)
            return new

        return handle

    def _item(self, value: Any) -> Any:
        """``self(value)``, with the common cases (no text, text without a name) inline."""
        t = type(value)
        if t is str:
            if self.pattern is None or self.pattern.search(value) is None:
                return value
            return self.text(value)
        if t in _PLAIN:
            return value
        return self(value)

    def _changes(self, obj: Any, names: tuple[str, ...]) -> dict[str, Any]:
        changes = {}
        item = self._item
        for name in names:
            value = getattr(obj, name)
            red = item(value)
            if red is not value:
                changes[name] = red
        return changes

    def _model(self, obj: Any, names: tuple[str, ...]) -> Any:
        changes = self._changes(obj, names)
        private = obj.__pydantic_private__
        if private:  # what a model made of its fields when validated (a rule's rates) is masked alike
            masked = {k: self._item(v) for k, v in private.items()}
            if any(masked[k] is not v for k, v in private.items()):
                new = obj.model_copy(update=changes)
                new.__pydantic_private__ = masked
                return new
        return obj.model_copy(update=changes) if changes else obj

    def _dataclass(self, obj: Any, names: tuple[str, ...]) -> Any:
        changes = self._changes(obj, names)
        if not changes:
            return obj
        import copy

        new = copy.copy(obj)
        for name, value in changes.items():
            object.__setattr__(new, name, value)
        return new

    def _dict(self, obj: dict, _names: tuple[str, ...]) -> dict:
        item = self._item
        out = {k: item(v) for k, v in obj.items()}
        if all(out[k] is v for k, v in obj.items()):
            return obj
        return out if type(obj) is dict else type(obj)(out)

    def _sequence(self, obj: Any) -> Any:
        item = self._item
        items = [item(v) for v in obj]
        if all(a is b for a, b in zip(items, obj, strict=True)):
            return obj
        if isinstance(obj, tuple) and hasattr(obj, "_fields"):
            return type(obj)(*items)
        return type(obj)(items)

    def _set(self, obj: Any) -> Any:
        items = {self(v) for v in obj}
        return obj if items == set(obj) else type(obj)(items)


def _same(obj: Any) -> Any:
    return obj


def redact_site_data(data: Any, names: list[str] | None = None) -> Any:
    """The site's data with every registered name masked: what every page is made from.

    ``data`` is a :class:`~site_builder.site.data.SiteData`; the source bytes it
    lists for the manifest (``project.sources``, ``archive``) stay as they are,
    because their hashes must match the files in the repository.
    """
    from site_builder.model import Project

    if names is None:
        names = names_to_mask(data.project, data.histories)
    if not names or not _written_elsewhere(data, names):
        # Each name is only the ``name:`` of its event, which every view shows
        # masked (:func:`mask_name`); the scan of the outputs stands behind that.
        # Copying the whole data would only cost time (a tenth of a large build).
        return data
    red = _Redactor(names, skip=frozenset({(Project, "sources")}))
    return dataclasses.replace(
        data,
        project=red(data.project),
        results=red(data.results),
        histories=red(data.histories),
        content={k: red.markdown(v) for k, v in data.content.items()},
    )


NAME_VALUE = re.compile(r"(?:^|[\s{,])name\s*:[ \t]*(?P<v>\"[^\"\n]*\"|'[^'\n]*'|[^,}#\n]+)")


def _written_elsewhere(data: Any, names: list[str]) -> bool:
    """Whether a registered name is written anywhere but as the ``name:`` of an event:
    in a note, a title, the registry, a scheme, a notice body (now or archived)."""
    periods = {p.path for p in data.project.periods}
    files = [*data.project.sources.items(), *data.content.items(), *data.archive.items()]
    for h in data.histories.values():
        files.extend((f"body of v{v.n}", v.body) for v in h.versions if v.body)
    for path, raw in files:
        text = raw.decode("utf-8-sig", errors="replace")
        if re.search(r"\\[uUxN]", text):
            return True  # an escape in a quoted YAML string may spell a name
        if not any(n in text for n in names):
            continue
        if path in periods or re.search(r"/v[0-9]+\.ya?ml$", path):
            text = NAME_VALUE.sub("", text)  # a period file: its events' own names
        if any(n in normalise(text) for n in names):
            return True
    return False


def find_names(text: str, names: Iterable[str]) -> list[str]:
    """The registered names that occur in ``text`` (after NFKC), longest first."""
    return names_in(normalise(text), maskable_names(names))


@functools.lru_cache(maxsize=8)
def _any_name(names: tuple[str, ...]) -> re.Pattern[str]:
    """One alternation over every name: a single pass tells whether any is there."""
    return re.compile("|".join(re.escape(n) for n in names))


def names_in(norm: str, names: list[str]) -> list[str]:
    if not names or _any_name(tuple(names)).search(norm) is None:
        return []  # the usual case: every name masked, no name on the page
    found: list[str] = []
    for name in names:
        if name in norm and not any(name in longer for longer in found):
            found.append(name)
    return found
