"""The unit search index: a small JavaScript file assigning one global.

Loaded with ``<script src>`` rather than fetched, so the search box also works
from ``file://`` and offline.  Each entry: names to match (current name, short
name, former names) and the unit page's root-relative path; the script adds
the page's path to the root.
"""

from __future__ import annotations

import json

from site_builder.site import paths
from site_builder.site.data import SiteData


def search_index(data: SiteData) -> bytes:
    entries = []
    for uid in sorted(data.project.units):
        u = data.project.units[uid]
        names = (
            [u.name] + ([u.short_name] if u.short_name else []) + [f.name for f in u.former_names]
        )
        entries.append({"n": u.name, "a": names[1:], "u": paths.unit(uid), "c": u.category or ""})
    body = json.dumps(entries, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    # "</" cannot end a script early even if a name contained it
    body = body.replace("</", "<\\/")
    return f"window.SB_UNITS={body};\n".encode()
