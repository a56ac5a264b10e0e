"""Beijing time: the zone every date of a notice is judged in, and today's date (the clock, read here only).

Kept apart from :mod:`site_builder.site.data` so that a rebuild with nothing
changed (:mod:`site_builder.site.output.fingerprint`) can read the date without
loading the models.
"""

from __future__ import annotations

import datetime as dt

# China Standard Time: UTC+8 all year (a fixed offset, so no tz database is needed)
SHANGHAI = dt.timezone(dt.timedelta(hours=8), "Asia/Shanghai")


def today() -> dt.date:
    """Today's date in Beijing time: the default as-of date of a build."""
    return dt.datetime.now(SHANGHAI).date()
