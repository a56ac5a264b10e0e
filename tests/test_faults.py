"""The fault suite: real ``python -m site_builder build`` processes, real faults.

- ``kill -9`` at several moments of a build (timed, as soon as the write stage
  starts, and at fixed points of the write stage through a wrapper script that
  patches the writer in the child process only): the output is always one
  complete site — the old one byte-identical, or (killed after the swap) the
  new one — and the next build succeeds and removes the stale staging folder;
- a full disk (a small tmpfs mounted by the test when run as root);
- a read-only output (a read-only remount, ``chattr +i``, or ``chmod`` when
  not root);
- two builds at once into one output folder;
- a CRLF checkout (``git -c core.autocrlf=true clone``) builds byte-identical
  to the LF checkout;
- TZ, LANG and PYTHONHASHSEED variations build byte-identical sites.

The tests that need root skip with a reason when not root, except under
``CI=true`` (CI runs as root), where skipping would hide a broken promise.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
FIXTURE = REPO / "tests" / "site" / "fixtures" / "basic"
IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0
IN_CI = os.environ.get("CI", "").lower() == "true"


def need_root(why: str) -> None:
    if IS_ROOT:
        return
    if IN_CI:
        pytest.fail(f"must run as root under CI=true: {why}")
    pytest.skip(f"needs root: {why}")


def env(**extra: str) -> dict[str, str]:
    e = {k: v for k, v in os.environ.items() if k not in ("SOURCE_DATE_EPOCH", "PYTHONHASHSEED")}
    e.pop("CI", None)
    # wrapper scripts run from tmp_path: they must import this checkout's site_builder, not an installed one
    e["PYTHONPATH"] = os.pathsep.join(x for x in (str(REPO), e.get("PYTHONPATH", "")) if x)
    e.update(extra)
    return e


def build_cmd(root: Path, out: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "site_builder", "build", "--root", str(root), "--out", str(out), "--quiet", *extra]


def run_build(root: Path, out: Path, *extra: str, **envs: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        build_cmd(root, out, *extra), cwd=REPO, env=env(**envs), capture_output=True, text=True, timeout=300
    )


def tree(path: Path) -> dict[str, bytes]:
    return {
        p.relative_to(path).as_posix(): p.read_bytes() for p in sorted(path.rglob("*")) if p.is_file()
    }


def staging(parent: Path) -> list[str]:
    return sorted(p.name for p in parent.iterdir() if p.name.startswith(".site-"))


def assert_clean_failure(r: subprocess.CompletedProcess, *words: str) -> None:
    assert r.returncode == 1, (r.returncode, r.stdout, r.stderr)
    assert "Traceback" not in r.stderr + r.stdout, r.stderr
    assert "未写出任何文件" in r.stderr, r.stderr
    for w in words:
        assert w in r.stderr, (w, r.stderr)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    shutil.copytree(FIXTURE, root)
    return root


def retitle(root: Path, title: str) -> None:
    p = root / "site.yaml"
    lines = p.read_text("utf-8").splitlines()
    lines[0] = f"title: {title}"
    p.write_text("\n".join(lines) + "\n", "utf-8")


@pytest.fixture(scope="module")
def _reference(tmp_path_factory):
    """The fixture built (old), and built again after a change (new), once per module."""
    base = tmp_path_factory.mktemp("reference")
    root = base / "project"
    shutil.copytree(FIXTURE, root)
    r = run_build(root, base / "old")
    assert r.returncode == 0, r.stderr
    retitle(root, "改过标题的考核结果公示")
    r = run_build(root, base / "new")
    assert r.returncode == 0, r.stderr
    return base / "old", tree(base / "old"), tree(base / "new")


@pytest.fixture
def old_and_new(project: Path, tmp_path: Path, _reference):
    """A built site in ``pub/_site`` (old), the project changed since; and what it builds now (new).

    The site does not depend on where the project or the output is, so the
    reference builds are made once and the old site is copied into place.
    """
    old_site, old, new = _reference
    out = tmp_path / "pub" / "_site"
    shutil.copytree(old_site, out)
    assert tree(out) == old
    retitle(project, "改过标题的考核结果公示")
    assert old != new
    return project, out, old, new


# ------------------------------------------------------------------ kill -9


@pytest.mark.parametrize("after", [0.05, 0.2, 0.5, 0.9, 1.3])
def test_kill_9_at_a_moment(old_and_new, after):
    project, out, old, new = old_and_new
    proc = subprocess.Popen(build_cmd(project, out), cwd=REPO, env=env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(after)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=60)
    assert tree(out) in (old, new), "a killed build left a mix of two sites"
    r = run_build(project, out)
    assert r.returncode == 0, r.stderr
    assert tree(out) == new
    assert staging(out.parent) == [], "the next build removes stale staging"


def test_kill_9_as_soon_as_the_write_stage_starts(old_and_new):
    project, out, old, new = old_and_new
    proc = subprocess.Popen(build_cmd(project, out), cwd=REPO, env=env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while not staging(out.parent) and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.001)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=60)
    assert tree(out) in (old, new)
    r = run_build(project, out)
    assert r.returncode == 0, r.stderr
    assert tree(out) == new and staging(out.parent) == []


WRAPPER = '''
import os, signal, sys
from site_builder.site.output import stage, write

mode = sys.argv.pop(1)
die = lambda: os.kill(os.getpid(), signal.SIGKILL)
if mode.startswith("after-files-"):
    limit = int(mode.rsplit("-", 1)[1])
    count = [0]
    real_open = stage.Stage._open

    def dying_open(self, path):  # every file the write stage makes, fresh or in a refilled folder
        count[0] += 1
        if count[0] > limit:
            die()
        return real_open(self, path)

    stage.Stage._open = dying_open
elif mode == "before-swap":
    write._swap = lambda stage, out: die()
elif mode == "after-swap":
    real_swap = write._swap

    def swap_then_die(stage, out):
        real_swap(stage, out)
        die()

    write._swap = swap_then_die
elif mode == "slow-swap":
    import time

    real_swap = write._swap

    def slow_swap(stage, out):
        time.sleep(60)
        real_swap(stage, out)

    write._swap = slow_swap
elif mode == "before-staging":
    write._remove_stale_staging = lambda parent: die()
from site_builder.cli import main

main()
'''


@pytest.mark.parametrize(
    "mode", ["before-staging", "after-files-0", "after-files-1", "after-files-20", "before-swap", "after-swap"]
)
def test_kill_9_inside_the_write_stage(old_and_new, tmp_path, mode):
    project, out, old, new = old_and_new
    wrapper = tmp_path / "killer.py"
    wrapper.write_text(WRAPPER, "utf-8")
    cmd = [sys.executable, str(wrapper), mode, *build_cmd(project, out)[3:]]
    r = subprocess.run(cmd, cwd=REPO, env=env(), capture_output=True, text=True, timeout=300)
    assert r.returncode == -signal.SIGKILL, (r.returncode, r.stderr)
    if mode == "after-swap":
        assert tree(out) == new
        assert staging(out.parent), "the previous site is left in a staging folder"
    else:
        assert tree(out) == old, "the old site must be byte-identical"
        if mode != "before-staging":
            assert staging(out.parent), "the killed build's half-written staging folder"
    r = run_build(project, out)
    assert r.returncode == 0, r.stderr
    assert tree(out) == new
    assert staging(out.parent) == []


@pytest.mark.parametrize("mode", ["after-files-1", "after-files-20", "before-swap", "after-swap"])
def test_kill_9_while_refilling_the_site_before_the_last(project, tmp_path, mode):
    """With the cache on, the site before the last build is the staging folder (stage.py): a kill
    while it is refilled leaves the live site whole, and the next build makes the right site."""
    cached = env(XDG_CACHE_HOME=str(tmp_path / "xdg"))
    cached.pop("SITE_BUILDER_NO_CACHE", None)
    out = tmp_path / "pub" / "_site"
    for title in ("第一次的标题", "第二次的标题"):
        retitle(project, title)
        r = subprocess.run(build_cmd(project, out), cwd=REPO, env=cached, capture_output=True, text=True, timeout=300)
        assert r.returncode == 0, r.stderr
    prev = out.parent / ".site-prev-_site"
    assert prev.is_dir() and tree(prev) != tree(out)  # the first site, kept to be refilled
    old = tree(out)
    retitle(project, "第三次的标题")
    assert run_build(project, tmp_path / "clean").returncode == 0
    new = tree(tmp_path / "clean")
    wrapper = tmp_path / "killer.py"
    wrapper.write_text(WRAPPER, "utf-8")
    cmd = [sys.executable, str(wrapper), mode, *build_cmd(project, out)[3:]]
    r = subprocess.run(cmd, cwd=REPO, env=cached, capture_output=True, text=True, timeout=300)
    assert r.returncode == -signal.SIGKILL, (r.returncode, r.stderr)
    assert tree(out) == (new if mode == "after-swap" else old), "a killed build left a mix of two sites"
    assert not prev.exists() and staging(out.parent), "the folder being refilled is a stale staging folder now"
    r = subprocess.run(build_cmd(project, out), cwd=REPO, env=cached, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    assert tree(out) == new
    assert staging(out.parent) == [".site-prev-_site"]


def test_kill_9_of_the_build_holding_the_lock_lets_the_waiting_one_finish(old_and_new, tmp_path):
    project, out, old, new = old_and_new
    wrapper = tmp_path / "killer.py"
    wrapper.write_text(WRAPPER, "utf-8")
    holder = subprocess.Popen(
        [sys.executable, str(wrapper), "slow-swap", *build_cmd(project, out)[3:]],
        cwd=REPO, env=env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 120
        while not staging(out.parent) and time.monotonic() < deadline:
            time.sleep(0.01)
        assert staging(out.parent), "the first build reached its write stage"
        waiter = subprocess.Popen(build_cmd(project, out), cwd=REPO, env=env(), stderr=subprocess.PIPE, text=True)
        time.sleep(3)  # the second build has rendered and waits for the lock
        assert waiter.poll() is None, "the second build waits while the first one writes"
        assert tree(out) == old
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait(timeout=60)
    err = waiter.communicate(timeout=300)[1]
    assert waiter.returncode == 0, err
    assert tree(out) == new
    assert staging(out.parent) == [], "the waiting build removed the killed build's staging"


# ------------------------------------------------------------------ full disk


@contextmanager
def tmpfs(where: Path, size: str):
    where.mkdir(parents=True, exist_ok=True)
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(where)], capture_output=True, text=True)
    if r.returncode != 0:
        if IN_CI:
            pytest.fail(f"cannot mount a tmpfs under CI: {r.stderr}")
        pytest.skip(f"cannot mount a tmpfs here: {r.stderr.strip()}")
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], capture_output=True)


def fill(disk: Path, leave: int) -> None:
    """Fill the file system of ``disk`` up to ``leave`` bytes."""
    fd = os.open(disk / "filler", os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
    try:
        while os.write(fd, b"\0" * 4096):
            pass
    except OSError:
        pass
    finally:
        os.close(fd)
    size = (disk / "filler").stat().st_size
    os.truncate(disk / "filler", max(0, size - leave))


def test_full_disk(project, tmp_path):
    need_root("mounting a small tmpfs")
    with tmpfs(tmp_path / "disk", "2m") as disk:
        out = disk / "_site"
        r = run_build(project, out)
        assert r.returncode == 0, r.stderr
        old = tree(out)
        retitle(project, "改过标题的考核结果公示")
        fill(disk, 48 * 1024)  # room for a few files of the new site, not all
        r = run_build(project, out)
        assert_clean_failure(r, "写出网站失败", "No space left on device", "原有网站保持不变")
        assert str(disk) in r.stderr
        assert tree(out) == old
        assert staging(disk) == []
        (disk / "filler").unlink()
        r = run_build(project, out)
        assert r.returncode == 0, r.stderr
        assert "改过标题" in (out / "index.html").read_text("utf-8")


def test_full_disk_from_the_first_byte(project, tmp_path):
    need_root("mounting a small tmpfs")
    with tmpfs(tmp_path / "disk", "64k") as disk:
        out = disk / "_site"
        fill(disk, 0)
        r = run_build(project, out)
        assert_clean_failure(r, "No space left on device")
        assert not out.exists() and staging(disk) == []


# ------------------------------------------------------------------ read-only


def test_read_only_mount(project, tmp_path):
    need_root("remounting a tmpfs read-only")
    with tmpfs(tmp_path / "disk", "4m") as disk:
        out = disk / "_site"
        r = run_build(project, out)
        assert r.returncode == 0, r.stderr
        old = tree(out)
        retitle(project, "改过标题的考核结果公示")
        subprocess.run(["mount", "-o", "remount,ro", str(disk)], check=True)
        r = run_build(project, out)
        assert_clean_failure(r, f"{disk}: 输出位置 {disk} 不可写（只读文件系统）")
        assert tree(out) == old
        subprocess.run(["mount", "-o", "remount,rw", str(disk)], check=True)
        assert run_build(project, out).returncode == 0


def test_output_folder_that_is_a_mount_point(project, tmp_path):
    need_root("mounting a tmpfs as the output folder")
    with tmpfs(tmp_path / "_site", "4m") as out:
        (out / "keep.txt").write_bytes(b"x")  # the build must not touch it
        r = run_build(project, out)
        assert r.returncode == 1 and "Traceback" not in r.stderr
        with tmpfs(out, "4m"):  # an empty mount point
            r = run_build(project, out)
            assert_clean_failure(r, f"{out}: 输出目录 {out} 是一个挂载点，无法整体替换")
            assert list(out.iterdir()) == []
        assert (out / "keep.txt").read_bytes() == b"x"


def test_immutable_output_folder(project, tmp_path):
    need_root("chattr +i")
    if shutil.which("chattr") is None:
        pytest.skip("no chattr on this system")
    out = tmp_path / "pub" / "_site"
    assert run_build(project, out).returncode == 0
    old = tree(out)
    r = subprocess.run(["chattr", "+i", str(out)], capture_output=True, text=True)
    if r.returncode != 0:
        pytest.skip(f"the file system does not support chattr +i: {r.stderr.strip()}")
    try:
        retitle(project, "改过标题的考核结果公示")
        r = run_build(project, out)
        assert_clean_failure(r, f"{out}: 输出位置 {out} 不可写")
        assert tree(out) == old
    finally:
        subprocess.run(["chattr", "-i", str(out)], check=True)
    assert run_build(project, out).returncode == 0


def test_read_only_permissions(project, tmp_path):
    if IS_ROOT:
        pytest.skip("root ignores permissions: covered by the read-only mount and chattr +i")
    out = tmp_path / "pub" / "_site"
    assert run_build(project, out).returncode == 0
    old = tree(out)
    out.parent.chmod(0o555)
    try:
        r = run_build(project, out)
        assert_clean_failure(r, "不可写（没有写入权限）")
        assert tree(out) == old
    finally:
        out.parent.chmod(0o755)


# ------------------------------------------------------------ two at once


def test_two_builds_at_once_into_one_output(tmp_path):
    """Two projects (different titles) build into one folder at once, three times over."""
    a, b = tmp_path / "a", tmp_path / "b"
    shutil.copytree(FIXTURE, a)
    shutil.copytree(FIXTURE, b)
    retitle(b, "乙县考核结果公示")
    refs = []
    for root in (a, b):
        assert run_build(root, tmp_path / f"ref-{root.name}").returncode == 0
        refs.append(tree(tmp_path / f"ref-{root.name}"))
    out = tmp_path / "shared" / "_site"
    for _round in range(3):
        procs = [
            subprocess.Popen(build_cmd(root, out), cwd=REPO, env=env(), stderr=subprocess.PIPE, text=True)
            for root in (a, b)
        ]
        errors = [p.communicate(timeout=300)[1] for p in procs]
        results = [(p.returncode, err) for p, err in zip(procs, errors, strict=True)]
        for code, err in results:
            assert "Traceback" not in err
            assert code == 0 or (code == 1 and "另一个构建正在写入" in err), err
        assert any(code == 0 for code, _ in results)
        assert tree(out) in refs, "the output is one complete site, never a mix"
        assert staging(out.parent) == []


def test_a_build_waiting_for_the_lock_gives_up_cleanly(project, tmp_path):
    import fcntl

    out = tmp_path / "pub" / "_site"
    assert run_build(project, out).returncode == 0
    old = tree(out)
    wrapper = tmp_path / "impatient.py"
    wrapper.write_text(
        "from site_builder.site.output import write\nwrite.LOCK_WAIT = 0.5\n"
        "from site_builder.cli import main\nmain()\n",
        "utf-8",
    )
    fd = os.open(out.parent, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)  # another build is writing
        r = subprocess.run(
            [sys.executable, str(wrapper), *build_cmd(project, out)[3:]],
            cwd=REPO, env=env(), capture_output=True, text=True, timeout=300,
        )
    finally:
        os.close(fd)
    assert_clean_failure(r, f"{out.parent}: 另一个构建正在写入 {out.parent}", "原有网站保持不变")
    assert tree(out) == old and staging(out.parent) == []
    assert run_build(project, out).returncode == 0


# ------------------------------------------------------------------ CRLF


def git(*args: str, cwd: Path) -> None:
    e = env(GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@example.cn", GIT_COMMITTER_NAME="t",
            GIT_COMMITTER_EMAIL="t@example.cn", GIT_AUTHOR_DATE="2018-01-01T00:00:00+08:00",
            GIT_COMMITTER_DATE="2018-01-01T00:00:00+08:00")
    subprocess.run(["git", "-c", "init.defaultBranch=main", "-c", "core.autocrlf=false", *args],
                   cwd=cwd, env=e, check=True, capture_output=True)


def test_crlf_checkout_builds_the_same_site(tmp_path):
    if shutil.which("git") is None:
        pytest.skip("no git")
    origin = tmp_path / "origin"
    shutil.copytree(FIXTURE, origin)
    git("init", "-q", cwd=origin)
    git("add", "-A", cwd=origin)
    git("commit", "-q", "-m", "fixture", cwd=origin)
    lf, crlf = tmp_path / "lf", tmp_path / "crlf"
    subprocess.run(["git", "-c", "core.autocrlf=false", "clone", "-q", str(origin), str(lf)], check=True, env=env())
    subprocess.run(["git", "-c", "core.autocrlf=true", "clone", "-q", str(origin), str(crlf)], check=True, env=env())
    assert b"\r\n" in (crlf / "site.yaml").read_bytes(), "the clone really has CRLF line endings"
    assert b"\r\n" not in (lf / "site.yaml").read_bytes()
    r1 = run_build(lf, tmp_path / "out-lf")
    r2 = run_build(crlf, tmp_path / "out-crlf")
    assert r1.returncode == 0, r1.stderr
    assert r2.returncode == 0, r2.stderr
    a, b = tree(tmp_path / "out-lf"), tree(tmp_path / "out-crlf")
    assert sorted(a) == sorted(b)
    assert [p for p in a if a[p] != b[p]] == []


# ------------------------------------------------------- environment variations

VARIATIONS = [
    {"TZ": "UTC", "LANG": "C", "LC_ALL": "C", "PYTHONHASHSEED": "0"},
    {"TZ": "Asia/Shanghai", "LANG": "C", "LC_ALL": "C", "PYTHONHASHSEED": "0"},
    {"TZ": "America/Los_Angeles", "LANG": "C", "LC_ALL": "C", "PYTHONHASHSEED": "0"},
    {"TZ": "UTC", "LANG": "zh_CN.UTF-8", "LC_ALL": "zh_CN.UTF-8", "PYTHONHASHSEED": "0"},
    {"TZ": "UTC", "LANG": "en_US.UTF-8", "LC_ALL": "en_US.UTF-8", "PYTHONHASHSEED": "0"},
    {"TZ": "UTC", "LANG": "C", "LC_ALL": "C", "PYTHONHASHSEED": "1"},
    {"TZ": "UTC", "LANG": "C", "LC_ALL": "C", "PYTHONHASHSEED": "random"},
    {"TZ": "America/Los_Angeles", "LANG": "zh_CN.UTF-8", "LC_ALL": "zh_CN.UTF-8", "PYTHONHASHSEED": "random"},
    {"TZ": "Asia/Shanghai", "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8", "PYTHONHASHSEED": "12345"},
    {"TZ": "Pacific/Kiritimati", "LANG": "POSIX", "LC_ALL": "POSIX", "PYTHONHASHSEED": "random"},
]
# A locale that is not installed leaves Python with an ASCII locale: harsher
# than the real one, so the variation is meaningful either way.


@pytest.mark.parametrize("epoch", [None, "1509467400"])  # 2017-10-31T16:30Z = 2017-11-01 in Shanghai
def test_environment_variations_build_byte_identical(project, tmp_path, epoch):
    sites = []
    # with SOURCE_DATE_EPOCH the time zones matter most: UTC, UTC-8 and UTC+14
    variations = VARIATIONS if epoch is None else [VARIATIONS[0], VARIATIONS[2], VARIATIONS[-1]]
    for n, variation in enumerate(variations):
        extra = dict(variation)
        if epoch:
            extra["SOURCE_DATE_EPOCH"] = epoch
        out = tmp_path / f"out{n}"
        r = run_build(project, out, **extra)
        assert r.returncode == 0, (variation, r.stderr)
        sites.append(tree(out))
    for variation, site in zip(variations[1:], sites[1:], strict=True):
        assert sorted(site) == sorted(sites[0]), variation
        assert [p for p in site if site[p] != sites[0][p]] == [], variation
    if epoch:
        assert not (tmp_path / "out0/notices/xiaoneng/2017-Q4").exists()  # dated 2018-01-15: not yet
        assert (tmp_path / "out0/notices/xiaoneng/2017-Q3/index.html").is_file()
