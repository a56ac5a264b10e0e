"""Records written alike, shared: a period file repeats the same few records unit after unit.

:func:`site_builder.checks.scores_checks.check_period` validates a record written exactly as one
before once (:func:`written_key`), and the units that wrote it share the one frozen :class:`Facts`
(and each event, person or award written alike, :func:`with_shared_records`); once the period is
checked, its file keeps no facts as written and alike unit entries are one object (:func:`checked`).
"""

from __future__ import annotations

from collections.abc import Hashable
from decimal import Decimal

from site_builder.load.yamlsafe import PlainStr
from site_builder.schema.scores import ScoresFile, UnitEntry
from site_builder.scoring.facts import Event, Facts

# Tags of a written record's key (:func:`written_key`): never data themselves (text, None or keys).
_PLAIN, _MAP, _SEQ = 0, 1, 2


def written_key(data: object) -> Hashable | None:
    """What was written for one line, exactly, as a key (None: something in it is not plain YAML).

    Equal keys mean the same mappings, lists and texts, in the same order, each text plain or
    quoted alike: validated, they make facts equal in everything, the fields given included.
    A period file repeats the same few records unit after unit (``重大项目推进度: 13.5``), so
    :func:`site_builder.checks.scores_checks.check_period` validates each once and the units
    that wrote it share the one frozen :class:`Facts`.
    """
    kind = type(data)
    if kind is str or data is None:
        return data
    if kind is PlainStr:
        return (_PLAIN, str(data))
    if kind is dict:
        out: list = [_MAP]
        for k, v in data.items():
            if type(k) is not str:
                return None
            got = written_key(v)
            if got is None and v is not None:
                return None
            out += (k, got)
        return tuple(out)
    if kind is list:
        items: list = [_SEQ]
        for v in data:
            got = written_key(v)
            if got is None and v is not None:
                return None
            items.append(got)
        return tuple(items)
    return None


_RECORDS = ("events", "people", "awards")


def with_shared_records(facts: Facts, data: object, made: dict[Hashable, Event]) -> Facts:
    """``facts``, validated from ``data``, with each event, person or award written exactly as one
    before (``made``: by :func:`written_key` of the record as written) replaced by that one.

    Units of a period often record the same occurrence or award alike in otherwise different
    facts (the same inspection on the same day, the same provincial honour): one frozen
    :class:`Event` serves them all.  A list is replaced, never changed: a new ``Facts`` is made.
    """
    if type(data) is not dict:
        return facts
    update: dict[str, list[Event]] = {}
    for name in _RECORDS:
        got: list[Event] = getattr(facts, name)
        raw = data.get(name)
        if not got or type(raw) is not list or len(raw) != len(got):
            continue
        shared = []
        for written, event in zip(raw, got):
            key = written_key(written)
            shared.append(event if key is None else made.setdefault(key, event))
        if any(a is not b for a, b in zip(shared, got)):
            update[name] = shared
    return facts.model_copy(update=update) if update else facts


def checked(scores: ScoresFile) -> ScoresFile:
    """The file as its period keeps it: each unit's facts as written (text as the YAML had it, for
    validation and its messages) are dropped once validated — the period's ``facts`` hold them —
    so a build does not carry the whole document twice."""
    same: dict[Hashable, UnitEntry] = {}  # most units' entries are then alike (assessed, nothing else said)
    units: dict[str, UnitEntry] = {}
    for uid, e in scores.units.items():
        if e.facts:
            e = e.model_copy(update={"facts": {}})
        key = _entry_key(e)
        units[uid] = e if key is None else same.setdefault(key, e)
    return scores.model_copy(update={"units": units})


def _entry_key(entry: UnitEntry) -> Hashable | None:
    """An entry's fields given and values, exactly (a figure by its text: 1.0 is not 1), as a key; None
    when it holds anything but text, figures and empty lists or mappings (a veto record)."""
    out: list = [tuple(sorted(entry.model_fields_set))]
    for name, value in entry.__dict__.items():
        kind = type(value)
        if value is None or kind is str:
            out += (name, value)
        elif kind is Decimal:
            out += (name, ("Decimal", str(value)))
        elif kind in (list, dict) and not value:
            out += (name, kind.__name__)
        else:
            return None
    return tuple(out)
