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
import os
import re
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from site_builder.errors import SiteBuilderError
from site_builder.load import cache as cache_mod
from site_builder.site.build import PACKAGE_THEME, build_site
from site_builder.site.failures import SiteError
from site_builder.site.output import fingerprint, reuse

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


def signed_record(project: Path, out: Path) -> tuple[Path, dict]:
    """The path and the verified contents of the last build's record of ``out``."""
    path = reuse._record_path(project, out)
    doc = fingerprint.read_signed(path, reuse.MAX_RECORD)
    assert isinstance(doc, dict)
    return path, doc


# the as-of date of a project's builds (a change of kind "as_of" sets it; default DAY)
AS_OF: dict[Path, dt.date] = {}


def build(root: Path, out: Path):
    return build_site(root, out, quiet=True, jobs=1, as_of=AS_OF.get(root, DAY))


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


def set_as_of(root: Path, day: str) -> None:
    """Build on another day: a 公示 in or past its window, a notice under embargo or out."""
    AS_OF[root] = dt.date.fromisoformat(day)


def set_description(root: Path, n: int) -> None:
    """A site.yaml setting."""
    _edit(root / "site.yaml", lambda t: re.sub(r"^description: .*$", f"description: 公布本县机关效能考核结果（{n}）。",
                                              t, count=1, flags=re.M))


def set_former_name(root: Path, until: str) -> None:
    """Until when 县教育体育局 was called 县教育局: which notices show the old name."""
    _edit(root / "units.yaml", lambda t: re.sub(r'(name: 县教育局\n        until: )"[^"]*"', rf'\1"{until}"', t, count=1))


def set_notice_number(root: Path, period: str, n: int) -> None:
    """A notice's 文号 (its metadata, on its page, its files and its cards' crumbs and titles)."""
    _edit(root / "scores" / "xiaoneng" / f"{period}.yaml",
          lambda t: re.sub(r"^(  number: 示效办〔20\d\d〕)\d+(号)$", rf"\g<1>{n}\2", t, count=1, flags=re.M))


def set_notice_date(root: Path, day: str) -> None:
    """The 2018-Q1 公示's notice date and first day (a period's header: its notice, its cards, the home page)."""
    def fn(t: str) -> str:
        t = re.sub(r'^(notice:\n(?:  .*\n)*?  date: )"[^"]*"', rf'\1"{day}"', t, count=1, flags=re.M)
        until = dt.date.fromisoformat(day) + dt.timedelta(days=6)  # five working days, Wednesday or Thursday on
        return re.sub(r'^(public_notice:\n  from: )"[^"]*"\n  until: "[^"]*"', rf'\1"{day}"\n  until: "{until}"', t,
                      count=1, flags=re.M)

    _edit(root / "scores" / "xiaoneng" / "2018-Q1.yaml", fn)


EXTRA = "2018-Q3"


def set_extra_period(root: Path, present: bool) -> None:
    """A published period after the draft (added, or removed again)."""
    path = root / "scores" / "xiaoneng" / f"{EXTRA}.yaml"
    if not present:
        path.unlink(missing_ok=True)
        return
    text = (root / "scores" / "xiaoneng" / "2018-Q1.yaml").read_text("utf-8")
    text = text.replace("period: 2018-Q1", f"period: {EXTRA}").replace("status: public_notice", "status: published")
    text = re.sub(r"public_notice:\n(?:  .*\n)*", "", text)
    # a correction of the copied notice (a "correct" change earlier in a sequence) is not this one's
    text = re.sub(r"^corrections:\n(?:  .*\n)*", "", text, flags=re.M)
    text = re.sub(r'^(notice:\n(?:  .*\n)*?  date: )"[^"]*"', r'\1"2018-10-15"', text, count=1, flags=re.M)
    text = text.replace("示效办〔2018〕8号", "示效办〔2018〕20号").replace('tuijin: "57"', 'tuijin: "53"')
    path.write_text(text, "utf-8")


