"""The site before the last build is refilled as the next build's staging folder (write.py).

With the cache on, a build keeps the site it replaced beside the output folder as
``.site-prev-<name>`` and the next build fills it into the new site: only what changed is
written, unlinked or linked there; everything else is left as it is.  What it must never do:
write into a file it did not make (a name there may be a hard link to the live site's file, or
to anything planted), follow a link planted there, or leave anything of it in the new site
that a clean build would not make.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from site_builder.site.failures import SiteError
from site_builder.site.output import write
from tests.test_incremental import build, cache_off, cache_on, clean_build, files, make_project, set_score


@pytest.fixture
def project(tmp_path: Path):
    with cache_on(tmp_path):
        yield make_project(tmp_path)


def kept(out: Path) -> Path:
    return out.parent / f"{write.RECYCLED_PREFIX}{out.name}"


def built_twice(project: Path, out: Path) -> Path:
    """Two builds into ``out`` with a score changed between them: the folder kept beside it then
    holds the first site (the second build refilled the empty one the first left)."""
    build(project, out)
    set_score(project, "2018-Q1", "fgw", 44)
    build(project, out)
    return kept(out)


def staging_left(parent: Path) -> list[str]:
    return sorted(p.name for p in parent.iterdir() if p.name.startswith(".site-") and not p.name.startswith(".site-prev-"))


def test_the_replaced_site_is_kept_private_and_refilled(project: Path, tmp_path: Path) -> None:
    out = tmp_path / "site"
    build(project, out)
    prev = kept(out)
    assert prev.is_dir() and list(prev.iterdir()) == []  # the first build replaced nothing
    assert stat.S_IMODE(prev.stat().st_mode) == 0o700  # the old site is not browsable by others
    set_score(project, "2018-Q1", "fgw", 44)
    build(project, out)
    before = files(out)
    inodes = {p: (out / p).stat().st_ino for p in before}
    # the folder now holds the first site, sharing every unchanged file with the live one
    assert files(prev).keys() == before.keys()
    card = "units/fgw/xiaoneng/2018-Q1/index.html"
    assert (prev / card).read_bytes() != before[card]
    assert (prev / "404.html").stat().st_ino == inodes["404.html"]
    set_score(project, "2018-Q1", "fgw", 45)
    again = build(project, out)
    after = files(out)
    assert after.keys() == before.keys() and after[card] != before[card]
    # what did not change is the very same file, neither copied nor linked again
    same = [p for p in after if (out / p).stat().st_ino == inodes[p]]
    assert len(same) == again.reused and again.reused > len(after) // 2
    assert (out / "404.html").stat().st_nlink == 2
    assert stat.S_IMODE(out.stat().st_mode) == 0o755
    assert staging_left(tmp_path) == []
    clean_build(project, tmp_path / "clean")
    assert after == files(tmp_path / "clean")


def test_what_the_new_site_does_not_hold_is_removed(project: Path, tmp_path: Path) -> None:
    out, clean = tmp_path / "site", tmp_path / "clean"
    prev = built_twice(project, out)
    # planted: a stray file, a stray folder, a file where a folder goes, a folder where a file goes
    (prev / "stray.html").write_text("stray", "utf-8")
    (prev / "stray" / "deep").mkdir(parents=True)
    (prev / "stray" / "deep" / "x.txt").write_text("x", "utf-8")
    write._rmtree(prev / "schemes")
    (prev / "schemes").write_text("not a folder", "utf-8")
    (prev / "404.html").unlink()
    (prev / "404.html").mkdir()
    (prev / "404.html" / "inside").write_text("x", "utf-8")
    (prev / "index.html~").mkdir()  # where a page is written before it is renamed over its name
    (prev / "index.html~" / "x").write_text("x", "utf-8")
    set_score(project, "2018-Q1", "fgw", 45)
    build(project, out)
    clean_build(project, clean)
    assert files(out) == files(clean)
    assert not (out / "stray.html").exists() and not (out / "stray").exists()
    assert [p for p in out.rglob("*") if p.is_dir() and not any(p.iterdir())] == []  # no empty folder left


def test_a_file_planted_there_is_never_written_into(project: Path, tmp_path: Path) -> None:
    out, clean = tmp_path / "site", tmp_path / "clean"
    prev = built_twice(project, out)
    outside = tmp_path / "outside.txt"
    outside.write_text("mine", "utf-8")
    card = "units/fgw/xiaoneng/2018-Q1/index.html"
    (prev / card).unlink()
    os.link(outside, prev / card)  # a hard link to a file of someone else's, where a changed page goes
    set_score(project, "2018-Q1", "fgw", 45)
    build(project, out)
    assert outside.read_text("utf-8") == "mine"
    clean_build(project, clean)
    assert files(out) == files(clean)


def test_a_changed_page_is_written_over_the_old_sites_own_file_in_place(project: Path, tmp_path: Path) -> None:
    """A page made again whose name in the refilled folder is a file of the old site alone (no other
    name links to it) is written over in place, shorter or longer, so that no blocks are freed; a
    page whose name there is the live site's file is written as a new file (the live file untouched)."""
    out, clean = tmp_path / "site", tmp_path / "clean"
    prev = built_twice(project, out)  # the card of fgw in 2018-Q1 differs between the two sites
    card = "units/fgw/xiaoneng/2018-Q1/index.html"
    other = "units/wjw/xiaoneng/2018-Q1/index.html"  # another group: the same in both, one file
    assert (prev / card).stat().st_nlink == 1 and (prev / other).stat().st_nlink == 2
    old_ino = (prev / card).stat().st_ino
    (prev / card).write_bytes((prev / card).read_bytes() * 3)  # longer than any card: cut to the new size
    live_other = (out / other).read_bytes(), (out / other).stat().st_ino
    set_score(project, "2018-Q1", "fgw", 41)
    build(project, out)
    assert (out / card).stat().st_ino == old_ino and (out / card).stat().st_nlink == 1
    assert "41" in (out / card).read_text("utf-8")
    assert (out / other).read_bytes() == live_other[0] and (out / other).stat().st_ino == live_other[1]
    assert not any(p.name.endswith("~") for p in out.rglob("*"))
    clean_build(project, clean)
    assert files(out) == files(clean)


