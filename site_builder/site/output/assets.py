"""Theme assets, fingerprinted: ``assets/<name>.<hash>.<ext>``.

Netlify caches ``/assets/*`` for a year as immutable, so every asset's name
carries a hash of its content; a changed stylesheet gets a new name and every
page links the new one.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Asset:
    name: str  # logical name: "css", "js", "search", "reload"
    path: str  # root-relative output path
    data: bytes


def fingerprint(name: str, stem: str, ext: str, data: bytes) -> Asset:
    digest = hashlib.sha256(data).hexdigest()[:10]
    return Asset(name, f"assets/{stem}.{digest}.{ext}", data)


def theme_assets(static: Path, *, serve: bool) -> list[Asset]:
    out = [
        fingerprint("css", "site", "css", (static / "site.css").read_bytes()),
        fingerprint("js", "site", "js", (static / "site.js").read_bytes()),
    ]
    if serve:
        out.append(fingerprint("reload", "reload", "js", (static / "reload.js").read_bytes()))
    return out
