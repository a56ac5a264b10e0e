"""A notice's XLSX made again takes its unchanged sheets from the last build's file (:mod:`.xlsx_pieces`).

After an edit, an incremental build into the folder of the last build deflates again only the
sheets whose XML changed; every other sheet's deflated member is read from the last build's file
— only when that file lies there as the build left it and the bytes read have the recorded
SHA-256.  The files are byte for byte those of a clean build (no cache, no record).  A record
damaged, re-signed with wrong ranges or made stale by an edit of the old file gives no byte of
it: the sheet is made.  ``SITE_BUILDER_CHECK_PREKEYS`` (on in the suite) makes every sheet taken
over be made all the same and compared; tests that count what is made turn it off.
"""

from __future__ import annotations

import io
import os
import zipfile
import zlib
from pathlib import Path

import pytest
from test_incremental import (
    DAY,
    build,
    cache_on,
    clean_build,
    files,
    make_project,
    rename_unit,
    set_score,
)
from test_incremental import signed_record as _record

from site_builder.load import cache
from site_builder.site import render_pool
from site_builder.site.failures import SiteError
from site_builder.site.output import fingerprint, reuse, xlsx, xlsx_pieces
from site_builder.site.output.xlsx_sheet import Sheet

NOTICES = "notices/xiaoneng/"


def books(out: Path) -> dict[str, bytes]:
    return {p: b for p, b in files(out).items() if p.endswith(".xlsx")}


@pytest.fixture
def project(tmp_path: Path):
    with cache_on(tmp_path):
        yield make_project(tmp_path)