def correct(root: Path, period: str, unit: str, value: int, n: int, strict: bool = True) -> None:
    """A corrected figure with its correction recorded (更正), then ``lock``: the notice's next version."""
    set_score(root, period, unit, value)
    item = f'  - date: "2018-05-0{n}"\n    number: 示效办〔2018〕{20 + n}号\n    reason: 录入错误，经复核更正（{n}）。\n'

    def add(t: str) -> str:
        if "\ncorrections:\n" in t:
            return t.replace("\nunits:\n", "\n" + item + "units:\n", 1)
        return t.replace("\nunits:\n", "\ncorrections:\n" + item + "units:\n", 1)

    _edit(root / "scores" / "xiaoneng" / f"{period}.yaml", add)
    lock(root, strict)


def lock(root: Path, strict: bool = True) -> None:
    """``site-builder lock``; in a random sequence it may be refused (a locked notice was changed
    first, or the sources have a problem, e.g. two notices given one 文号): then it says so — the lock
    or the located problem — and changes nothing, which the next build checks like any other state."""
    from click.testing import CliRunner

    from site_builder.cli import main

    with cache_off():
        res = CliRunner().invoke(main, ["lock", "--root", str(root)])
    if strict or res.exit_code == 0:
        assert res.exit_code == 0, res.output
    else:
        assert res.exit_code == 1 and "Traceback" not in res.output, res.output
        assert "published.lock" in res.output or re.search(r"\.yaml:\d+:\d+: ", res.output), res.output


def apply(root: Path, change: tuple, strict: bool = True) -> None:
    kind, *args = change
    if kind in ("lock", "correct"):
        (lock if kind == "lock" else correct)(root, *args, strict=strict)
        return
    {"score": set_score, "scheme": set_scheme_title, "unit": rename_unit, "template": change_template,
     "content": change_content, "lock": lock, "as_of": set_as_of, "site": set_description,
     "former_name": set_former_name, "notice_number": set_notice_number, "notice_date": set_notice_date,
     "period": set_extra_period, "correct": correct}[kind](root, *args)


