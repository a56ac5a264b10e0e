"""The path of an edit in a middle month (issue 10): a score card's group digest reads only its group
(made from the digests of its units' lines, each digested once), and a page whose pre-key changed is
made again but keeps its old file when its bytes come out as the last build left them."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import os
from decimal import Decimal as D
from pathlib import Path

import jinja2
import pytest

from site_builder.scoring.facts import Facts
from site_builder.scoring.results import GroupRanking, LineResult, PeriodResult, RankEntry, UnitResult
from site_builder.site import render_pool
from site_builder.site.output import prekeys, reuse
from site_builder.site.output.stage import Stage
from site_builder.site.plan import Route


@pytest.fixture(autouse=True)
def _fresh_digests():
    prekeys.forget()
    yield
    prekeys.forget()


def _line(points: str, facts: Facts) -> LineResult:
    return LineResult("t1", "工作推进", 0, "score", D(10), D(points), D(points), None, None, (), facts)


def _unit(uid: str, group: str, points: str, facts: Facts | None = None) -> UnitResult:
    line = _line(points, facts if facts is not None else Facts(points=D(points)))
    return UnitResult(uid, group, "assessed", None, (line,), D(points), D(0), D(0), D(1), D(points), D(points),
                      D(10), (), (), None)


def _result(units: list[UnitResult]) -> PeriodResult:
    by_group: dict[str, list[UnitResult]] = {}
    for u in units:
        by_group.setdefault(u.group, []).append(u)
    rankings = tuple(
        GroupRanking("main", "排名", "total", g, tuple(RankEntry(u.unit, i + 1, u.total, False)
                                                       for i, u in enumerate(sorted(us, key=lambda u: -u.total))), ())
        for g, us in sorted(by_group.items()))
    return PeriodResult("s", "v1", "2025-07", "2025年7月", dt.date(2025, 7, 1), dt.date(2025, 7, 31), None,
                        {u.unit: u for u in units}, rankings, (), {u.unit: u.total for u in units}, {}, {}, {},
                        {g: us[0].total for g, us in by_group.items()}, "2025-06")


def test_a_units_digest_is_of_its_lines_and_values_and_a_stored_one_is_checked(monkeypatch) -> None:
    a, b = _unit("a1", "a", "8"), _unit("a1", "a", "8")
    assert a is not b and prekeys.unit_digest(a) == prekeys.unit_digest(b)
    assert prekeys.unit_digest(dataclasses.replace(a, note="说明")) != prekeys.unit_digest(a)
    assert prekeys.unit_digest(_unit("a1", "a", "7")) != prekeys.unit_digest(a)
    # a stored digest stands in for the unit's (period cache), and the tests' check makes it anyway
    monkeypatch.setenv(reuse.CHECK_ENV, "1")
    c = _unit("a1", "a", "8")
    prekeys.remember_unit(c, prekeys.unit_digest(a))
    with pytest.raises(AssertionError, match="a1"):
        prekeys.remember_unit(_unit("a1", "a", "7"), prekeys.unit_digest(a))
    monkeypatch.delenv(reuse.CHECK_ENV)
    d = _unit("a1", "a", "7")
    prekeys.remember_unit(d, "f" * 64)
    assert prekeys.unit_digest(d) == "f" * 64  # taken as stored, not made


# ------------------------------------------------------------------ a page whose pre-key changed
KEY = reuse.BuildKey("b" * 64, {"card.html": ("t" * 64, "never")})
ENV = jinja2.Environment(loader=jinja2.DictLoader({"card.html": "<p>{{ total }}</p>"}), autoescape=True)


def _card(path: str, total: str, pre: int, made: list) -> Route:
    def context() -> dict:
        made.append(path)
        return {"total": total}
    return Route(path, "scorecard", "card.html", make=context, prekey=lambda: ("group", pre))


def _previous_site(old: Path, pages: dict[str, tuple[str, int]]) -> reuse.Previous:
    """A last build into ``old`` of a page per path, with its total and its pre-key, as recorded."""
    files = {}
    for path, (total, pre) in pages.items():
        data = ENV.get_template("card.html").render(total=total).encode()
        (old / path).parent.mkdir(parents=True, exist_ok=True)
        (old / path).write_bytes(data)
        st = os.lstat(old / path)
        keyed, _ = reuse.route_keys(KEY, _card(path, total, pre, []), None)
        files[path] = [keyed.key, hashlib.sha256(data).hexdigest(), st.st_size, st.st_mtime_ns, st.st_ctime_ns,
                       st.st_ino, keyed.pre, None, keyed.check]
    return reuse.Previous(old, KEY.build, files)


@pytest.mark.parametrize("check", [False, True])
def test_a_page_whose_pre_key_changed_keeps_its_old_file_when_its_bytes_are_the_same(tmp_path, monkeypatch,
                                                                                     check) -> None:
    if check:
        monkeypatch.setenv(reuse.CHECK_ENV, "1")
    else:
        monkeypatch.delenv(reuse.CHECK_ENV, raising=False)
    old, new = tmp_path / "old", tmp_path / "new"
    previous = _previous_site(old, {"a/index.html": ("80", 1), "b/index.html": ("70", 1), "c/index.html": ("60", 1)})
    made: list[str] = []
    # a: its pre-key changed (its group changed) but it shows the same; b: it shows another total;
    # c: its pre-key is the same (linked unmade)
    routes = [_card("a/index.html", "80", 2, made), _card("b/index.html", "71", 2, made),
              _card("c/index.html", "60", 1, made)]
    new.mkdir()
    stage = Stage(new, "zh-CN")
    stage.make_dirs([r.path for r in routes])
    job = render_pool._Job(ENV, routes, "zh-CN", {}, (), stage, 1, KEY, previous)
    records, findings = render_pool._render_serial(job, False)
    assert findings == []
    if not check:  # no context made for a key: only the two pages rendered (the check makes every full key)
        assert made == ["a/index.html", "b/index.html"]

    def ino(folder: Path, path: str) -> int:
        return os.lstat(folder / path).st_ino

    a, b, c = (records[p] for p in ("a/index.html", "b/index.html", "c/index.html"))
    assert a[3] is True and ino(new, "a/index.html") == ino(old, "a/index.html")  # kept: the old file
    assert b[3] is False and ino(new, "b/index.html") != ino(old, "b/index.html")  # written anew
    assert (new / "b/index.html").read_bytes() == b"<p>71</p>"
    assert b[:2] == (hashlib.sha256(b"<p>71</p>").hexdigest(), 9)
    assert c[3] is True and ino(new, "c/index.html") == ino(old, "c/index.html")
    # the kept page and the written one are recorded under their new pre-key alone: the next build
    # with the same pre-keys links both unmade
    for (keyed, _), route in zip((a[2], b[2]), routes):
        assert keyed.key == reuse.PRE + keyed.pre and keyed.pre == reuse.route_keys(KEY, route, None)[0].pre
        assert (keyed.check is not None) == check
    assert a[0] == previous.files["a/index.html"][1]


def test_a_kept_page_is_written_when_the_old_file_was_touched(tmp_path) -> None:
    """Equal bytes keep the old file only when it lies there as the last build left it."""
    old, new = tmp_path / "old", tmp_path / "new"
    previous = _previous_site(old, {"a/index.html": ("80", 1)})
    os.utime(old / "a/index.html", ns=(1, 1))  # touched since: its recorded times no longer hold
    new.mkdir()
    stage = Stage(new, "zh-CN")
    stage.make_dirs(["a/index.html"])
    job = render_pool._Job(ENV, [_card("a/index.html", "80", 2, [])], "zh-CN", {}, (), stage, 1, KEY, previous)
    records, _ = render_pool._render_serial(job, False)
    assert records["a/index.html"][3] is False
    assert os.lstat(new / "a/index.html").st_ino != os.lstat(old / "a/index.html").st_ino
    assert (new / "a/index.html").read_bytes() == b"<p>80</p>"


# ------------------------------------------------------------------ the shares of the workers
def test_the_downloads_are_spread_over_the_shares_not_all_in_the_first() -> None:
    """The downloads of every period lie together (``notices/…``) before the score cards; shares of
    equal weight (a download as :data:`render_pool.DOWNLOAD_WEIGHT` pages) spread them over several
    shares, every route in exactly one share, in order."""
    downloads = [Route(f"notices/p{i // 10}/{i}.xlsx", "download", make=bytes) for i in range(120)]
    cards = [Route(f"units/u{i:05d}/index.html", "scorecard", "card.html", make=dict) for i in range(6000)]
    routes = downloads + cards
    bounds = render_pool._bounds(routes, 16)
    assert len(bounds) == 17 and bounds[0] == 0 and bounds[-1] == len(routes) and bounds == sorted(bounds)
    with_downloads = [k for k in range(16) if bounds[k] < 120]
    # 120 × 20 + 6000 = 8400, 525 a share: about 26 downloads a share (27, 53, 80, 106), each share
    # ending after a folder's ten downloads, never among them: in the first five shares
    assert with_downloads == [0, 1, 2, 3, 4] and bounds[1:5] == [30, 60, 80, 110]
    render_pool._JOB = render_pool._Job(None, routes, "zh-CN", {}, (), None, 16, bounds=bounds)
    try:
        shares = [render_pool._share(k, len(routes), 16) for k in range(16)]
    finally:
        render_pool._JOB = None
    assert [i for s in shares for i in s] == list(range(len(routes)))
    assert render_pool._bounds(cards[:3], 3) == [0, 1, 2, 3]  # (fewer routes than shares: one each)
    assert render_pool._bounds(routes[:3], 3) == [0, 3, 3, 3]  # (but one folder's downloads together)
    # in a rebuild (most pages linked, a changed notice's downloads made) a download weighs more: 120 × 100
    # + 6000 = 18,000, 1,125 a share, about 11 downloads a share: a folder of ten a share, in the first ten
    rebuilt = render_pool._bounds(routes, 16, render_pool.REBUILD_DOWNLOAD_WEIGHT)
    assert [k for k in range(16) if rebuilt[k] < 120] == list(range(10)) and rebuilt[1] == 20
    for got in (bounds, rebuilt):  # a folder's downloads in one share
        for b in got[1:-1]:
            assert b == 0 or b >= 120 or b % 10 == 0
