from __future__ import annotations

from site_builder.cli import main

if __name__ == "__main__":  # pragma: no cover
    main()
