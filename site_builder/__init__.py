"""site-builder: a static-site generator for published assessment results.

考核办法、考核得分与排名通报的静态网站生成器。
"""

from __future__ import annotations

__version__ = "0.1.0.dev0"
