"""A period's tables kept in a process for the files that read them again (:mod:`.dataset_stream`,
a notice's downloads), while they fit in a bound of values; beyond it they are made again when read
again, a table at a time."""

from __future__ import annotations

from site_builder.site.data import SiteData
from site_builder.site.output import dataset
from site_builder.site.output.dataset import TABLES, Records
from site_builder.site.output.jsontext import Columns

# Values of records kept per process between the files that read them: eight bytes each (the
# tables are columns, :class:`.jsontext.Columns`; the texts and figures they point to are shared
# by many rows), so 8,000,000 values are about 61 MiB (measured: 8.5 bytes a value with the
# figures a period makes).  A period of 500 units and 40 indicators holds about 376,000 values
# (25,000 line rows of 14 fields, the results, rankings and honours): all 12 periods of such a
# scheme fit (4.5 million values, ~37 MiB).  At 10,000 units a period holds 7.5 million values (7 million
# of them its line rows): the first period is kept, and a table that does not fit is made again when
# read again, alone (memory stays bounded).
VALUES_KEPT = 8_000_000


class _Kept:
    """Periods' tables kept in this process while they fit in :data:`VALUES_KEPT` values: a scheme's
    five dataset files and a notice's downloads read the same periods' tables, which at a county's,
    a city's or a province's 500 units are made once; beyond, those that do not fit are made again
    when read again, a table at a time (a long table's CSV makes its own table only): memory stays
    bounded."""

    def __init__(self) -> None:
        self.items: dict[tuple[int, str, str], tuple[SiteData, Columns]] = {}
        self.values = 0

    def tables(self, data: SiteData, period, names: tuple[str, ...]) -> dict[str, Columns]:
        got: dict[str, Columns] = {}
        for name in names:
            kept = self.items.get((id(data), period.path, name))
            if kept is not None and kept[0] is data:
                got[name] = kept[1]
        missing = tuple(n for n in names if n not in got)
        if missing:
            made = dataset.period_tables(data, period, missing)
            for name in missing:  # (in the order of TABLES: the small results before the lines)
                n = len(made[name]) * len(made[name].names)
                # when full, nothing more is kept (rather than the oldest dropped: the files read the
                # periods in order, so dropping the oldest would make every read a miss)
                if self.values + n <= VALUES_KEPT:
                    self.items[(id(data), period.path, name)] = (data, made[name])
                    self.values += n
            got.update(made)
        return got

    def get(self, data: SiteData, period) -> Records:
        return Records(**self.tables(data, period, tuple(TABLES)))


_KEPT = _Kept()


def records_of(data: SiteData, period) -> Records:
    """:func:`.dataset.period_records`, kept for the next reader while memory allows."""
    return _KEPT.get(data, period)


def table_of(data: SiteData, period, name: str) -> Columns:
    """One table of the period's records (:func:`.dataset.period_tables`), kept for the next reader
    while memory allows."""
    return _KEPT.tables(data, period, (name,))[name]


def forget() -> None:
    """Drop every table kept (at the end of a build)."""
    _KEPT.items.clear()
    _KEPT.values = 0