KINDS = {
    "score": ("score", "2017-Q4", "fgw", 49),
    "score in a draft": ("score", "2018-Q2", "czj", 41),
    "scheme": ("scheme", 7),
    "unit": ("unit", "jyj", 3),
    "template": ("template", "scorecard.html", 1),
    "base template": ("template", "base.html", 2),
    "content page": ("content", 5),
    "lock": ("lock",),
    "as-of date in the 公示 window": ("as_of", "2018-04-15"),
    "as-of date before a notice": ("as_of", "2018-04-01"),
    "site setting": ("site", 2),
    "former name's date": ("former_name", "2017-10-01"),
    "notice number": ("notice_number", "2017-Q3", 11),
    "notice date": ("notice_date", "2018-04-11"),
    "new period": ("period", True),
    "correction": ("correct", "2017-Q4", "fgw", 49, 1),
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
    # except a change to the base template, which every page uses, and to site.yaml, which every page shows)
    made = again.files - again.reused
    assert made > 0
    if kind == "base template":
        assert again.reused <= 2 + len([p for p in files(out) if not p.endswith(".html")])
    elif kind == "site setting":
        assert again.reused == 0
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
    doc = fingerprint.decode_record(payload)
    # a planted record claiming a changed page is unchanged: its signature fails
    some = next(iter(doc["files"]))
    (out / some).write_bytes(b"planted")
    st = (out / some).stat()
    doc["files"][some][2:] = [st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino]
    record.write_bytes(mac + b"\n" + fingerprint.encode_record(doc))
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
    st.tuples(st.just("as_of"), st.sampled_from(["2018-04-01", "2018-04-15", "2019-01-10"])),
    st.tuples(st.just("site"), st.integers(1, 3)),
    st.tuples(st.just("former_name"), st.sampled_from(["2017-10-01", "2017-12-31", "2018-01-31"])),
    st.tuples(st.just("notice_number"), st.sampled_from(PERIODS[:3]), st.integers(9, 11)),
    st.tuples(st.just("notice_date"), st.sampled_from(["2018-04-12", "2018-04-11"])),
    st.tuples(st.just("period"), st.booleans()),
    st.tuples(st.just("correct"), st.sampled_from(PERIODS[:3]), st.sampled_from(UNITS), st.integers(40, 60),
              st.integers(1, 3)),
)


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                              HealthCheck.too_slow])
@given(changes=st.lists(CHANGE, min_size=1, max_size=4))
# two notices given one 文号: every build refuses until one is changed back
@example(changes=[("notice_number", "2017-Q4", 10), ("scheme", 1), ("notice_number", "2018-Q1", 10)])
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
            except SiteBuilderError:
                # refused (a locked notice changed, or the sources have a located problem, e.g. two
                # notices given one 文号): the incremental site is untouched, and a clean build refuses too
                assert files(out) == before
                with pytest.raises(SiteBuilderError):
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
    """A route with a pre-key that the last build did not record (a cold build) is keyed by its
    pre-key alone, without its context being made; the recorded pre-key then gives the recorded key,
    unmade; a page whose pre-key changed is keyed by its new pre-key alone, still unmade here (it is
    made when rendered, and its old file kept when its bytes come out the same: tests/test_edit_path.py);
    a download whose pre-key changed gets the full key of its inputs, so that unchanged inputs still
    link it.  Under ``SITE_BUILDER_CHECK_PREKEYS`` the full key is made too and kept for the next
    build, and a pre-key that matched while the page's inputs changed stops the build (a pre-key
    missing an input never gives a stale page in the tests)."""
    from site_builder.site.plan import Route

    key = reuse.BuildKey("b" * 64, {"page.html": ("t" * 64, "never")})
    made: list[int] = []

    def page(n: int, pre: int) -> Route:
        def context() -> dict:
            made.append(n)
            return {"page": None, "n": n}
        return Route("p.html", "page", "page.html", make=context, prekey=lambda: ("results", pre))

    def record(k: reuse.Keyed, path: str = "p.html") -> dict:
        return {path: [k.key, "s" * 64, 1, 1, 1, 1, k.pre, None, k.check]}

    monkeypatch.delenv(reuse.CHECK_ENV, raising=False)
    cold, _ = reuse.route_keys(key, page(1, 7), None)
    assert cold.key == reuse.PRE + cold.pre and cold.check is None and made == []  # nothing pickled
    assert reuse.route_keys(key, page(1, 7), reuse.Previous(Path("/nonexistent"), None))[0] == cold  # no record
    previous = reuse.Previous(Path("/nonexistent"), key.build, record(cold))
    assert reuse.route_keys(key, page(1, 7), previous)[0] == cold and made == []  # the same pre-key: unmade
    changed, _ = reuse.route_keys(key, page(1, 8), previous)  # another pre-key: keyed by it, unmade
    assert made == [] and changed.pre not in (None, cold.pre) and changed.key == reuse.PRE + changed.pre
    previous = reuse.Previous(Path("/nonexistent"), key.build, record(changed))
    assert reuse.route_keys(key, page(1, 8), previous)[0] == changed and made == []

    inputs: list[int] = []

    def download(n: int, pre: int) -> Route:
        def given() -> tuple:
            inputs.append(n)
            return ("figures", n)
        return Route("d.csv", "download", make=lambda: b"never made here", inputs=given,
                     prekey=lambda: ("results", pre))

    first, _ = reuse.route_keys(key, download(1, 7), None)
    assert first.key == reuse.PRE + first.pre and inputs == []
    previous = reuse.Previous(Path("/nonexistent"), key.build, record(first, "d.csv"))
    moved, _ = reuse.route_keys(key, download(1, 8), previous)  # its pre-key changed: its inputs' key
    assert inputs == [1] and moved.key == reuse.route_key(key, download(1, 0))[0] and not moved.key.startswith(reuse.PRE)
    previous = reuse.Previous(Path("/nonexistent"), key.build, record(moved, "d.csv"))
    assert reuse.route_keys(key, download(1, 9), previous)[0].key == moved.key  # same inputs: linked
    assert reuse.route_keys(key, download(2, 10), previous)[0].key not in (None, moved.key)
    changed = reuse.Keyed(reuse.route_key(key, page(1, 0))[0])  # the full key of the page's context

    monkeypatch.setenv(reuse.CHECK_ENV, "1")
    made.clear()
    checked, _ = reuse.route_keys(key, page(1, 7), None)
    assert (checked.key, checked.pre) == (cold.key, cold.pre) and checked.check == changed.key and made == [1]
    previous = reuse.Previous(Path("/nonexistent"), key.build, record(checked))
    assert reuse.route_keys(key, page(1, 7), previous)[0] == checked  # decided as without the check
    with pytest.raises(AssertionError, match="pre-key"):
        reuse.route_keys(key, page(2, 7), previous)  # same pre-key, other inputs: a pre-key bug


