from __future__ import annotations

from site_builder.cli import run

if __name__ == "__main__":  # pragma: no cover
    run()
