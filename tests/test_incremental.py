"""Incremental builds: a rebuild takes over every file whose inputs did not change and makes the rest,
and the site it leaves is byte for byte the site a clean build makes.

Each kind of single-file change (score, scheme, unit, template, content page, lock) is
followed by an incremental build into the folder of the last build and a clean build
(no cache, no record) into a new folder; the two must be identical, file by file.  Then
hypothesis draws random sequences of such changes and checks the same after every step,
failed builds included (a locked notice whose figures change is refused: the site of the
last good build must then be untouched).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import re
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from site_builder.load import cache as cache_mod
from site_builder.site.build import PACKAGE_THEME, build_site
from site_builder.site.failures import SiteError
from site_builder.site.output import reuse

FIXTURE = Path(__file__).resolve().parent / "site" / "fixtures" / "basic"
DAY = dt.date(2019, 1, 10)
UNITS = ("fgw", "czj", "jyj", "wjw")
PERIODS = ("2017-Q3", "2017-Q4", "2018-Q1", "2018-Q2")


@contextlib.contextmanager
def cache_on(tmp: Path):
    """The parse cache, the no-op record and the reuse record on, with a key of this test's own."""
    saved = {k: os.environ.get(k) for k in (cache_mod.ENV_OFF, "XDG_CACHE_HOME", "SOURCE_DATE_EPOCH")}
    os.environ.pop(cache_mod.ENV_OFF, None)
    os.environ.pop("SOURCE_DATE_EPOCH", None)
    os.environ["XDG_CACHE_HOME"] = str(tmp / "xdg")
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


@contextlib.contextmanager
def cache_off():
    saved = os.environ.get(cache_mod.ENV_OFF)
    os.environ[cache_mod.ENV_OFF] = "1"
    try:
        yield
    finally:
        if saved is None:
            os.environ.pop(cache_mod.ENV_OFF, None)
        else:
            os.environ[cache_mod.ENV_OFF] = saved


def make_project(base: Path) -> Path:
    root = base / "project"
    shutil.copytree(FIXTURE, root)
    shutil.copytree(PACKAGE_THEME, root / "theme")
    return root