# a scripted sequence over every change a per-period page's pre-key must see (site_builder/site/output/
# prekeys.py); then a lock and corrections, so that corrected notices and their earlier versions are on
# the site (a locked notice's names, number and body can only change by a correction)
SITE_WIDE = [
    ("as_of", "2018-04-15"),  # 2018-Q1 back in its 公示 window: 公示, not 通报
    ("as_of", "2018-04-01"),  # before its notice date: under embargo, off the site
    ("as_of", DAY.isoformat()),
    ("former_name", "2017-10-01"),  # 2017-Q3's notice and cards now show the new name
    ("former_name", "2018-01-31"),  # 2017-Q4's the old one
    ("notice_number", "2017-Q4", 11),
    ("notice_date", "2018-04-11"),
    ("period", True),  # 2018-Q3 after 2018-Q1: its cards show 2018-Q1 as the previous period
    ("score", "2018-Q1", "fgw", 44),  # the previous period's results change under 2018-Q3's cards
    ("unit", "czj", 2),
    ("content", 7),
    ("period", False),
    ("lock",),
    ("correct", "2017-Q3", "fgw", 50, 1),  # a correction, locked: a second version of 2017-Q3
    ("as_of", "2018-04-15"),
    ("correct", "2017-Q3", "fgw", 51, 2),  # a third version: the earlier versions' banners change
    ("as_of", DAY.isoformat()),
    ("score", "2018-Q2", "czj", 41),  # the draft
    ("site", 3),
]


def test_a_sequence_of_site_wide_changes_gives_the_clean_build(project: Path, tmp_path: Path) -> None:
    """Every change a card, notice or download reads besides its own period — the as-of date, a
    unit's names by date, a notice's metadata and date, another period added or removed, the
    previous period's results, a correction and its versions, the notice body, site.yaml — each
    followed by an incremental build checked against a clean one, with every matched pre-key
    checked against the full key (SITE_BUILDER_CHECK_PREKEYS, tests/conftest.py)."""
    assert os.environ.get(reuse.CHECK_ENV)
    out, clean = tmp_path / "site", tmp_path / "clean"
    build(project, out)
    for change in SITE_WIDE:
        apply(project, change)
        again = build(project, out)
        clean_build(project, clean)
        assert files(out) == files(clean), change
        assert again.reused > 0 or change[0] == "site", change
    assert (out / "notices/xiaoneng/2017-Q3/v2/index.html").is_file()