@pytest.fixture
def made(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The name of every sheet whose XML is made (deflated), in order."""
    seen: list[str] = []
    real = Sheet.chunks

    def chunks(self, selected: bool, rows: int = 1000):
        seen.append(self.name)
        return real(self, selected, rows)

    monkeypatch.setattr(Sheet, "chunks", chunks)
    return seen


def _sheets_of(doc: dict, path: str) -> list:
    sheets = doc["files"][path][7]
    assert isinstance(sheets, list) and sheets
    return sheets


@pytest.mark.parametrize("change", ["first", "middle", "last", "renamed"])
def test_an_incremental_xlsx_is_the_clean_one(change: str, project: Path, tmp_path: Path) -> None:
    out, clean = tmp_path / "site", tmp_path / "clean"
    build(project, out)
    before = books(out)
    if change == "renamed":
        rename_unit(project, "jyj", 2)
    else:
        set_score(project, {"first": "2017-Q3", "middle": "2017-Q4", "last": "2018-Q1"}[change], "jyj", 47)
    build(project, out)
    clean_build(project, clean)
    assert books(out) != before  # the change shows in the downloads
    assert files(out) == files(clean)


def test_only_the_changed_sheets_are_deflated(project: Path, tmp_path: Path, made: list,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """One unit's points changed in the last published period: of that notice's XLSX, the sheets
    that show the change are made (the unit's group, its lines, the rankings); the other group's
    sheet and the honours are taken from the last build's file, and no other notice's XLSX is made."""
    monkeypatch.delenv(reuse.CHECK_ENV, raising=False)
    out, clean = tmp_path / "site", tmp_path / "clean"
    build(project, out)
    sheets = ["综合管理部门组", "社会事业部门组", "指标得分", "排名", "表彰与等次"]
    assert made == sheets * 3  # a first build makes every sheet of the three published notices' files
    made.clear()
    set_score(project, "2018-Q1", "jyj", 43)
    build(project, out)
    assert made == ["社会事业部门组", "指标得分", "排名"]  # jyj's group, lines and rankings
    clean_build(project, clean)
    assert files(out) == files(clean)


def test_the_record_names_each_sheets_deflated_member(project: Path, tmp_path: Path) -> None:
    """Each recorded sheet: its member's name, key, the range of its deflated bytes in the file, CRC-32,
    size and the SHA-256 of those bytes — inflated, the sheet's XML as the zip holds it."""
    out = tmp_path / "site"
    build(project, out)
    _, doc = _record(project, out)
    targets = [p for p in doc["files"] if p.endswith(".xlsx")]
    assert len(targets) == 3  # the published notices (2018-Q2 is a draft)
    for target in targets:
        data = (out / target).read_bytes()
        z = zipfile.ZipFile(io.BytesIO(data))
        sheets = _sheets_of(doc, target)
        assert [s[0] for s in sheets] == [n for n in z.namelist() if n.startswith("xl/worksheets/")]
        for name, key, start, length, crc, size, sha in sheets:
            info = z.getinfo(name)
            assert (info.CRC, info.file_size, info.compress_size) == (crc, size, length)
            assert zlib.decompress(data[start:start + length], -15) == z.read(name)
            assert len(key) == len(sha) == 64


def test_a_record_with_wrong_ranges_gives_made_bytes(project: Path, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """A record signed here (a bug, never an attacker: the key is this user's) whose ranges point at
    other bytes: each member read is checked against its SHA-256, so the sheet is made."""
    monkeypatch.delenv(reuse.CHECK_ENV, raising=False)
    out, clean = tmp_path / "site", tmp_path / "clean"
    build(project, out)
    path, doc = _record(project, out)
    for target, rec in doc["files"].items():
        if target.endswith(".xlsx"):
            for sheet in rec[7]:
                sheet[2] += 1  # one byte off
    fingerprint.write_signed(path, doc, cache.secret())
    taken = _count_taken(monkeypatch)
    set_score(project, "2018-Q1", "jyj", 44)
    build(project, out)
    assert taken == [0]
    clean_build(project, clean)
    assert files(out) == files(clean)


def test_a_truncated_record_entry_is_refused(project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A sheet's entry of the wrong shape (a field missing, a key that is not a digest): the whole
    file's record is refused, every sheet made."""
    monkeypatch.delenv(reuse.CHECK_ENV, raising=False)
    out, clean = tmp_path / "site", tmp_path / "clean"
    build(project, out)
    path, doc = _record(project, out)
    for target, rec in doc["files"].items():
        if target.endswith(".xlsx"):
            rec[7][0] = rec[7][0][:6]
            rec[7][1][1] = "not a digest"
    fingerprint.write_signed(path, doc, cache.secret())
    taken = _count_taken(monkeypatch)
    set_score(project, "2018-Q1", "jyj", 44)
    build(project, out)
    assert taken == [0]
    clean_build(project, clean)
    assert files(out) == files(clean)
    assert xlsx_pieces.valid([["x", "a" * 64, 0, 1, 2, 3]]) is None
    assert xlsx_pieces.valid([["x", "a" * 64, 0, 1, 2, 1 << 32, "b" * 64]]) is None
    assert xlsx_pieces.valid([["x", "a" * 64, 0, 1, 2, 3, "b" * 64]]) == {"a" * 64: (0, 1, 2, 3, "b" * 64)}


def test_a_damaged_record_is_not_read(project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out, clean = tmp_path / "site", tmp_path / "clean"
    build(project, out)
    path = reuse._record_path(project, out)
    raw = path.read_bytes()
    mac, _, payload = raw.partition(b"\n")
    doc = fingerprint.decode_record(payload)
    for target, rec in doc["files"].items():
        if target.endswith(".xlsx"):
            rec[7][0][3] -= 1  # changed without its signature
    path.write_bytes(mac + b"\n" + fingerprint.encode_record(doc))
    taken = _count_taken(monkeypatch)
    set_score(project, "2017-Q4", "fgw", 50)
    again = build(project, out)
    assert again.reused == 0  # the whole record is refused
    assert taken == [0]
    clean_build(project, clean)
    assert files(out) == files(clean)


@pytest.mark.parametrize("resign", [False, True], ids=["as recorded", "record re-signed to match"])
def test_an_old_file_edited_in_place_is_not_taken_over(resign: bool, project: Path, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """The last build's XLSX of the notice made again altered in place, same size (a byte of every
    deflated sheet flipped): its times differ from the record, so nothing is read from it; and even a
    record that matches the altered file's times (re-signed here) gives no altered byte, every member
    being checked against its SHA-256."""
    monkeypatch.delenv(reuse.CHECK_ENV, raising=False)
    out, clean = tmp_path / "site", tmp_path / "clean"
    build(project, out)
    path, doc = _record(project, out)
    for target in [NOTICES + "2018-Q1/xiaoneng-2018-Q1.xlsx"]:
        data = bytearray((out / target).read_bytes())
        for sheet in _sheets_of(doc, target):
            data[sheet[2] + sheet[3] // 2] ^= 0x55
        (out / target).write_bytes(bytes(data))
        if resign:
            st = os.lstat(out / target)
            doc["files"][target][2:6] = [st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino]
    if resign:
        fingerprint.write_signed(path, doc, cache.secret())
    taken = _count_taken(monkeypatch)
    set_score(project, "2018-Q1", "jyj", 45)
    build(project, out)
    assert taken == [0]
    clean_build(project, clean)
    assert files(out) == files(clean)


def test_a_failed_build_leaves_no_record_and_the_next_is_clean(project: Path, tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """A build that fails (a personal number in a sheet made again) leaves the last site and no record
    of sheets behind: the next build makes every XLSX it needs and gives the clean bytes."""
    out, clean = tmp_path / "site", tmp_path / "clean"
    build(project, out)
    before = files(out)
    real = xlsx.Workbook.text_tail

    def leaky(self, value: str, bold: bool) -> str:
        return real(self, value + " 联系电话 13912345678" if value == "社会事业部门组" else value, bold)

    monkeypatch.setattr(xlsx.Workbook, "text_tail", leaky)
    set_score(project, "2018-Q1", "jyj", 42)
    with pytest.raises(SiteError) as err:
        build(project, out)
    assert ".xlsx" in str(err.value)
    assert files(out) == before
    assert fingerprint.read_signed(reuse._record_path(project, out), reuse.MAX_RECORD) is None
    monkeypatch.setattr(xlsx.Workbook, "text_tail", real)
    build(project, out)
    clean_build(project, clean)
    assert files(out) == files(clean)


def test_a_key_that_misses_an_input_is_caught_by_the_check(project: Path, tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """With the check on (the suite), a sheet taken over is made all the same: a key that would let
    other bytes through fails the build loudly."""
    out = tmp_path / "site"
    monkeypatch.setattr(Sheet, "key", lambda self, selected: "0" * 64)  # every sheet "the same"
    build(project, out)
    set_score(project, "2018-Q1", "jyj", 41)
    with pytest.raises(AssertionError, match="an equal key, other bytes"):
        build(project, out)


def test_a_parallel_incremental_xlsx_is_the_clean_one(project: Path, tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """Forked workers make the XLSX files with the record the parent read; their records of sheets
    come back to the parent and are kept for the next build."""
    from site_builder.site.build import build_site

    monkeypatch.setattr(render_pool, "PARALLEL_MIN_ROUTES", 1)
    out, clean = tmp_path / "site", tmp_path / "clean"
    build_site(project, out, quiet=True, jobs=2, as_of=DAY)
    set_score(project, "2017-Q4", "jyj", 51)
    build_site(project, out, quiet=True, jobs=2, as_of=DAY)
    _, doc = _record(project, out)
    assert all(_sheets_of(doc, p) for p in doc["files"] if p.endswith(".xlsx"))
    set_score(project, "2018-Q1", "wjw", 50)
    build_site(project, out, quiet=True, jobs=2, as_of=DAY)
    clean_build(project, clean)
    assert files(out) == files(clean)


def test_the_zip_is_the_one_zipfile_writes() -> None:
    """The container written around the deflated members is byte for byte what ``zipfile`` writes for
    the same members (fixed date, Unix, mode 644, deflated; sizes and CRC in the local headers)."""
    wb = xlsx.Workbook("标题", __import__("datetime").datetime(2018, 1, 15))
    ws = wb.sheet("表", freeze="A2")
    ws.append(["名称", xlsx.Number("96.5"), 3, None, "=1+1"], bold=True)
    ws.extend_columns([["甲", "乙"] * 300, [xlsx.Number("1.0"), None] * 300])
    ours = wb.save()
    theirs = io.BytesIO()
    src = zipfile.ZipFile(io.BytesIO(ours))
    with zipfile.ZipFile(theirs, "w", zipfile.ZIP_DEFLATED) as z:
        for name in src.namelist():
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type, info.create_system, info.external_attr = zipfile.ZIP_DEFLATED, 3, 0o644 << 16
            with z.open(info, "w") as dest:
                dest.write(src.read(name))
    assert bytes(ours) == theirs.getvalue()


def _count_taken(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many sheets the next builds take from the last build's files."""
    taken = [0]
    real = xlsx_pieces.OldBook.member

    def member(self, key):
        got = real(self, key)
        taken[0] += got is not None
        return got

    monkeypatch.setattr(xlsx_pieces.OldBook, "member", member)
    return taken


def _two_sheets(first: list, second_columns: list) -> xlsx.Workbook:
    import datetime as dt

    wb = xlsx.Workbook("t", dt.datetime(2018, 1, 15))
    wb.sheet("甲", freeze="E2").append(first, bold=True)
    wb.sheet("乙", freeze="A2").extend_columns(second_columns)
    return wb


def test_a_sheets_key_is_its_xml_made_of_the_same_things() -> None:
    """Equal sheets made in two workbooks have one key (what lets the next build take them over); the
    same values under other style numbers (an earlier sheet met a new style first), another first
    row, another view or another value give another key — and other XML."""
    columns = [["县", "=1", None, "县"], [xlsx.Number("1.50"), xlsx.Number("2"), None, 3]]
    a, b = _two_sheets(["x", 1], columns), _two_sheets(["x", 1], columns)
    assert a.sheets[1].key(False) == b.sheets[1].key(False)
    assert a.sheets[1].xml(False) == b.sheets[1].xml(False)
    others = [
        _two_sheets(["x", xlsx.Number("0.0")], columns).sheets[1],  # style numbers shifted by the first sheet
        _two_sheets(["x", 1], [columns[0], [xlsx.Number("1.50"), xlsx.Number("2"), None, 4]]).sheets[1],
        _two_sheets(["x", 1], [columns[1], columns[0]]).sheets[1],
    ]
    for other in others:
        assert other.key(False) != a.sheets[1].key(False)
        assert other.xml(False) != a.sheets[1].xml(False)
    assert a.sheets[1].key(True) != a.sheets[1].key(False)  # the selected tab
    assert a.sheets[0].key(True) != b.sheets[1].key(True)


def test_the_record_of_sheets_does_not_grow(project: Path, tmp_path: Path) -> None:
    """Edit after edit, each XLSX's record names its own sheets only, once each (nothing of the files
    it replaced is kept), and nothing besides the build records is written under .site-builder/."""
    out = tmp_path / "site"
    build(project, out)
    kept = sorted(p.relative_to(project).parts[:2] for p in (project / ".site-builder").rglob("*") if p.is_file())
    for value in (41, 42, 43):
        set_score(project, "2017-Q4", "czj", value)
        build(project, out)
        _, doc = _record(project, out)
        for target in (p for p in doc["files"] if p.endswith(".xlsx")):
            names = [n for n in zipfile.ZipFile(out / target).namelist() if n.startswith("xl/worksheets/")]
            assert [s[0] for s in _sheets_of(doc, target)] == names
    again = sorted(p.relative_to(project).parts[:2] for p in (project / ".site-builder").rglob("*") if p.is_file())
    assert set(again) == set(kept)  # the same folders: no store of pieces beside them