@pytest.mark.parametrize("planted", ["link in it", "link as it", "read-only folder in it"])
def test_a_folder_that_is_not_plainly_ours_is_not_refilled(planted: str, project: Path, tmp_path: Path) -> None:
    out, clean = tmp_path / "site", tmp_path / "clean"
    prev = built_twice(project, out)
    target = tmp_path / "elsewhere"
    target.mkdir()
    (target / "keep.txt").write_text("mine", "utf-8")
    if planted == "link in it":
        (prev / "assets" / "link").symlink_to(target, target_is_directory=True)
    elif planted == "link as it":
        write._rmtree(prev)
        prev.symlink_to(target, target_is_directory=True)
    else:
        os.chmod(prev / "schemes", 0o500)
    set_score(project, "2018-Q1", "fgw", 45)
    again = build(project, out)
    assert again.reused > 0
    assert (target / "keep.txt").read_text("utf-8") == "mine" and sorted(os.listdir(target)) == ["keep.txt"]
    assert not prev.is_symlink() and prev.is_dir() and stat.S_IMODE(prev.stat().st_mode) == 0o700
    assert not (prev / "assets" / "link").exists()
    clean_build(project, clean)
    assert files(out) == files(clean)


def test_a_failure_just_before_the_swap_leaves_the_live_site_untouched(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "site"
    build(project, out)
    set_score(project, "2018-Q1", "fgw", 44)
    build(project, out)
    before = files(out)
    set_score(project, "2018-Q1", "fgw", 45)

    def broken(stage, live):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(write, "_swap", broken)
    with pytest.raises(SiteError, match="No space left on device"):
        build(project, out)
    # every changed page was written into the refilled folder, none into the live site's files
    assert files(out) == before
    assert staging_left(tmp_path) == []
    assert not kept(out).exists()  # what a failed build filled is deleted, never kept
    monkeypatch.undo()
    build(project, out)  # and the next build makes a fresh staging folder
    clean_build(project, tmp_path / "clean")
    assert files(out) == files(tmp_path / "clean")


def test_no_cache_keeps_no_old_site(project: Path, tmp_path: Path) -> None:
    out = tmp_path / "site"
    build(project, out)
    set_score(project, "2018-Q1", "fgw", 44)
    build(project, out)
    assert kept(out).is_dir()
    set_score(project, "2018-Q1", "fgw", 45)
    with cache_off():
        build(project, out)
    assert not kept(out).exists()
    assert staging_left(tmp_path) == []


def test_parallel_workers_refill_it_too(project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from site_builder.site import render_pool
    from site_builder.site.build import build_site
    from tests.test_incremental import DAY

    if not render_pool._can_fork():
        pytest.skip("no fork on this system: the parallel path is not taken")
    monkeypatch.setattr(render_pool, "PARALLEL_MIN_ROUTES", 0)
    out, clean = tmp_path / "site", tmp_path / "clean"
    for value in (44, 45, 46):
        set_score(project, "2018-Q1", "fgw", value)
        build_site(project, out, quiet=True, jobs=2, as_of=DAY)
    clean_build(project, clean)
    assert files(out) == files(clean)
    assert files(kept(out)).keys() == files(clean).keys()
