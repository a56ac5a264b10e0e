"""A period's score cards form a batch (site_builder/site/output/reuse.py ``_batch``, ``Route.batch``): when
the period's part (site, the period's file, its results and the last period's, the notice's versions) is
the one the last build recorded for the batch, each card takes the key recorded for it without its own
pre-key being made, and is linked.  A change the batch covers makes every card's pre-key again.

The fixture (tests/site/fixtures/basic) has three periods of scheme xiaoneng, 2017-Q3, 2017-Q4 and 2018-Q1,
five units with a card in each.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from site_builder.site.output import reuse
from tests.test_incremental import build, cache_on, clean_build, files, make_project, set_score
from tests.test_reuse_record import _record

PERIODS = ("2017-Q3", "2017-Q4", "2018-Q1")


def _card(unit: str, period: str) -> str:
    return f"units/{unit}/xiaoneng/{period}/index.html"


@pytest.fixture
def project(tmp_path: Path):
    with cache_on(tmp_path):
        yield make_project(tmp_path)


@pytest.fixture
def prekeyed(monkeypatch) -> Counter:
    """How many cards' own pre-keys were made, by period (the pre-keys not checked against full keys)."""
    from site_builder.site.pages import scorecard

    got: Counter = Counter()
    real = scorecard._card_prekey

    def counted(figures, uid):
        got[figures().period.id] += 1
        return real(figures, uid)

    monkeypatch.setattr(scorecard, "_card_prekey", counted)
    monkeypatch.delenv(reuse.CHECK_ENV, raising=False)
    return got


def test_the_record_holds_one_batch_key_per_periods_cards(project: Path, tmp_path: Path) -> None:
    out = tmp_path / "site"
    build(project, out)
    doc = _record(project, out)
    assert sorted(doc["batches"]) == [f"cards xiaoneng/{p}" for p in PERIODS]
    for p in PERIODS:
        key, entries, paths = doc["batches"][f"cards xiaoneng/{p}"]
        assert len(key) == 64 and len(entries) == 64
        assert paths == sorted(_card(u, p) for u in ("czj", "fgw", "jyj", "sjj", "wjw"))
    # every card keeps its own pre-key in the record (a matched batch hands it on)
    assert all(doc["files"][_card("fgw", p)][6] for p in PERIODS)


def test_an_edit_in_the_last_period_makes_no_pre_key_of_the_earlier_periods_cards(
        project: Path, tmp_path: Path, prekeyed: Counter) -> None:
    out, clean = tmp_path / "site", tmp_path / "clean"
    build(project, out)
    assert prekeyed == Counter({p: 5 for p in PERIODS})  # a first build: every card's pre-key
    inode = {p: (out / p).stat().st_ino for p in files(out)}
    before = _record(project, out)

    prekeyed.clear()
    set_score(project, "2018-Q1", "fgw", 49)
    build(project, out)
    # the cards of 2017-Q3 and 2017-Q4: one batch key each, no card's pre-key; linked as they lay
    assert prekeyed == Counter({"2018-Q1": 5})
    for unit in ("fgw", "czj", "sjj", "jyj", "wjw"):
        for period in ("2017-Q3", "2017-Q4"):
            assert (out / _card(unit, period)).stat().st_ino == inode[_card(unit, period)], (unit, period)
    after = _record(project, out)
    for period in ("2017-Q3", "2017-Q4"):
        name = f"cards xiaoneng/{period}"
        assert after["batches"][name] == before["batches"][name]
        # the keys and pre-keys handed on are the recorded ones
        assert after["files"][_card("czj", period)][0] == before["files"][_card("czj", period)][0]
        assert after["files"][_card("czj", period)][6] == before["files"][_card("czj", period)][6]
    assert after["batches"]["cards xiaoneng/2018-Q1"] != before["batches"]["cards xiaoneng/2018-Q1"]
    clean_build(project, clean)
    assert files(out) == files(clean)

    # the next build, nothing changed: no card's pre-key at all
    prekeyed.clear()
    build(project, out)
    assert prekeyed == Counter()
    assert files(out) == files(clean)


