"""Where each page lives: one function per kind, so every link agrees.

All paths are root-relative and end in ``index.html`` (``file://`` has no
directory index).  Ids are validated ASCII (``schema.types.Id``); period ids
are checked by the loader against the scheme's period kind.
"""

from __future__ import annotations


def home() -> str:
    return "index.html"


def scheme_doc(scheme: str, version: str) -> str:
    return f"schemes/{scheme}/{version}/index.html"


def scheme_yaml(scheme: str, version: str) -> str:
    return f"schemes/{scheme}/{version}/{scheme}-{version}.yaml"


def notice(scheme: str, period: str, version: int | None = None) -> str:
    """The notice; with ``version``, that earlier version of it (``v1/``, ``v2/``, …)."""
    if version is not None:
        return f"notices/{scheme}/{period}/v{version}/index.html"
    return f"notices/{scheme}/{period}/index.html"


def correction(scheme: str, period: str, n: int) -> str:
    return f"notices/{scheme}/{period}/corrections/{n}/index.html"


def download(scheme: str, period: str, ext: str, version: int | None = None, part: str | None = None) -> str:
    """A notice's download; ``part`` names a long table (``…-lines.csv``)."""
    tail = f"-{part}" if part else ""
    if version is not None:
        return f"notices/{scheme}/{period}/v{version}/{scheme}-{period}-v{version}{tail}.{ext}"
    return f"notices/{scheme}/{period}/{scheme}-{period}{tail}.{ext}"


def data_dictionary(scheme: str) -> str:
    """The scheme's data page: its full dataset and what every file and field means."""
    return f"data/{scheme}/index.html"


def dataset(scheme: str, part: str | None, ext: str) -> str:
    """The scheme's full dataset: ``data/<scheme>/<scheme>-lines.csv``, ``…/<scheme>.json``."""
    tail = f"-{part}" if part else ""
    return f"data/{scheme}/{scheme}{tail}.{ext}"


def datapackage(scheme: str) -> str:
    return f"data/{scheme}/datapackage.json"


def scorecard(unit: str, scheme: str, period: str, version: int | None = None) -> str:
    if version is not None:
        return f"units/{unit}/{scheme}/{period}/v{version}/index.html"
    return f"units/{unit}/{scheme}/{period}/index.html"


def unit(unit_id: str) -> str:
    return f"units/{unit_id}/index.html"


def units_index() -> str:
    return "units/index.html"


def archive() -> str:
    return "archive/index.html"


def archive_scheme(scheme: str) -> str:
    return f"archive/{scheme}/index.html"


def group(scheme: str, group_id: str) -> str:
    return f"groups/{scheme}/{group_id}/index.html"


def indicator_anchor(tree: str, indicator: str, trees: int) -> str:
    """Stable fragment id of an indicator in the scheme document."""
    return f"ind-{indicator}" if trees <= 1 else f"ind-{tree}-{indicator}"


def group_anchor(group_id: str) -> str:
    return f"group-{group_id}"
