"""What a correction changed: two versions of one period's results, compared.

:func:`diff_results` lists, unit by unit, every figure a reader of the notice
would see change: a line's points, the total, the places in each ranking,
honours and sanctions gained or lost, vetoes, status, coefficient and the
published remarks.  It reads only engine results, so the list cannot disagree
with the pages of either version.
"""

from __future__ import annotations

from dataclasses import dataclass

from site_builder.scoring.results import PeriodResult, UnitResult


@dataclass(frozen=True)
class Change:
    """One figure of one unit, before and after.

    ``kind`` says how to read ``old`` and ``new``:

    - ``line``, ``total``, ``coefficient``: points (``Decimal``, ``None`` = not scored);
    - ``rank``: a place (``int``, ``None`` = not ranked); ``name`` is the ranking;
    - ``honour``, ``veto``: ``False``/``True`` (listed or not); ``name`` is the honour or veto;
    - ``status``: assessed | exempt | absent | not_applicable;
    - ``reason``, ``note``: published text (``None`` = none);
    - ``level``: the name of the unit's level (``None`` = no level), for schemes with ``grades:``.
    """

    kind: str
    name: str
    old: object
    new: object


@dataclass(frozen=True)
class UnitChanges:
    unit: str
    group: str
    changes: tuple[Change, ...]

    @property
    def direct(self) -> bool:
        """The unit's own figures changed (not only its places among the others)."""
        return any(c.kind not in ("rank", "honour", "level") for c in self.changes)


def _lines(old: UnitResult | None, new: UnitResult | None) -> list[Change]:
    """Leaf lines whose points changed, in the order of the indicator tree."""
    before = {l.id: l for l in old.lines if l.is_leaf} if old else {}
    after = {l.id: l for l in new.lines if l.is_leaf} if new else {}
    order = list(after) + [i for i in before if i not in after]
    out = []
    for line_id in order:
        a, b = before.get(line_id), after.get(line_id)
        pa, pb = a.points if a else None, b.points if b else None
        if pa != pb:
            out.append(Change("line", (b or a).name, pa, pb))  # type: ignore[union-attr]
    return out


def _value(u: UnitResult | None, attr: str) -> object:
    return getattr(u, attr) if u is not None else None


def _places(result: PeriodResult, unit: str) -> dict[tuple[str, str], tuple[str, int]]:
    """(ranking, group) -> (ranking name, place) of the unit."""
    out = {}
    for r in result.rankings:
        for e in r.entries:
            if e.unit == unit:
                out[(r.ranking, r.group)] = (r.name, e.rank)
    return out


def _listed(result: PeriodResult, unit: str) -> dict[str, str]:
    """Honour id -> name of every honour or sanction the unit is listed for."""
    return {h.honour: h.name for h in result.honours if unit in h.chosen}


def _unit_changes(old: PeriodResult, new: PeriodResult, unit: str) -> tuple[Change, ...]:
    a, b = old.units.get(unit), new.units.get(unit)
    changes: list[Change] = []
    if _value(a, "status") != _value(b, "status"):
        changes.append(Change("status", "", _value(a, "status"), _value(b, "status")))
    if _value(a, "reason") != _value(b, "reason"):
        changes.append(Change("reason", "", _value(a, "reason"), _value(b, "reason")))
    changes += _lines(a, b)
    if _value(a, "coefficient") != _value(b, "coefficient"):
        changes.append(
            Change("coefficient", "", _value(a, "coefficient"), _value(b, "coefficient"))
        )
    total_a = a.total if a is not None and a.status == "assessed" else None
    total_b = b.total if b is not None and b.status == "assessed" else None
    if total_a != total_b:
        changes.append(Change("total", "", total_a, total_b))
    pa, pb = _places(old, unit), _places(new, unit)
    for key in list(pb) + [k for k in pa if k not in pb]:
        ra, rb = pa.get(key, (None, None))[1], pb.get(key, (None, None))[1]
        if ra != rb:
            changes.append(Change("rank", (pb.get(key) or pa[key])[0], ra, rb))
    va = {v.id: v.name for v in a.vetoes} if a else {}
    vb = {v.id: v.name for v in b.vetoes} if b else {}
    for vid in sorted(set(va) ^ set(vb)):
        changes.append(Change("veto", va.get(vid) or vb[vid], vid in va, vid in vb))
    ha, hb = _listed(old, unit), _listed(new, unit)
    for hid in dict.fromkeys(h.honour for h in (*new.honours, *old.honours)):
        if (hid in ha) != (hid in hb):
            changes.append(Change("honour", ha.get(hid) or hb[hid], hid in ha, hid in hb))
    la, lb = old.levels.get(unit), new.levels.get(unit)
    if (la.level if la else None) != (lb.level if lb else None):  # levels as results (等次)
        changes.append(Change("level", "", la.name if la else None, lb.name if lb else None))
    if _value(a, "note") != _value(b, "note"):
        changes.append(Change("note", "", _value(a, "note"), _value(b, "note")))
    return tuple(changes)


def diff_results(old: PeriodResult, new: PeriodResult) -> tuple[UnitChanges, ...]:
    """Every unit whose published figures differ between two versions of one period.

    Units whose own figures changed come first, then those that only moved in
    a ranking or gained or lost an honour; each part by group (in the order of
    the rankings) and by place in the newer version.
    """
    groups: list[str] = []
    for r in (*new.rankings, *old.rankings):
        if r.group not in groups:
            groups.append(r.group)
    found = []
    for unit in sorted(set(old.units) | set(new.units)):
        changes = _unit_changes(old, new, unit)
        if changes:
            u = new.units.get(unit) or old.units[unit]
            found.append(UnitChanges(unit, u.group, changes))

    def place(uc: UnitChanges) -> tuple:
        places = [p for _key, (_name, p) in _places(new, uc.unit).items()]
        group = groups.index(uc.group) if uc.group in groups else len(groups)
        return (not uc.direct, group, places[0] if places else 10**9, uc.unit)

    return tuple(sorted(found, key=place))