def test_an_edit_the_batch_covers_makes_the_cards_pre_keys_and_the_changed_cards(
        project: Path, tmp_path: Path, prekeyed: Counter) -> None:
    out, clean = tmp_path / "site", tmp_path / "clean"
    build(project, out)
    old = files(out)
    prekeyed.clear()
    # sjj in 2017-Q3: that period's results change, and 2017-Q4's previous period (and whatever later
    # results carry forward): every card of both has its pre-key made again
    set_score(project, "2017-Q3", "sjj", 49)
    build(project, out)
    assert prekeyed["2017-Q3"] == 5 and prekeyed["2017-Q4"] == 5
    new = files(out)
    assert new[_card("sjj", "2017-Q3")] != old[_card("sjj", "2017-Q3")]
    assert "49" in new[_card("sjj", "2017-Q3")].decode()
    clean_build(project, clean)
    assert new == files(clean)


def test_a_batch_key_that_misses_an_input_stops_the_build_under_the_check(
        project: Path, tmp_path: Path, monkeypatch) -> None:
    """The tests' check (``SITE_BUILDER_CHECK_PREKEYS``): a card whose batch matched while its own pre-key
    changed is a bug in the batch key, never a stale card."""
    monkeypatch.setenv(reuse.CHECK_ENV, "1")
    from site_builder.site.pages import scorecard

    monkeypatch.setattr(scorecard, "_cards_batch", lambda data, period: "the same whatever changes")
    out = tmp_path / "site"
    build(project, out)
    set_score(project, "2017-Q3", "sjj", 49)
    with pytest.raises(AssertionError, match="batch"):
        build(project, out)


def test_a_batch_whose_routes_gave_two_keys_is_not_recorded(project: Path, tmp_path: Path) -> None:
    out = tmp_path / "site"
    build(project, out)
    doc = _record(project, out)
    keys = reuse.Keys(build=doc["build"])
    hashes = {}
    for path, rec in doc["files"].items():
        batch = None
        if path == _card("fgw", "2017-Q3"):
            batch = ("cards xiaoneng/2017-Q3", "a" * 64)
        elif path == _card("czj", "2017-Q3"):
            batch = ("cards xiaoneng/2017-Q3", "b" * 64)
        elif path == _card("fgw", "2017-Q4"):
            batch = ("cards xiaoneng/2017-Q4", "c" * 64)
        keys.files[path] = (reuse.Keyed(rec[0], rec[6], rec[8], batch), rec[7])
        hashes[path] = (rec[1], rec[2])
    reuse.save(project, out, keys, hashes)
    got = _record(project, out)["batches"]
    assert list(got) == ["cards xiaoneng/2017-Q4"]
    assert got["cards xiaoneng/2017-Q4"][0] == "c" * 64 and got["cards xiaoneng/2017-Q4"][2] == [_card("fgw", "2017-Q4")]


def test_a_batch_is_trusted_only_with_the_entries_it_was_recorded_with(
        project: Path, tmp_path: Path, prekeyed: Counter) -> None:
    """An entry of a card altered in the record (another pre-key, its key with it, the file as the entry
    says) leaves its batch untrusted: every card of the period has its pre-key made, the altered one is
    made, and the site is the clean build's."""
    from tests.test_reuse_record import _sign

    out, clean = tmp_path / "site", tmp_path / "clean"
    build(project, out)
    doc = _record(project, out)
    card = _card("czj", "2017-Q4")
    (out / card).write_bytes(b"stale")
    st = (out / card).stat()
    rec = doc["files"][card]
    rec[2:6] = [st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino]
    rec[6] = "0" * 64
    rec[0] = reuse.PRE + rec[6]
    _sign(project, out, doc)
    prekeyed.clear()
    build(project, out)
    assert prekeyed == Counter({"2017-Q4": 5})
    clean_build(project, clean)
    assert files(out) == files(clean)
