"""check_period_transfers looks at each distinct record once (units that wrote the same record share
one Facts): a record with ``to:`` written alike by several units is still reported for each of them,
at its own line and column."""

from __future__ import annotations

import pytest
from scratch import SCORES, make_project

from site_builder.errors import InputError
from site_builder.pipeline import check

MOVED = "duty: {events: [{date: 2024-02-01, note: 缺岗, to: a3}]}"


def test_a_to_written_alike_by_two_units_is_reported_for_each(tmp_path, monkeypatch):
    monkeypatch.setenv("SITE_BUILDER_NO_CACHE", "1")
    scores = SCORES.replace("duty: 1\n", MOVED + "\n").replace(
        "duty: {events: [{date: 2024-02-01, note: 缺岗}]}", MOVED)
    assert scores.count(MOVED) == 2
    root = make_project(tmp_path / "p", {"scores/demo/2024-Q1.yaml": scores})
    with pytest.raises(InputError) as exc:
        check(root)
    got = [p.render("zh-CN") for p in exc.value.problems]
    said = "“值守纪律”没有规定转给其他单位（方案中本项没有 transfer_to），不能写 to — 删除 to，或在方案中为本项写 transfer_to: 接收的指标"
    assert got == [f"scores/demo/2024-Q1.yaml:10:56: {said}", f"scores/demo/2024-Q1.yaml:15:56: {said}"]
