"""A notice's JSON download is written a piece at a time (site_builder/site/output/downloads.py
``to_json`` → ``json_chunks.chunks``): each row with its lines, each ranking and outcome made when it
is written.  The pieces join into exactly ``json.dumps`` of the document, each piece is whole
UTF-8 cut between two values, and the memory used while writing a notice of many units' lines is a
small part of the file instead of several times it."""

from __future__ import annotations

import json
import tracemalloc
from decimal import Decimal

from site_builder.site.output import downloads_json
from site_builder.site.output.dataset import TABLES, Records
from site_builder.site.present.tables import Column, GroupTable, HonourLine, Row

META = {"scheme": "s", "version": "v1", "period": "p1", "period_name": "2025年第1季度", "title": "考核结果通报",
        "status": "report", "date": "2025-04-01", "number": "〔2025〕1号", "issuer": "某某局", "contact": None,
        "sample": False, "corrections": 0, "published_version": 1, "current": True}


def _notice(units: int, lines: int) -> tuple[tuple[GroupTable, ...], Records]:
    """Two groups of ``units`` units in all, each unit with ``lines`` lines (records as dataset.py makes them)."""
    columns = tuple(Column(f"c{j}", f"指标{j}", "score", Decimal(10)) for j in range(4))
    tables, results, line_rows, rankings, honours = [], [], [], [], []
    for g in range(2):
        rows = []
        for i in range(g, units, 2):
            uid, name = f"u{i:05d}", f"某某县第{i}单位"
            rows.append(Row(uid, name, i // 2 + 1, i % 7 == 0, tuple(Decimal(f"{(i * j) % 10}.5") for j in range(4)),
                            None, Decimal(f"{i % 100}.25"), ("红旗单位",) if i % 9 == 0 else (), "card"))
            base = {"scheme_id": "s", "period_id": "p1", "unit_id": uid, "unit": name}
            results.append({**{f.name: None for f in TABLES["results"]}, **base, "cumulative": f"{i}.50"})
            for k in range(lines):
                line_rows.append({**base, "line_id": f"L{k}", "line": f"第{k}项指标：按时报送", "parent_id": None,
                                  "depth": 1, "leaf": True, "type": "score", "points": f"{(i + k) % 10}.5",
                                  "max": "10", "status": "scored", "counts": True})
            rankings.append({**base, "ranking_id": "r", "ranking": "综合排名", "basis": "period", "group_id": f"g{g}",
                             "category": None, "rank": i // 2 + 1, "tied": False, "value": f"{i % 100}.25",
                             "reason": None})
            honours.append({**base, "kind": "honour", "honour_id": "h", "honour": "红旗单位", "group_id": f"g{g}",
                            "category": None, "outcome": "chosen", "streak": None, "reason": None})
        tables.append(GroupTable(f"g{g}", f"第{g}组", "综合排名", columns, tuple(rows), (),
                                 (HonourLine("红旗单位", "honour", (rows[0].name,), (), chosen_ids=(rows[0].unit,)),),
                                 (), False, Decimal(40)))
    return tuple(tables), Records(tuple(results), tuple(line_rows), tuple(rankings), tuple(honours))


def test_the_pieces_are_json_dumps_of_the_notice_cut_between_values():
    tables, records = _notice(units=300, lines=12)
    pieces = list(downloads_json.to_json(tables, META, records))
    assert len(pieces) > 5
    whole = b"".join(pieces)
    doc = json.loads(whole)
    assert whole == (json.dumps(doc, ensure_ascii=False, indent=1, sort_keys=True) + "\n").encode("utf-8")
    for piece in pieces:
        piece.decode("utf-8")  # never a character cut in two
    row = doc["groups"][1]["rows"][0]
    assert (row["unit"], row["name"], row["rank"], row["total"], row["cumulative"]) == ("u00001", "某某县第1单位", 1, "1.25", "1.50")
    assert row["scores"] == {"c0": "0.5", "c1": "1.5", "c2": "2.5", "c3": "3.5"}
    assert len(row["lines"]) == 12 and row["lines"][3] == {
        "line_id": "L3", "line": "第3项指标：按时报送", "parent_id": None, "depth": 1, "leaf": True, "type": "score",
        "points": "4.5", "max": "10", "status": "scored", "counts": True}
    assert [len(g["rows"]) for g in doc["groups"]] == [150, 150]
    assert len(doc["rankings"]) == 2 and len(doc["rankings"][0]["entries"]) == 150
    assert len(doc["outcomes"]) == 300 and "scheme_id" not in doc["outcomes"][0]
    assert doc["title"] == "考核结果通报" and doc["groups"][0]["honours"][0]["units"] == [{"unit": "u00000", "name": "某某县第0单位"}]


def test_writing_a_big_notice_holds_a_small_part_of_it():
    tables, records = _notice(units=1000, lines=30)
    tracemalloc.start()
    try:
        size = sum(len(piece) for piece in downloads_json.to_json(tables, META, records))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    # measured (CPython 3.11): the whole document made, then its text and its bytes, peaked at 7.4
    # times the file (8.9 MB: 65.5 MB); a piece at a time 0.17 times (1.5 MB: the lines of each unit
    # found, a piece's text and bytes)
    assert size > 8_000_000
    assert peak < 0.3 * size, (peak, size)
