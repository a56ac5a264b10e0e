"""一票否决 on the two example schemes whose source documents have no veto clause.

Seeds 000 (淮安区“三服务”) and 002 篇一 (成都) declare no 一票否决, and the shipped
example content transcribes them faithfully, so it has none either.  These tests
add a veto clause to a scratch copy of the real example content and veto each
group's winner; everything else is the shipped data, so the expected results
follow by hand from the totals worked out in test_huaian_sanfuwu.py and
test_chengdu_centres.py.
"""

from __future__ import annotations

import shutil
from decimal import Decimal as D
from pathlib import Path

from site_builder.pipeline import check

ROOT = Path(__file__).resolve().parents[2]
VETO = "vetoes:\n  - {id: jjjc, name: 被纪检监察机关通报批评（假设条款）, effect: no_honour}\n"


def scratch(tmp_path: Path, scheme: str, scores: str, unit: str) -> Path:
    for name in ("site.yaml", "units", "schemes", "scores", "content"):
        src = ROOT / name
        (shutil.copytree if src.is_dir() else shutil.copy)(src, tmp_path / name)
    (tmp_path / scheme).write_text((ROOT / scheme).read_text(encoding="utf-8") + VETO, encoding="utf-8")
    text = (ROOT / scores).read_text(encoding="utf-8")
    head = f"  {unit}:"
    at = text.index(head)
    at = text.index("\n", at) + 1
    text = text[:at] + "    vetoes: [{id: jjjc, reason: 示例：被区纪委通报批评}]\n" + text[at:]
    (tmp_path / scores).write_text(text, encoding="utf-8")
    return tmp_path


def test_huaian_winner_vetoed(tmp_path):
    root = scratch(tmp_path, "schemes/huaian-sanfuwu/2017.yaml", "scores/huaian-sanfuwu/2017-Q3.yaml", "ha-fgw")
    _, res = check(root)
    q3 = res[("huaian-sanfuwu", "2017-Q3")]
    fgw = q3.units["ha-fgw"]
    # no_honour: the total and the place stay (15 + 19.5 + 34.05 + 5 + 4.5 + 19.6 + 0.2 = 97.85, first in A组)
    assert fgw.total == D("97.85")
    entries = next(g for g in q3.rankings if g.ranking == "quarter" and g.group == "zh-a").entries
    assert (entries[0].unit, entries[0].rank) == ("ha-fgw", 1)
    flag = next(h for h in q3.honours if h.honour == "hongqi" and h.group == "zh-a")
    # the flag passes to the next place: 财政局 and 商务局 tied at 96.40 (ties: include → both)
    assert flag.chosen == ("ha-czj", "ha-swj")
    assert flag.excluded == (("ha-fgw", "一票否决：被纪检监察机关通报批评（假设条款）（示例：被区纪委通报批评）"),)


def test_chengdu_excellent_vetoed(tmp_path):
    root = scratch(tmp_path, "schemes/chengdu-centres/2013.yaml", "scores/chengdu-centres/2013.yaml", "cd-wuhou")
    _, res = check(root)
    year = res[("chengdu-centres", "2013")]
    assert year.units["cd-wuhou"].total == D("90.50")  # unchanged: no_honour
    h = next(h for h in year.honours if h.honour == "youxiu" and h.group == "quan1")
    # 第一圈 has 6 centres: 30% × 6 = 1.8 → at most 1 优秀.  武侯 (90.50) is vetoed, so the place
    # goes to 锦江: 70 + (5 + 4.5 + 2×0.5 + (2×0.5 + 1) + 1 + 2×0.5 + 0.5 + 2×0.5) − 2 = 70 + 16 − 2 = 84.00
    assert year.units["cd-jinjiang"].total == D("84.00")
    assert h.chosen == ("cd-jinjiang",)
    assert h.excluded[0][0] == "cd-wuhou" and h.excluded[0][1].startswith("一票否决：")