def files(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


def build(root: Path, out: Path):
    return build_site(root, out, quiet=True, jobs=1, as_of=DAY)


def clean_build(root: Path, out: Path):
    shutil.rmtree(out, ignore_errors=True)
    with cache_off():
        return build(root, out)


# ------------------------------------------------------------------ the changes
def _edit(path: Path, fn) -> None:
    text = path.read_text("utf-8")
    new = fn(text)
    assert new != text or True
    path.write_text(new, "utf-8")


def set_score(root: Path, period: str, unit: str, value: int) -> None:
    """The unit's 重点工作推进 facts in the period (where the unit is scored there)."""
    path = root / "scores" / "xiaoneng" / f"{period}.yaml"
    pattern = re.compile(rf"(\n  {unit}:\n    facts:\n(?:      .*\n)*?      tuijin: \")(\d+)(\")")
    _edit(path, lambda t: pattern.sub(lambda m: f"{m.group(1)}{value}{m.group(3)}", t, count=1))


def set_scheme_title(root: Path, n: int) -> None:
    _edit(root / "schemes" / "xiaoneng" / "v2018.yaml",
          lambda t: re.sub(r"^title: .*$", f"title: 示范县机关效能建设考核办法（第{n}次修订）", t, count=1, flags=re.M))


def rename_unit(root: Path, unit: str, n: int) -> None:
    def fn(t: str) -> str:
        return re.sub(rf"(- id: {unit}\n    name: )([^\n（]+)(（[^\n]*）)?", lambda m: f"{m.group(1)}{m.group(2)}（{n}）", t, count=1)

    _edit(root / "units.yaml", fn)


def change_template(root: Path, name: str, n: int) -> None:
    _edit(root / "theme" / "templates" / name, lambda t: re.sub(r"\{# rev \d+ #\}\n?", "", t) + f"{{# rev {n} #}}<!-- {n} -->\n")


def change_content(root: Path, n: int) -> None:
    _edit(root / "content" / "notices" / "2017-q3.md",
          lambda t: re.sub(r"\n补充说明：.*\n", "\n", t) + f"\n补充说明：第{n}次。\n")


def lock(root: Path, strict: bool = True) -> None:
    """``site-builder lock``; in a random sequence it may be refused (a locked notice was changed
    first): then it says so and changes nothing, which the next build checks like any other state."""
    from click.testing import CliRunner

    from site_builder.cli import main

    with cache_off():
        res = CliRunner().invoke(main, ["lock", "--root", str(root)])
    if strict or res.exit_code == 0:
        assert res.exit_code == 0, res.output
    else:
        assert res.exit_code == 1 and "published.lock" in res.output and "Traceback" not in res.output, res.output


def apply(root: Path, change: tuple, strict: bool = True) -> None:
    kind, *args = change
    if kind == "lock":
        lock(root, strict)
        return
    {"score": set_score, "scheme": set_scheme_title, "unit": rename_unit, "template": change_template,
     "content": change_content, "lock": lock}[kind](root, *args)


KINDS = {
    "score": ("score", "2017-Q4", "fgw", 49),
    "score in a draft": ("score", "2018-Q2", "czj", 41),
    "scheme": ("scheme", 7),
    "unit": ("unit", "jyj", 3),
    "template": ("template", "scorecard.html", 1),
    "base template": ("template", "base.html", 2),
    "content page": ("content", 5),
    "lock": ("lock",),
}


@pytest.fixture
def project(tmp_path: Path):
    with cache_on(tmp_path):
        yield make_project(tmp_path)


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_each_kind_of_change_gives_the_clean_build(kind: str, project: Path, tmp_path: Path) -> None:
    out, clean = tmp_path / "site", tmp_path / "clean"
    first = build(project, out)
    assert first.reused == 0
    apply(project, KINDS[kind])
    again = build(project, out)
    clean_build(project, clean)
    assert files(out) == files(clean)
    # something was made again and something was taken over (every change here leaves some page alone,
    # except a change to the base template, which every page uses)
    made = again.files - again.reused
    assert made > 0
    if kind == "base template":
        assert again.reused <= 2 + len([p for p in files(out) if not p.endswith(".html")])
    else:
        assert again.reused > 0


def test_a_score_change_remakes_only_what_shows_it(project: Path, tmp_path: Path) -> None:
    out = tmp_path / "site"
    build(project, out)
    before = files(out)
    inode = {p: (out / p).stat().st_ino for p in before}
    set_score(project, "2018-Q1", "fgw", 44)
    again = build(project, out)
    after = files(out)
    changed = {p for p in after if before.get(p) != after[p]}
    kept = {p for p in after if (out / p).stat().st_ino == inode.get(p)}
    # the period's notice and downloads and the unit's card changed, and were made
    assert "notices/xiaoneng/2018-Q1/index.html" in changed
    assert "units/fgw/xiaoneng/2018-Q1/index.html" in changed
    assert not kept & changed
    # an earlier period's notice and cards, the scheme documents and the 404 page were taken over
    for p in after:
        if p.startswith(("schemes/", "notices/xiaoneng/2017-Q3/", "units/czj/xiaoneng/2017-Q3/")) or p == "404.html":
            assert p in kept, p
    assert again.reused == len(kept)
    assert again.reused > again.files // 2


def test_the_report_says_how_many_files_were_kept(project: Path, tmp_path: Path) -> None:
    out = tmp_path / "site"
    build(project, out)
    change_content(project, 1)
    again = build(project, out)
    assert 0 < again.reused < again.files
    assert f"其中 {again.reused} 个未变、沿用上次生成的文件" in str(again)


def test_a_file_changed_in_the_output_is_made_again(project: Path, tmp_path: Path) -> None:
    out, clean = tmp_path / "site", tmp_path / "clean"
    build(project, out)
    card = next(p for p in sorted(out.rglob("index.html")) if "/units/" in p.as_posix())
    card.write_bytes(card.read_bytes().replace(b"</html>", b"<!-- edited --></html>"))
    change_content(project, 2)
    build(project, out)
    clean_build(project, clean)
    assert files(out) == files(clean)


def test_a_damaged_or_foreign_record_is_not_trusted(project: Path, tmp_path: Path) -> None:
    out, clean = tmp_path / "site", tmp_path / "clean"
    build(project, out)
    record = reuse._record_path(project, out)
    assert record.is_file()
    mac, _, payload = record.read_bytes().partition(b"\n")
    doc = json.loads(payload)
    # a planted record claiming a changed page is unchanged: its signature fails
    some = next(iter(doc["files"]))
    (out / some).write_bytes(b"planted")
    st = (out / some).stat()
    doc["files"][some][2:] = [st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino]
    record.write_bytes(mac + b"\n" + json.dumps(doc).encode())
    change_content(project, 3)
    again = build(project, out)
    assert again.reused == 0
    clean_build(project, clean)
    assert files(out) == files(clean)


def test_no_cache_makes_everything(project: Path, tmp_path: Path) -> None:
    out = tmp_path / "site"
    build(project, out)
    change_content(project, 4)
    with cache_off():
        again = build(project, out)
    assert again.reused == 0
    assert not reuse._record_path(project, out).exists()  # no record of the files it replaced stays
    change_content(project, 5)
    assert build(project, out).reused == 0  # and the next build, with the cache, makes everything too


def test_a_failed_build_leaves_the_site_and_the_next_build_is_right(project: Path, tmp_path: Path) -> None:
    out, clean = tmp_path / "site", tmp_path / "clean"
    lock(project)
    build(project, out)
    before = files(out)
    set_score(project, "2017-Q4", "fgw", 41)  # a locked notice's figures: refused
    with pytest.raises(SiteError):
        build(project, out)
    assert files(out) == before
    set_score(project, "2017-Q4", "fgw", 54)  # back as published
    change_template(project, "notice.html", 6)
    build(project, out)
    clean_build(project, clean)
    assert files(out) == files(clean)


CHANGE = st.one_of(
    st.tuples(st.just("score"), st.sampled_from(PERIODS), st.sampled_from(UNITS), st.integers(40, 60)),
    st.tuples(st.just("scheme"), st.integers(1, 3)),
    st.tuples(st.just("unit"), st.sampled_from(UNITS), st.integers(1, 3)),
    st.tuples(st.just("template"), st.sampled_from(["scorecard.html", "notice.html", "404.html", "unit.html"]),
              st.integers(1, 3)),
    st.tuples(st.just("content"), st.integers(1, 3)),
    st.tuples(st.just("lock")),
)


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                              HealthCheck.too_slow])
@given(changes=st.lists(CHANGE, min_size=1, max_size=4))
def test_random_sequences_of_changes_give_the_clean_build(changes: list, tmp_path_factory) -> None:
    base = tmp_path_factory.mktemp("seq")
    with cache_on(base):
        root = make_project(base)
        out, clean = base / "site", base / "clean"
        build(root, out)
        for change in changes:
            apply(root, change, strict=False)
            before = files(out)
            try:
                build(root, out)
            except SiteError:
                # refused (a locked notice changed): the incremental site is untouched, and a clean
                # build refuses too
                assert files(out) == before
                with pytest.raises(SiteError):
                    clean_build(root, clean)
                continue
            clean_build(root, clean)
            assert files(out) == files(clean), change


