"""A large site is rendered by processes forked for one share each (render_pool._render_recycled):
no worker keeps what the shares before it left behind.  The output is the very bytes of a serial
build, every share is rendered by a process of its own, and a worker that fails or dies is reported,
never waited for."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from conftest import edit_yaml, tree_bytes

from site_builder.load import cache
from site_builder.site import render_pool
from site_builder.site.build import build_site
from site_builder.site.failures import SiteError
from site_builder.site.plan import Route

pytestmark = pytest.mark.skipif(not render_pool._can_fork(), reason="no fork on this platform: builds are serial")


@pytest.fixture
def recycled(monkeypatch):
    """Every build renders in recycled workers, in shares of about five pages."""
    monkeypatch.setattr(render_pool, "PARALLEL_MIN_ROUTES", 0)
    monkeypatch.setattr(render_pool, "RECYCLE_MIN_ROUTES", 0)
    monkeypatch.setattr(render_pool, "SHARE_WEIGHT", 5)
    monkeypatch.setattr(render_pool, "PAGE_SHARE", 5)


def _pids_of_shares(monkeypatch, folder: Path) -> None:
    """Each share writes ``<share>.<pid>`` into ``folder`` from the process that renders it."""
    original = render_pool._render_share

    def share(k: int):
        (folder / f"{k}.{os.getpid()}").touch()
        return original(k)

    monkeypatch.setattr(render_pool, "_render_share", share)


def test_a_recycled_render_gives_the_bytes_of_a_serial_build_one_process_a_share(
    project, tmp_path, monkeypatch, recycled
):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1764900000")
    serial = build_site(project, tmp_path / "serial", quiet=True, jobs=1)
    seen = tmp_path / "pids"
    seen.mkdir()
    _pids_of_shares(monkeypatch, seen)
    recycled_report = build_site(project, tmp_path / "recycled", quiet=True, jobs=2)
    one, other = tree_bytes(tmp_path / "serial"), tree_bytes(tmp_path / "recycled")
    assert sorted(one) == sorted(other)
    assert [p for p in one if one[p] != other[p]] == []
    assert (recycled_report.pages, recycled_report.files) == (serial.pages, serial.files)
    marks = [name.split(".") for name in os.listdir(seen)]
    shares = sorted(int(k) for k, _ in marks)
    pids = {pid for _, pid in marks}
    assert shares == list(range(len(shares))) and len(shares) > 4  # every share once, many of them
    assert len(pids) == len(shares)  # each in a process of its own
    assert str(os.getpid()) not in pids


def test_the_parent_makes_what_every_share_reads_once_before_it_forks_them(project, tmp_path, monkeypatch, recycled):
    """Every share's cards read their groups' medians and best of every line, and look their units up
    in their rankings: the parent makes the statistics once per period and indexes each ranking once
    before it forks the shares (shares.before_shares), and no share makes them again; the site is the
    same bytes as a serial build's."""
    from site_builder.site.pages import common
    from site_builder.site.present import card_why

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1764900000")
    build_site(project, tmp_path / "serial", quiet=True, jobs=1)
    seen = tmp_path / "made"
    seen.mkdir()

    def noted(what, original, name):
        def made(obj):
            (seen / f"{what}.{os.getpid()}.{name(obj)}.{len(os.listdir(seen))}").touch()
            return original(obj)
        return made

    monkeypatch.setattr(card_why, "group_line_stats",
                        noted("stats", card_why.group_line_stats, lambda r: f"{r.scheme}-{r.period}"))
    monkeypatch.setattr(common, "_index", noted("index", common._index, lambda r: id(r)))
    build_site(project, tmp_path / "recycled", quiet=True, jobs=2)
    assert tree_bytes(tmp_path / "recycled") == tree_bytes(tmp_path / "serial")
    made = [name.split(".")[:3] for name in os.listdir(seen)]
    assert {pid for _, pid, _ in made} == {str(os.getpid())}  # the parent's, none in a share
    for what in ("stats", "index"):
        keys = [key for kind, _, key in made if kind == what]
        assert len(keys) == len(set(keys)) > 1  # each period, each ranking once


