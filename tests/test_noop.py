"""A rebuild with nothing changed writes nothing; any change, or a damaged output, builds in full.

Every full rebuild after a change is compared file by file with a clean build of
the same sources into a new folder: the skipped build must never leave a site
that a clean build would not make.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from site_builder.load import cache as cache_mod
from site_builder.site import clock
from site_builder.site import data as site_data
from site_builder.site.build import PACKAGE_THEME, build_site
from site_builder.site.output import fingerprint

FIXTURE = Path(__file__).resolve().parent / "site" / "fixtures" / "basic"
DAY = dt.date(2019, 1, 10)


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the fixture project with its own theme, the fingerprint turned on."""
    monkeypatch.delenv(cache_mod.ENV_OFF, raising=False)
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    root = tmp_path / "project"
    shutil.copytree(FIXTURE, root)
    shutil.copytree(PACKAGE_THEME, root / "theme")
    return root


def build(root: Path, out: Path, **kw):
    kw.setdefault("as_of", DAY)
    return build_site(root, out, quiet=True, jobs=1, **kw)


def files(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


def stats(out: Path) -> dict[str, tuple[int, int]]:
    return {
        p.relative_to(out).as_posix(): (p.stat().st_mtime_ns, p.stat().st_ino)
        for p in sorted(out.rglob("*"))
    }


def test_nothing_changed_writes_nothing_and_says_so(project: Path, tmp_path: Path) -> None:
    out = tmp_path / "site"
    first = build(project, out)
    assert not first.unchanged
    before = stats(out)
    second = build(project, out)
    assert second.unchanged
    assert stats(out) == before  # not one file rewritten, replaced or added
    assert (second.pages, second.files, second.bytes) == (first.pages, first.files, first.bytes)
    assert second.as_of == DAY
    text = str(second)
    assert text.startswith("源文件、模板、选项和判断日期与上次生成时相同，")
    assert f"{out} 中的 {first.pages} 个页面（共 {first.files} 个文件，" in text
    assert "未写入任何文件" in text and "按 2019-01-10 判断公示与发布日期。" in text
    assert "。。" not in text


def _append(rel: str, extra: str):
    def change(root: Path) -> None:
        with open(root / rel, "a", encoding="utf-8") as fh:
            fh.write(extra)

    return change


CHANGES = {
    "period file": _append("scores/xiaoneng/2018-Q2.yaml", "# 复核无误\n"),
    "scheme": _append("schemes/xiaoneng/v2018.yaml", "# 说明\n"),
    "units": _append("units.yaml", "# 说明\n"),
    "site.yaml": _append("site.yaml", "# 说明\n"),
    "template": _append("theme/templates/404.html", "{# 说明 #}\n"),
    "static asset": _append("theme/static/site.css", "/* 说明 */\n"),
    "content page": _append("content/notices/2017-q3.md", "\n特此通报。\n"),
    "new source file": _append("scores/xiaoneng/notes.txt", "备注\n"),
}


@pytest.mark.parametrize("kind", sorted(CHANGES))
def test_a_changed_source_builds_in_full_as_a_clean_build(kind: str, project: Path, tmp_path: Path) -> None:
    out = tmp_path / "site"
    build(project, out)
    CHANGES[kind](project)
    again = build(project, out)
    assert not again.unchanged
    clean = tmp_path / "clean"
    build(project, clean)
    assert files(out) == files(clean)
    assert build(project, out).unchanged  # and the new record holds


def test_changed_lock_builds_in_full(project: Path, tmp_path: Path) -> None:
    from click.testing import CliRunner

    from site_builder.cli import main

    res = CliRunner().invoke(main, ["lock", "--root", str(project)])
    assert res.exit_code == 0, res.output
    lock = project / "published.lock"
    out = tmp_path / "site"
    build(project, out)
    assert build(project, out).unchanged
    doc = json.loads(lock.read_text("utf-8"))
    lock.write_text(json.dumps(doc, ensure_ascii=False, indent=4, sort_keys=True) + "\n", "utf-8")
    assert not build(project, out).unchanged
    clean = tmp_path / "clean"
    build(project, clean)
    assert files(out) == files(clean)


def test_options_and_dates_change_the_fingerprint(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "site"
    build(project, out)
    assert not build(project, out, as_of=dt.date(2019, 1, 11)).unchanged  # --as-of
    assert build(project, out, as_of=dt.date(2019, 1, 11)).unchanged
    assert not build(project, out, as_of=dt.date(2019, 1, 11), preview=True).unchanged
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1547078400")  # 2019-01-10 08:00 Beijing
    assert not build(project, out, as_of=None).unchanged
    assert build(project, out, as_of=None).unchanged
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1547164800")  # a day later
    epoch = build(project, out, as_of=None)
    assert not epoch.unchanged and epoch.as_of == dt.date(2019, 1, 11)
    clean = tmp_path / "clean"
    build(project, clean, as_of=None)
    assert files(out) == files(clean)
    # without either, today in Beijing: a new day can publish a notice
    monkeypatch.delenv("SOURCE_DATE_EPOCH")
    for module in (clock, site_data):
        monkeypatch.setattr(module, "today", lambda: dt.date(2019, 2, 1))
    assert not build(project, out, as_of=None).unchanged
    assert build(project, out, as_of=None).unchanged
    for module in (clock, site_data):
        monkeypatch.setattr(module, "today", lambda: dt.date(2019, 2, 2))
    assert not build(project, out, as_of=None).unchanged


def _git(root: Path, *args: str) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    subprocess.run(
        ["git", "-C", str(root), "-c", "user.name=测试", "-c", "user.email=t@example.org",
         "-c", "commit.gpgsign=false", *args],
        check=True, capture_output=True, env=env,
    )


def test_a_new_commit_builds_in_full(project: Path, tmp_path: Path) -> None:
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    _git(project, "init", "-q")
    _git(project, "add", "-A")
    _git(project, "commit", "-q", "-m", "一")
    out = tmp_path / "site"
    build(project, out)
    assert build(project, out).unchanged
    _git(project, "commit", "-q", "--allow-empty", "-m", "二")
    assert not build(project, out).unchanged
    clean = tmp_path / "clean"
    build(project, clean)
    assert files(out) == files(clean)


def _delete(out: Path) -> None:
    (out / "404.html").unlink()


def _add(out: Path) -> None:
    (out / "extra.html").write_bytes(b"<p>x</p>")


def _add_folder(out: Path) -> None:
    (out / "extra").mkdir()


def _edit_same_size_same_mtime(out: Path) -> None:
    page = out / "404.html"
    st = page.stat()
    data = bytearray(page.read_bytes())
    data[-2] = ord("X") if data[-2] != ord("X") else ord("Y")
    page.write_bytes(bytes(data))
    os.utime(page, ns=(st.st_atime_ns, st.st_mtime_ns))


def _edit_manifest(out: Path) -> None:
    page = out / "manifest.json"
    st = page.stat()
    page.write_bytes(page.read_bytes().replace(b'"as_of"', b'"as_oF"'))
    os.utime(page, ns=(st.st_atime_ns, st.st_mtime_ns))


@pytest.mark.parametrize("damage", [_delete, _add, _add_folder, _edit_same_size_same_mtime, _edit_manifest])
def test_a_damaged_output_is_rebuilt_and_restored(damage, project: Path, tmp_path: Path) -> None:
    out = tmp_path / "site"
    build(project, out)
    good = files(out)
    damage(out)
    assert not build(project, out).unchanged
    assert files(out) == good


def _sign(payload: bytes) -> bytes:
    return cache_mod._mac(cache_mod.secret(), payload).hex().encode() + b"\n" + payload


def test_a_corrupt_or_foreign_record_builds_in_full(project: Path, tmp_path: Path) -> None:
    out = tmp_path / "site"
    build(project, out)
    good = files(out)
    (record,) = (project / fingerprint.RECORD_DIR).glob("*.json")
    mac, _, payload = record.read_bytes().partition(b"\n")
    doc = fingerprint.decode_record(payload)
    assert isinstance(doc, dict)
    enc = fingerprint.encode_record
    signed = [_sign(b) for b in (
        b"", b"{", b"[]", b"\xff\xfe", fingerprint.RECORD_MAGIC, fingerprint.RECORD_MAGIC + b"\xff",
        fingerprint.RECORD_MAGIC + payload[len(fingerprint.RECORD_MAGIC):-3],  # cut short
        json.dumps(doc).encode(),  # the same values as JSON (what this tool wrote before)
        enc({**doc, "format": 99}),
        enc({**doc, "report": {**doc["report"], "pages": "653"}}),
        enc({**doc, "report": {**doc["report"], "as_of": "2019-02-30"}}),
        enc({**doc, "out": str(tmp_path / "other")}),
        enc({**doc, "fingerprint": "0" * 64}),
    )]
    unsigned = [payload, b"0" * 64 + b"\n" + payload, mac + b"\n" + payload.replace(b"404", b"405")]
    for bad in signed + unsigned:
        record.write_bytes(bad)
        assert not build(project, out).unchanged, bad[:80]
        assert files(out) == good
    assert build(project, out).unchanged


def test_no_key_no_record(project: Path, tmp_path: Path, monkeypatch) -> None:
    (tmp_path / "blocked").write_text("", "utf-8")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "blocked"))
    out = tmp_path / "site"
    build(project, out)
    assert not build(project, out).unchanged
    assert not (project / ".site-builder").exists()


