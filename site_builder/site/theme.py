"""Where the theme is: the project's own ``theme/``, else the one shipped with the package."""

from __future__ import annotations

import sysconfig
from pathlib import Path


def _package_theme() -> Path:
    """The default theme: beside the sources in a checkout, else where pip installed it."""
    checkout = Path(__file__).resolve().parents[2] / "theme"
    if (checkout / "templates").is_dir():
        return checkout
    return Path(sysconfig.get_path("data")) / "share" / "site-builder" / "theme"


PACKAGE_THEME = _package_theme()


def theme_dir(root: Path) -> Path:
    """The project's own ``theme/`` when it has one, else the theme shipped with the package."""
    own = root / "theme"
    return own if (own / "templates").is_dir() else PACKAGE_THEME