def test_a_rebuild_in_recycled_workers_takes_over_what_a_serial_rebuild_takes_over(
    project, tmp_path, monkeypatch, recycled
):
    """After an edit the last build's files are taken over by recycled workers as by a serial build,
    and the rest made to the same bytes."""
    monkeypatch.delenv(cache.ENV_OFF, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1764900000")
    for jobs in (1, 2):
        build_site(project, tmp_path / f"out{jobs}", quiet=True, jobs=jobs)
    edit_yaml(project / "scores/xiaoneng/2017-Q4.yaml", lambda d: d["units"]["wjw"].update(note="已整改到位"))
    again = {jobs: build_site(project, tmp_path / f"out{jobs}", quiet=True, jobs=jobs) for jobs in (1, 2)}
    assert tree_bytes(tmp_path / "out1") == tree_bytes(tmp_path / "out2")
    assert again[2].reused == again[1].reused and 0 < again[1].reused < again[1].files
    assert not again[1].unchanged and not again[2].unchanged


def test_a_share_that_raises_in_a_recycled_worker_fails_the_build(project, tmp_path, monkeypatch, recycled):
    """An exception in a worker reaches the parent (the other workers are ended), nothing is published."""

    def share(k: int):
        raise ValueError(f"share {k} broke")

    monkeypatch.setattr(render_pool, "_render_share", share)
    with pytest.raises(ValueError, match=r"share \d+ broke"):
        build_site(project, tmp_path / "out", quiet=True, jobs=2)
    assert not (tmp_path / "out").exists()


def test_a_recycled_worker_that_dies_fails_the_build(project, tmp_path, monkeypatch, recycled):
    """A worker killed before it sent its records (out of memory, say) fails the build: not a hang."""

    def share(k: int):
        os._exit(9)

    monkeypatch.setattr(render_pool, "_render_share", share)
    with pytest.raises(SiteError) as raised:
        build_site(project, tmp_path / "out", quiet=True, jobs=2)
    assert raised.value.format_message().splitlines()[0] == (
        "生成页面的子进程意外结束（退出码 9），网站没有写出，原有网站保持不变"
        " — 多为内存不足：请关闭其他程序后重试，或加 --jobs 1 只用一个进程生成")
    assert not (tmp_path / "out").exists()


def _page(path: str) -> Route:
    return Route(path, "scorecard", "card.html", make=dict)


def _download(path: str) -> Route:
    return Route(path, "download", make=bytes)


def test_recycled_shares_end_between_folders_and_weigh_downloads_by_the_size_of_the_site(monkeypatch):
    """2,000 routes: a download weighs DOWNLOAD_WEIGHT × 2 = 40 pages.  The dataset's four files
    (160) stay together though the share weighs 100; so do a notice's three downloads and page (121);
    pages are cut at a folder change once a share weighs 100, or anywhere at 200."""
    monkeypatch.setattr(render_pool, "DOWNLOAD_SCALE", 1_000)
    routes = [_download(f"data/s/{n}.csv") for n in "abcd"]  # 0–3
    for p in range(2):  # 4–11
        routes += [_download(f"notices/s/{p}/{n}.csv") for n in "abc"] + [_page(f"notices/s/{p}/index.html")]
    routes += [_page(f"units/u{i // 2:04d}/{i % 2}.html") for i in range(250)]  # 12–261: two a folder
    routes += [_page(f"big/{i}.html") for i in range(2000 - len(routes))]  # 262–1999: one folder
    bounds = render_pool._recycled_bounds(routes, 100, 100)
    assert bounds[:4] == [0, 4, 8, 12]
    # pages: 100 reached at route 111 (the 2nd page of u0049), cut before u0050; then after 211
    assert bounds[4:6] == [112, 212]
    # 212–261 (50 pages), then one folder: cut at 200 pages, after route 411, 611, …
    assert bounds[6:9] == [412, 612, 812]
    assert bounds[-1] == 2000 and bounds == sorted(set(bounds))
    assert render_pool._recycled_bounds(routes[:1], 100, 100) == [0, 1]
    # shares without downloads are longer: 250 pages; the downloads' shares as before
    longer = render_pool._recycled_bounds(routes, 100, 250)
    assert longer[:4] == [0, 4, 8, 12] and longer[4:7] == [262, 762, 1262]  # 12–261 one unit a folder


def test_the_heaviest_shares_are_started_first(monkeypatch):
    """A notice's downloads (3 × 40) outweigh 100 pages; the 100 pages the one page; ties in order."""
    monkeypatch.setattr(render_pool, "DOWNLOAD_SCALE", 1_000)
    routes = [_page(f"a/{i}.html") for i in range(1)]
    routes += [_page(f"b/{i}.html") for i in range(100)]
    routes += [_download(f"notices/s/0/{n}.csv") for n in "abc"]
    routes += [_page(f"c/{i}.html") for i in range(1896)]
    bounds = [0, 1, 101, 104, 1000, 2000]  # weights 1, 100, 120, 896, 1000
    assert render_pool._heaviest_first(routes, bounds) == [4, 3, 2, 1, 0]
    assert render_pool._heaviest_first(routes, [0, 1000, 2000]) == [0, 1]  # 1,016 and 1,000


def test_the_workers_inherit_the_compiled_templates(project, tmp_path, monkeypatch, recycled):
    """The parent compiles the theme before it forks: no worker compiles a template (each did, for
    the templates of its pages)."""
    import jinja2

    seen = tmp_path / "compiled"
    seen.mkdir()
    parent = os.getpid()
    original = jinja2.Environment.compile

    def compile(self, *args, **kwargs):
        if os.getpid() != parent:
            (seen / str(os.getpid())).touch()
        return original(self, *args, **kwargs)

    monkeypatch.setattr(jinja2.Environment, "compile", compile)
    build_site(project, tmp_path / "out", quiet=True, jobs=2)
    assert os.listdir(seen) == []
    monkeypatch.setattr(render_pool, "_compiled", lambda env: None)  # the check itself: without it they do
    build_site(project, tmp_path / "out2", quiet=True, jobs=2)
    assert len(os.listdir(seen)) > 2