def test_a_change_that_shows_nowhere_keeps_every_page_across_processes(project: Path, tmp_path: Path) -> None:
    """Keys are the same in every process: text hashes differently from one Python process to the
    next (PYTHONHASHSEED), so a key that depended on a set's order would make every page again."""
    import subprocess
    import sys

    out = tmp_path / "site"

    def run(seed: str) -> str:
        env = {**os.environ, "PYTHONHASHSEED": seed}
        done = subprocess.run(
            [sys.executable, "-m", "site_builder", "build", "--root", str(project), "--out", str(out),
             "--as-of", DAY.isoformat(), "--jobs", "1"],
            env=env, capture_output=True, text=True, check=False)
        assert done.returncode == 0, done.stderr
        return done.stdout

    run("1")
    with open(project / "site.yaml", "a", encoding="utf-8") as fh:
        fh.write("# 说明\n")
    said = run("2")
    routes = len(files(out)) - 5  # every file but the three assets, the search index's and the manifest
    m = re.search(r"共 (\d+) 个文件，其中 (\d+) 个未变", said)
    assert m, said
    assert int(m.group(2)) >= routes - 1, said


def test_the_dev_server_rebuilds_incrementally(project: Path, tmp_path: Path) -> None:
    """``serve`` rebuilds through the same path: after an edit only the pages that show it are made."""
    from site_builder.site.build import _build
    from site_builder.site.serve import State, dev_out, rebuild

    out = dev_out(project)
    state = State("zh-CN")
    assert rebuild(project, out, DAY, False, state)
    inode = {p: (out / p).stat().st_ino for p in files(out)}
    set_score(project, "2018-Q1", "czj", 47)
    assert rebuild(project, out, DAY, False, state)
    kept = [p for p in files(out) if (out / p).stat().st_ino == inode.get(p)]
    assert "schemes/xiaoneng/v2018/index.html" in kept
    assert "units/czj/xiaoneng/2018-Q1/index.html" not in kept
    clean = tmp_path / "clean-serve"
    with cache_off():
        _build(project, clean, as_of=DAY, preview=False, quiet=True, serve=True)
    assert files(out) == files(clean)