def test_pre_keys_link_unchanged_cards_and_notices_without_making_them(project: Path, tmp_path: Path,
                                                                      monkeypatch) -> None:
    """A change to one period's figures makes the contexts of that period's cards and notice (and of
    the next period's, which show it as the previous period) and of no other period's; a change to the
    notice body alone makes no card's.  Checked without SITE_BUILDER_CHECK_PREKEYS, which makes
    every context to check it."""
    from site_builder.site.pages import notice, scorecard

    made: list[str] = []

    def counting(module, name: str):
        real = getattr(module, name)

        def wrapper(*args, **kwargs):
            meta, ctx = real(*args, **kwargs)
            made.append(meta.path)
            return meta, ctx

        monkeypatch.setattr(module, name, wrapper)

    counting(scorecard, "_card_context")
    counting(notice, "_notice_context")
    monkeypatch.delenv(reuse.CHECK_ENV, raising=False)
    out = tmp_path / "site"
    build(project, out)
    cards = [p for p in made if p.startswith("units/")]
    assert len(cards) == 3 * 5 and len(made) == len(cards) + 3  # three published periods: 5 cards each, a notice
    made.clear()
    change_content(project, 1)  # the body of 2017-Q3's notice
    build(project, out)
    assert made == ["notices/xiaoneng/2017-Q3/index.html"]
    made.clear()
    set_score(project, "2017-Q4", "fgw", 49)
    build(project, out)
    assert sorted({p.split("/")[-2] for p in made}) == ["2017-Q4", "2018-Q1"], made
    assert "notices/xiaoneng/2017-Q3/index.html" not in made
    made.clear()
    set_score(project, "2018-Q1", "wjw", 57)  # the last published period: its own pages only, and of
    build(project, out)                       # its cards only those of the unit's group (社会事业部门组)
    assert sorted(made) == ["notices/xiaoneng/2018-Q1/index.html", "units/jyj/xiaoneng/2018-Q1/index.html",
                            "units/wjw/xiaoneng/2018-Q1/index.html"], made


def test_a_template_that_loads_the_search_index_everywhere_puts_its_name_in_the_pre_key(monkeypatch) -> None:
    """The search index's file name changes with the units and periods it lists; a page whose template
    loads it outside ``{% if "search" in page.scripts %}`` reads that name, so its pre-key holds it."""
    from site_builder.site.plan import Route

    monkeypatch.delenv(reuse.CHECK_ENV, raising=False)
    route = Route("p.html", "page", "page.html", make=lambda: {"page": None}, prekey=lambda: ("results", 1))

    def pre(use: str, search: str) -> str | None:
        return reuse.route_keys(reuse.BuildKey("b" * 64, {"page.html": ("t" * 64, use)}, search), route, None)[0].pre

    assert pre("always", "search.1.js") != pre("always", "search.2.js")
    assert pre("scripts", "search.1.js") == pre("scripts", "search.2.js")  # read from the page: its pre-key's part
    assert pre("never", "search.1.js") == pre("never", "search.2.js")


def test_a_change_that_runs_into_later_periods_gives_the_clean_build(tmp_path: Path) -> None:
    """The synthetic benchmark project ranks by running totals over the year (年度累计排名) and keeps
    streaks (流动红旗): a fact changed in its first month changes every later month's results.  Each
    rebuild is checked against a clean build, with every matched pre-key checked against the full key."""
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
    try:
        from synth import generate
    finally:
        sys.path.pop(0)
    root, out, clean = tmp_path / "project", tmp_path / "site", tmp_path / "clean"
    generate(root, units=16, periods=4)
    assert os.environ.get(reuse.CHECK_ENV)
    AS_OF[root] = dt.date(2025, 12, 31)  # every month published

    def change(month: int, value: str) -> None:
        path = root / "scores" / "bench" / f"2025-{month:02d}.yaml"
        text = path.read_text("utf-8")
        new = re.sub(r"(\n  u00005:\n    facts: \{t1a0: )[0-9.]+", rf"\g<1>{value}", text, count=1)
        assert new != text
        path.write_text(new, "utf-8")

    with cache_on(tmp_path):
        build(root, out)
        for month, value in ((1, "0.7"), (4, "0.3"), (2, "1.7"), (1, "0.1")):
            change(month, value)
            again = build(root, out)
            clean_build(root, clean)
            assert files(out) == files(clean), (month, value)
            assert 0 < again.reused < again.files
    AS_OF.pop(root)