def test_no_cache_forces_a_full_build(project: Path, tmp_path: Path, monkeypatch) -> None:
    out = tmp_path / "site"
    build(project, out)
    monkeypatch.setenv(cache_mod.ENV_OFF, "1")
    assert not build(project, out).unchanged
    assert not build(project, out).unchanged


def test_a_failed_build_leaves_no_record(project: Path, tmp_path: Path) -> None:
    from site_builder.errors import SiteBuilderError

    out = tmp_path / "site"
    build(project, out)
    good = files(out)
    period = project / "scores/xiaoneng/2018-Q2.yaml"
    saved = period.read_bytes()
    period.write_bytes(b"periods: [\n")
    with pytest.raises(SiteBuilderError):
        build(project, out)
    assert not list((project / fingerprint.RECORD_DIR).glob("*.json"))
    period.write_bytes(saved)
    assert not build(project, out).unchanged  # no record: in full, though the sources are back
    assert files(out) == good
    assert build(project, out).unchanged


def test_a_source_that_cannot_be_vouched_for_builds_in_full(project: Path, tmp_path: Path) -> None:
    out = tmp_path / "site"
    build(project, out)
    if not hasattr(os, "mkfifo"):
        pytest.skip("no FIFOs here")
    os.mkfifo(project / "content" / "pipe")
    assert fingerprint.current(project, out, as_of=DAY, preview=False, serve=False) is None