def test_inputs_that_cannot_be_digested_give_no_key() -> None:
    """No key means the file is always made: never a key made of a digest that failed."""
    from site_builder.site.output.digest import digest, keyed
    from site_builder.site.plan import Route

    key = reuse.BuildKey("b" * 64, {"page.html": ("t" * 64, "never")})
    made = Route("a.csv", "download", make=lambda: b"x", inputs=lambda: keyed("a", None))
    assert reuse.route_key(key, made)[0] is None
    assert digest(lambda: 1) is None  # a lambda cannot be pickled
    page = Route("p.html", "page", "page.html", {"page": None, "f": lambda: 1})
    assert reuse.route_key(key, page)[0] is None
    ok = Route("p.html", "page", "page.html", {"page": None, "n": 1})
    other = Route("p.html", "page", "page.html", {"page": None, "n": 2})
    assert reuse.route_key(key, ok)[0] not in (None, reuse.route_key(key, other)[0])
    unknown = Route("q.html", "page", "other.html", {"n": 1})  # a template whose closure is unknown
    assert reuse.route_key(key, unknown)[0] is None


def test_a_matching_pre_key_links_without_making_and_is_checked(monkeypatch) -> None:
    """A route whose pre-key is the one recorded gets the recorded key without its context being
    made; under ``SITE_BUILDER_CHECK_PREKEYS`` the full key is made too, and a pre-key that matched
    while the page's inputs changed stops the build (a pre-key missing an input never gives a stale
    page in the tests)."""
    from site_builder.site.plan import Route

    key = reuse.BuildKey("b" * 64, {"page.html": ("t" * 64, "never")})
    made: list[int] = []

    def page(n: int, pre: int) -> Route:
        def context() -> dict:
            made.append(n)
            return {"page": None, "n": n}
        return Route("p.html", "page", "page.html", make=context, prekey=lambda: ("results", pre))

    monkeypatch.delenv(reuse.CHECK_ENV, raising=False)
    full, pre, _ = reuse.route_keys(key, page(1, 7), None)
    assert full is not None and pre is not None and made == [1]
    previous = reuse.Previous(Path("/nonexistent"), key.build, {"p.html": [full, "s" * 64, 1, 1, 1, 1, pre]})
    made.clear()
    assert reuse.route_keys(key, page(1, 7), previous)[:2] == (full, pre) and made == []
    other, other_pre, _ = reuse.route_keys(key, page(2, 8), previous)  # another pre-key: made, own key
    assert made == [2] and other not in (None, full) and other_pre != pre
    monkeypatch.setenv(reuse.CHECK_ENV, "1")
    made.clear()
    assert reuse.route_keys(key, page(1, 7), previous)[0] == full and made == [1]
    with pytest.raises(AssertionError, match="pre-key"):
        reuse.route_keys(key, page(2, 7), previous)  # same pre-key, other inputs: a pre-key bug