def test_the_command_says_nothing_changed_without_loading_the_models(project: Path, tmp_path: Path) -> None:
    from click.testing import CliRunner

    from site_builder.cli import main

    args = ["build", "--root", str(project), "--out", str(tmp_path / "site"), "--as-of", "2019-01-10",
            "--jobs", "1"]
    first = CliRunner().invoke(main, args)
    assert first.exit_code == 0 and "已生成" in first.output, first.output
    before = stats(tmp_path / "site")
    code = (
        "import sys; from site_builder.cli import main\n"
        "try:\n    main(sys.argv[1:])\nexcept SystemExit:\n    pass\n"
        "assert 'site_builder.model' not in sys.modules and 'jinja2' not in sys.modules, 'loaded'\n"
    )
    done = subprocess.run([os.sys.executable, "-c", code, *args], check=False, capture_output=True, text=True,
                          env={**os.environ}, cwd=Path(__file__).resolve().parents[1])
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("源文件、模板、选项和判断日期与上次生成时相同，"), done.stdout
    assert "按 2019-01-10 判断公示与发布日期。" in done.stdout
    assert stats(tmp_path / "site") == before


def test_the_command_makes_the_digest_of_its_inputs_once(project: Path, tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """The command line looks for a build with nothing to do, then builds: the digest it made of the
    inputs is the one the build records (made once: it reads every source), and the next build of
    the same sources finds nothing to do."""
    from click.testing import CliRunner

    from site_builder.cli import main

    made: list[str | None] = []
    real = fingerprint.current

    def counted(*args, **kwargs):
        made.append(real(*args, **kwargs))
        return made[-1]

    monkeypatch.setattr(fingerprint, "current", counted)
    args = ["build", "--root", str(project), "--out", str(tmp_path / "site"), "--as-of", "2019-01-10",
            "--jobs", "1"]
    first = CliRunner().invoke(main, args)
    assert first.exit_code == 0 and "已生成" in first.output, first.output
    assert len(made) == 1 and made[0] is not None
    assert fingerprint._read_record(project, tmp_path / "site")["fingerprint"] == made[0]
    again = CliRunner().invoke(main, args)
    assert again.exit_code == 0 and again.output.startswith("源文件、模板、选项和判断日期与上次生成时相同"), again.output
    assert made[1] == made[0] and len(made) == 2
    # the collector, off while the command imports, is on again after a build and after a no-op
    import gc

    assert gc.isenabled() and not gc.get_freeze_count()


def _left_as_recorded(project: Path, out: Path) -> None:
    """The build's records, made from each file's status as it was written (no walk), are the folder as
    a walk finds it: the no-op record's files and folders, and each reused file's size, times and inode."""
    from site_builder.site.output import reuse

    doc = fingerprint._read_record(project, out)
    assert doc is not None
    assert (doc["files"], doc["dirs"]) == fingerprint.scan(out)
    raw = fingerprint.read_signed(reuse._record_path(project, out), reuse.MAX_RECORD)
    assert isinstance(raw, dict) and raw["files"]
    for path, rec in raw["files"].items():
        st = os.lstat(out / path)
        assert rec[2:6] == [st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino], path


def test_the_records_are_the_folder_as_left_after_each_kind_of_rebuild(project: Path, tmp_path: Path) -> None:
    """A first build, then a rebuild after each kind of change (files written into the recycled folder in
    place, renamed over, linked from the live site, pruned): each time the records equal a walk of the
    output, so the next build with nothing changed writes nothing."""
    out = tmp_path / "site"
    build(project, out)
    _left_as_recorded(project, out)
    for kind in sorted(CHANGES):
        CHANGES[kind](project)
        assert not build(project, out).unchanged
        _left_as_recorded(project, out)
        assert build(project, out).unchanged, kind
