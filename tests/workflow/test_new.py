"""``site-builder new site`` and ``site-builder new period``, and drafts with empty facts."""

from __future__ import annotations

import json
import os
import re
import shutil
import tomllib
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from site_builder.cli import main
from site_builder.jsonschema import KINDS, render

FIXTURE = Path(__file__).resolve().parents[1] / "site" / "fixtures" / "basic"
Q2 = "scores/xiaoneng/2026-Q2.yaml"
# the leaves of the new site's scheme a period file must list (per-occurrence ones are left out)
TO_FILL = ["zhongdian", "fuwu", "zhengwu"]
UNITS = ["bumen-1", "bumen-2", "bumen-3", "bumen-4", "xiangzhen-1", "xiangzhen-2", "xiangzhen-3"]


def run(*args: str, env: dict | None = None):
    result = CliRunner().invoke(main, list(args), env={"SOURCE_DATE_EPOCH": None, **(env or {})})
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert "Traceback" not in result.output
    return result


def files_of(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def site_template(tmp_path_factory) -> Path:
    """One new site, made once; tests copy it."""
    root = tmp_path_factory.mktemp("template") / "kaohe"
    r = run("new", "site", str(root), "--year", "2026", "--title", "测试县考核结果公示", "--organisation", "测试县考核办")
    assert r.exit_code == 0, r.output
    return root


@pytest.fixture
def site(site_template, tmp_path) -> Path:
    root = tmp_path / "kaohe"
    shutil.copytree(site_template, root)
    return root


# ------------------------------------------------------------------ new site


def test_new_site_prints_what_it_made_and_the_next_steps(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    root = tmp_path / "kaohe"
    r = run("new", "site", "kaohe", "--year", "2026")
    assert r.exit_code == 0, r.output
    out = r.output
    assert out.startswith(f"已创建网站项目 {root}（")
    assert "  cd kaohe\n" in out
    assert "修改 site.yaml 中标有【请填写】的网站标题、发布机关和异议受理联系方式" in out
    assert "site-builder new period xiaoneng 2026-Q2" in out
    assert "site-builder sheet xiaoneng 2026-Q2" in out
    assert oct(root.stat().st_mode & 0o777) != oct(0o700), "the project folder must not stay private like a temp dir"
    # nothing but the project was written beside it
    assert sorted(p.name for p in tmp_path.iterdir()) == ["kaohe"]


def test_new_site_files(site):
    files = files_of(site)
    expected = {
        "site.yaml", "units/units.yaml", "schemes/xiaoneng/2026.yaml", "scores/xiaoneng/2026-Q1.yaml",
        "content/notices/xiaoneng/2026-Q1.md", "netlify.toml", ".github/workflows/pages.yml",
        ".github/workflows/netlify-daily.yml", ".gitattributes", ".gitignore", ".vscode/settings.json",
        "README.md", "requirements.txt", *(f"schema/{k}.schema.json" for k in KINDS),
    }
    assert set(files) == expected
    assert not (site / "published.lock").exists() and not (site / "published").exists()
    for kind in KINDS:  # the schemas of this version of the tool
        assert files[f"schema/{kind}.schema.json"].decode("utf-8") == render(kind)
    text = files["site.yaml"].decode("utf-8")
    assert "title: 测试县考核结果公示  #" in text
    assert "organisation: 测试县考核办  #" in text
    assert "\nsample: false\n" in text
    assert text.startswith("# yaml-language-server: $schema=schema/site.schema.json\n")
    scheme = yaml.safe_load(files["schemes/xiaoneng/2026.yaml"])
    assert scheme["issuer"] == "测试县考核办"
    kinds = {leaf["rule"]["kind"] for ind in scheme["indicators"] for leaf in ind.get("children", [ind])}
    assert kinds == {"assessed", "levels", "per_occurrence", "recognition"}
    assert scheme["honours"][0]["select"]["share"] == 0.3
    period = yaml.safe_load(files["scores/xiaoneng/2026-Q1.yaml"])
    assert period["status"] == "draft" and "notice" not in period
    assert sorted(period["units"]) == sorted(UNITS)
    assert "{{" not in "".join(v.decode("utf-8") for k, v in files.items() if not k.endswith(".yml"))
    req = files["requirements.txt"].decode("utf-8")
    from site_builder import __version__

    assert f"\nsite-builder=={__version__}\n" in req


def test_new_site_deploys_daily_with_as_of_today(site):
    netlify = tomllib.loads((site / "netlify.toml").read_text("utf-8"))
    assert netlify["build"]["publish"] == "_site"
    assert netlify["build"]["command"] == (
        "pip install -r requirements.txt && site-builder check && site-builder build --as-of today"
    )
    pages = yaml.safe_load((site / ".github/workflows/pages.yml").read_text("utf-8"))
    on = pages[True]  # PyYAML reads the key `on` as a boolean
    assert on["schedule"] == [{"cron": "5 16 * * *"}]
    steps = [s.get("run") for s in pages["jobs"]["build"]["steps"]]
    assert "site-builder build --as-of today" in steps
    assert "pip install -r requirements.txt" in steps
    daily = yaml.safe_load((site / ".github/workflows/netlify-daily.yml").read_text("utf-8"))
    assert daily[True]["schedule"] == [{"cron": "5 16 * * *"}]
    settings = json.loads((site / ".vscode/settings.json").read_text("utf-8"))
    assert settings["yaml.schemas"]["./schema/scores.schema.json"] == ["scores/**/*.yaml", "scores/**/*.yml"]
    for target in settings["yaml.schemas"]:
        assert (site / target).is_file()
    attributes = (site / ".gitattributes").read_text("utf-8").splitlines()
    assert {"* text=auto", "published/** -text", "published.lock -text"} <= set(attributes)
    assert "/_site/" in (site / ".gitignore").read_text("utf-8").splitlines()


def test_new_site_checks_and_builds(site):
    r = run("check", "--root", str(site))
    assert r.exit_code == 0, r.output
    assert "检查通过：1 个方案，1 个考核期文件，7 条单位结果。" in r.output
    r = run("build", "--root", str(site), "--as-of", "2026-12-01", "--quiet")
    assert r.exit_code == 0, r.output
    out = site / "_site"
    for page in ("index.html", "schemes/xiaoneng/2026/index.html", "units/bumen-1/index.html",
                 "groups/xiaoneng/bumen/index.html"):
        assert (out / page).is_file(), page
    index = (out / "index.html").read_text("utf-8")
    assert "测试县考核结果公示" in index
    scheme_page = (out / "schemes/xiaoneng/2026/index.html").read_text("utf-8")
    assert "上班时间脱岗、串岗、办私事的，每发现一次扣2分，扣分不超过10分。" in scheme_page
    assert not (out / "notices").exists() or not list((out / "notices").rglob("*.html")), "a draft is not published"
    assert not (out / "units/bumen-1/xiaoneng/2026-Q1").exists()
    r = run("build", "--root", str(site), "--as-of", "2026-12-01", "--quiet", "--preview", "--out", "_preview")
    assert r.exit_code == 0, r.output
    card = (site / "_preview/units/bumen-1/xiaoneng/2026-Q1/index.html").read_text("utf-8")
    assert "示例局一" in card and "36.5" in card


def test_new_site_refuses_a_folder_that_is_not_empty(tmp_path):
    root = tmp_path / "kaohe"
    root.mkdir()
    (root / "笔记.txt").write_text("已有的文件", "utf-8")
    before = files_of(tmp_path)
    r = run("new", "site", str(root))
    assert r.exit_code == 1
    assert f"文件夹 {root} 不是空的（已有 笔记.txt） — 请换一个新的文件夹名" in r.output
    assert "共 1 个错误；未写出任何文件。" in r.output
    assert files_of(tmp_path) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["kaohe"]  # no staging folder left


def test_new_site_into_an_empty_folder(tmp_path):
    root = tmp_path / "kaohe"
    root.mkdir()
    inode = root.stat().st_ino
    r = run("new", "site", str(root), "--year", "2025")
    assert r.exit_code == 0, r.output
    assert (root / "schemes/xiaoneng/2025.yaml").is_file()
    assert root.stat().st_ino == inode  # the same folder (it may be the shell's current one), filled
    assert sorted(p.name for p in tmp_path.iterdir()) == ["kaohe"]


def test_new_site_in_the_current_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    r = run("new", "site", ".", "--year", "2026")
    assert r.exit_code == 0, r.output
    assert Path("site.yaml").is_file() and Path(".vscode/settings.json").is_file()
    assert "cd " not in r.output  # already there
    assert run("check").exit_code == 0


def test_new_site_refuses_bad_options_and_writes_nothing(tmp_path):
    r = run("new", "site", str(tmp_path / "a"), "--title", "  ", "--organisation", "甲\n乙", "--year", "1999")
    assert r.exit_code == 1
    assert "--title 不能用：是空的" in r.output
    assert "--organisation 不能用：含有换行或不可见字符" in r.output
    assert "年度“1999”不对 — 请写四位数的年份，如 --year 2026" in r.output
    assert "共 3 个错误；未写出任何文件。" in r.output
    assert list(tmp_path.iterdir()) == []
    r = run("new", "site", str(tmp_path / "no" / "such" / "place"))
    assert r.exit_code == 1 and "上级文件夹" in r.output and "不存在" in r.output
    assert list(tmp_path.iterdir()) == []


def test_new_site_title_that_needs_quotes_is_read_back_exactly(tmp_path):
    from site_builder.errors import Problems
    from site_builder.pipeline import load_project

    title = '县"效能"考核: 2026 # 公示'
    root = tmp_path / "kaohe"
    r = run("new", "site", str(root), "--title", title, "--organisation", "yes")
    assert r.exit_code == 0, r.output
    project = load_project(root, Problems())
    assert project.site.title == title
    assert project.site.organisation == "yes"


def test_new_site_in_english(tmp_path):
    r = run("new", "site", str(tmp_path / "k"), "--year", "2026", "--lang", "en")
    assert r.exit_code == 0, r.output
    assert f"Next:\n  cd {tmp_path / 'k'}\n" in r.output  # outside the current folder: the full path
    assert "site-builder new period xiaoneng 2026-Q2" in r.output


# ------------------------------------------------------------------ new period


def test_new_period_lists_every_unit_and_every_value_to_fill(site):
    r = run("new", "period", "xiaoneng", "2026-Q2", "--root", str(site))
    assert r.exit_code == 0, r.output
    assert r.output.startswith(
        f"已创建 {Q2}：2026年第二季度，按方案版本 2026 计分，7 个单位，共 21 项待填写（草稿 status: draft，不会发布）。\n"
        "按次计分的项目（工作纪律、创新加分）没有列出：哪个单位发生了，再在它的 facts 下加一行。\n"
    )
    assert "site-builder sheet xiaoneng 2026-Q2" in r.output
    text = (site / Q2).read_text("utf-8")
    assert text.startswith("# yaml-language-server: $schema=../../schema/scores.schema.json\n")
    assert (
        "# 下面标“按次计分”的项目没有列出：没有发生就不用写；哪个单位发生了，\n"
        "# 再在它的 facts 下加一行写次数，如 jilv: 1\n"
        "# 各项的含义：\n"
        "#     zhongdian  重点工作推进，满分40\n"
        "#     fuwu       服务质量，满分20，等次：好、较好、一般、差\n"
        "#     zhengwu    政务公开，满分20\n"
        "#     jilv       工作纪律，满分20（按次计分：发生了才写）\n"
        "#     jiafen     创新加分，满分3（按次计分：发生了才写）\n"
        "scheme: xiaoneng\n"
    ) in text
    data = yaml.safe_load(text)
    assert {k: data[k] for k in ("scheme", "version", "period", "status")} == {
        "scheme": "xiaoneng", "version": "2026", "period": "2026-Q2", "status": "draft"}
    assert "notice" not in data and "public_notice" not in data
    # every unit of every group of the scheme, in the scheme's order, each with every value empty
    scheme = yaml.safe_load((site / "schemes/xiaoneng/2026.yaml").read_text("utf-8"))
    in_groups = [u for g in scheme["groups"] for u in g["units"]]
    assert list(data["units"]) == in_groups == UNITS
    for uid in UNITS:
        assert data["units"][uid] == {"facts": dict.fromkeys(TO_FILL)}
    # the comments a clerk reads: group headings, unit names, what each value is
    assert "  # 部门组（4 个单位）\n  bumen-1:  # 示例局一\n" in text
    assert "  # 乡镇组（3 个单位）\n  xiangzhen-1:  # 示例镇一\n" in text
    assert "  bumen-1:  # 示例局一\n    facts:\n      zhongdian:\n      fuwu:\n      zhengwu:\n  bumen-2:" in text
    assert 'version: "2026"\n' in text


def test_new_period_then_check_warns_once_and_does_not_compute_the_draft(site):
    assert run("new", "period", "xiaoneng", "2026-Q2", "--root", str(site)).exit_code == 0
    r = run("check", "--root", str(site))
    assert r.exit_code == 0, r.output
    assert (
        f"{Q2}: 警告：草稿尚有 21 项未填写（第一处 {Q2}:21:17），本期暂不计算、不在预览中显示"
        " — 填写完整后再运行 site-builder check；发布公示或通报前必须全部填写（不适用的写 na）"
    ) in r.output
    assert r.output.count("草稿尚有") == 1
    assert "检查通过：1 个方案，1 个考核期文件（另有 1 个草稿尚未填完，未计算），7 条单位结果。" in r.output  # 2026-Q1 only
    r = run("build", "--root", str(site), "--as-of", "2026-12-01", "--preview", "--quiet")
    assert r.exit_code == 0, r.output
    assert (site / "_site/units/bumen-1/xiaoneng/2026-Q1/index.html").is_file()
    assert not (site / "_site/units/bumen-1/xiaoneng/2026-Q2").exists()


def _fill(text: str, values: dict[str, str], skip: int = 0) -> str:
    """Fill every empty ``key:`` line (its hint comment dropped) but the last ``skip`` ones."""
    lines = text.split("\n")
    empty = [i for i, ln in enumerate(lines) if re.match(r"^      ([a-z]+):$", ln)]
    for i in empty[: len(empty) - skip]:
        key = lines[i].split(":")[0].strip()
        lines[i] = f"      {key}: {values[key]}"
    return "\n".join(lines)


VALUES = {"zhongdian": "35.5", "fuwu": "较好", "zhengwu": "18"}


def test_a_partly_filled_draft_names_the_first_empty_value(site):
    assert run("new", "period", "xiaoneng", "2026-Q2", "--root", str(site)).exit_code == 0
    path = site / Q2
    path.write_text(_fill(path.read_text("utf-8"), VALUES, skip=2), "utf-8")
    r = run("check", "--root", str(site))
    assert r.exit_code == 0, r.output
    # the last unit (xiangzhen-3) still misses fuwu and zhengwu, the last two lines
    lines = path.read_text("utf-8").split("\n")
    assert lines[-3:] == ["      fuwu:", "      zhengwu:", ""]
    assert f"{Q2}: 警告：草稿尚有 2 项未填写（第一处 {Q2}:{len(lines) - 2}:12）" in r.output


def test_filled_and_published_period_passes_check(site):
    assert run("new", "period", "xiaoneng", "2026-Q2", "--root", str(site)).exit_code == 0
    path = site / Q2
    text = _fill(path.read_text("utf-8"), VALUES)
    text = text.replace("status: draft\n", "status: published\nnotice:\n  number: 测考办〔2026〕8号\n  date: 2026-07-10\n")
    path.write_text(text, "utf-8")
    r = run("check", "--root", str(site))
    assert r.exit_code == 0, r.output
    assert "草稿尚有" not in r.output
    assert "检查通过：1 个方案，2 个考核期文件，14 条单位结果。" in r.output
    r = run("build", "--root", str(site), "--as-of", "2026-12-01", "--quiet")
    assert r.exit_code == 0, r.output
    assert (site / "_site/notices/xiaoneng/2026-Q2/index.html").is_file()


def test_empty_values_in_a_notice_are_errors_at_their_place(site):
    assert run("new", "period", "xiaoneng", "2026-Q2", "--root", str(site)).exit_code == 0
    path = site / Q2
    text = _fill(path.read_text("utf-8"), VALUES, skip=1)
    text = text.replace("status: draft\n", "status: public_notice\nnotice: {number: 测考办〔2026〕8号, date: 2026-07-10}\n"
                        "public_notice: {from: 2026-07-10, until: 2026-07-16}\n")
    path.write_text(text, "utf-8")
    before = files_of(site)
    for command in (["check"], ["build", "--as-of", "2026-12-01", "--quiet"]):
        r = run(*command, "--root", str(site))
        assert r.exit_code == 1
        line = next(i for i, ln in enumerate(text.split("\n"), 1) if ln == "      zhengwu:")
        assert (
            f"{Q2}:{line}:15: 单位“xiangzhen-3”的“政务公开”（zhengwu）未填写 — 请填写记录；本项不适用（方案允许时）写 na"
        ) in r.output
        assert "草稿尚有" not in r.output
    assert files_of(site) == before


def test_new_period_refuses_to_overwrite(site):
    assert run("new", "period", "xiaoneng", "2026-Q2", "--root", str(site)).exit_code == 0
    (site / Q2).write_text((site / Q2).read_text("utf-8").replace("zhongdian:\n", "zhongdian: 30\n", 1), "utf-8")
    before = files_of(site)
    r = run("new", "period", "xiaoneng", "2026-Q2", "--root", str(site))
    assert r.exit_code == 1
    assert r.output.startswith(f"{Q2}: 考核期 2026-Q2 已有记录文件 {Q2} — 不能覆盖")
    assert files_of(site) == before


@pytest.mark.parametrize("name", ["2026-Q2 - 副本.yaml", "第二季度.yaml"])
def test_new_period_refuses_a_copy_under_another_name(site, name):
    assert run("new", "period", "xiaoneng", "2026-Q2", "--root", str(site)).exit_code == 0
    os.rename(site / Q2, site / "scores/xiaoneng" / name)
    before = files_of(site)
    r = run("new", "period", "xiaoneng", "2026-Q2", "--root", str(site))
    assert r.exit_code == 1
    assert f"scores/xiaoneng/{name}: 考核期 2026-Q2 已有记录文件 scores/xiaoneng/{name}" in r.output
    assert files_of(site) == before


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["xiaonen", "2026-Q2"], "方案“xiaonen”不存在，是不是“xiaoneng”？ — 已有方案：xiaoneng"),
        (["xiaoneng", "2026-13"], "考核期“2026-13”不符合方案“xiaoneng”的考核周期（quarter） — 请写成如 2017-Q3 的形式"),
        (["xiaoneng", "2027-Q1"], "考核期 2027-Q1（2027-01-01 至 2027-03-31）不在方案“xiaoneng”任何版本的有效期内"
                                  "（2026：2026-01-01 至 2026-12-31） — 请核对考核期；新年度请先增加新的方案版本文件"),
        (["xiaoneng", "2026-Q2", "--version", "2025"], "方案“xiaoneng”没有版本“2025”，是不是“2026”？ — 已有版本：2026"),
    ],
)
def test_new_period_refusals(site, args, message):
    before = files_of(site)
    r = run("new", "period", *args, "--root", str(site))
    assert r.exit_code == 1
    assert message in r.output
    assert "共 1 个错误；未写出任何文件。" in r.output
    assert files_of(site) == before


def test_new_period_outside_the_given_versions_window(tmp_path):
    root = tmp_path / "p"
    shutil.copytree(FIXTURE, root)
    before = files_of(root)
    r = run("new", "period", "xiaoneng", "2018-Q3", "--version", "v2017", "--root", str(root))
    assert r.exit_code == 1
    assert ("考核期 2018-Q3（2018-07-01 至 2018-09-30）不在版本 v2017 的有效期（2017-07-01 至 2017-12-31）内"
            " — 请去掉 --version（自动选用有效的版本），或改用有效的版本：v2018") in r.output
    assert files_of(root) == before
    # the version in force is chosen by the period's dates
    r = run("new", "period", "xiaoneng", "2018-Q3", "--root", str(root))
    assert r.exit_code == 0, r.output
    data = yaml.safe_load((root / "scores/xiaoneng/2018-Q3.yaml").read_text("utf-8"))
    assert data["version"] == "v2018"
    # v2018's groups, and the leaves that need a value (jilv, jiafen, koufen are counted per occurrence)
    assert list(data["units"]) == ["fgw", "czj", "sjj", "jyj", "wjw"]
    assert all(e == {"facts": {"fuwu": None, "tuijin": None}} for e in data["units"].values())
    assert "按次计分的项目（工作纪律、创新加分、通报扣分）没有列出" in r.output


def test_new_period_refuses_while_the_project_has_errors(site):
    (site / "units/units.yaml").write_text(
        (site / "units/units.yaml").read_text("utf-8").replace("name: 示例局二", "name: no"), "utf-8")
    before = files_of(site)
    r = run("new", "period", "xiaoneng", "2026-Q2", "--root", str(site))
    assert r.exit_code == 1
    assert "units/units.yaml:9:" in r.output
    assert "项目中有 1 个错误，请先改正（见上） — 改正后再运行 site-builder new period" in r.output
    assert files_of(site) == before


def test_new_period_outside_a_project(tmp_path):
    r = run("new", "period", "xiaoneng", "2026-Q2", "--root", str(tmp_path))
    assert r.exit_code == 1
    assert f"{tmp_path} 不是 site-builder 项目（没有 site.yaml）" in r.output


def test_new_period_keeps_windows_line_endings(site):
    for p in [site / "site.yaml"]:
        p.write_bytes(p.read_bytes().replace(b"\n", b"\r\n"))
    assert run("new", "period", "xiaoneng", "2026-Q2", "--root", str(site)).exit_code == 0
    raw = (site / Q2).read_bytes()
    assert raw.count(b"\r\n") == raw.count(b"\n") == 54
    assert run("check", "--root", str(site)).exit_code == 0


def test_new_period_in_english(site):
    r = run("new", "period", "xiaoneng", "2026-Q2", "--root", str(site), "--lang", "en")
    assert r.exit_code == 0, r.output
    assert r.output.startswith(f"Created {Q2}: Q2 2026, scored by version 2026, 7 units, 21 value(s) to fill")
    text = (site / Q2).read_text("utf-8")
    assert "#     fuwu       服务质量, max 20, levels: 好/较好/一般/差\n" in text
    assert "#     jilv       工作纪律, max 20 (per occurrence: only when it happened)\n" in text
    assert "  # 部门组 (4 units)\n  bumen-1:  # 示例局一\n" in text


def test_json_schema_accepts_an_empty_value(site):
    jsonschema = pytest.importorskip("jsonschema")
    assert run("new", "period", "xiaoneng", "2026-Q2", "--root", str(site)).exit_code == 0
    schema = json.loads((site / "schema/scores.schema.json").read_text("utf-8"))
    data = yaml.load((site / Q2).read_text("utf-8"), Loader=yaml.BaseLoader)  # strings, as the editor sees them
    data = json.loads(json.dumps(data).replace('""', "null"))
    assert data["units"]["bumen-1"]["facts"]["zhongdian"] is None
    errors = list(jsonschema.Draft7Validator(json.loads(render("scores"))).iter_errors(data))
    assert not errors, errors[0].message
    assert schema == json.loads(render("scores"))


def test_new_period_leaves_out_retired_units_and_names_units_as_the_period_ends(site):
    units = site / "units/units.yaml"
    text = units.read_text("utf-8").replace(
        "{id: bumen-3, name: 示例局三, category: 部门}",
        "{id: bumen-3, name: 示例局三, category: 部门, retired: {date: 2026-03-31, merged_into: bumen-2}}")
    text = text.replace("until: 2026-01-31", "until: 2026-04-15")  # 示例局四 was 示例办公室四 until 15 April
    units.write_text(text, "utf-8")
    r = run("new", "period", "xiaoneng", "2026-Q2", "--root", str(site))
    assert r.exit_code == 0, r.output
    assert "6 个单位，共 18 项待填写" in r.output
    data = yaml.safe_load((site / Q2).read_text("utf-8"))
    assert list(data["units"]) == ["bumen-1", "bumen-2", "bumen-4", "xiangzhen-1", "xiangzhen-2", "xiangzhen-3"]
    assert "  bumen-4:  # 示例局四\n" in (site / Q2).read_text("utf-8")
    r = run("new", "period", "xiaoneng", "2026-Q1", "--root", str(site))  # the sample is there already
    assert r.exit_code == 1
    os.remove(site / "scores/xiaoneng/2026-Q1.yaml")
    r = run("new", "period", "xiaoneng", "2026-Q1", "--root", str(site))
    assert r.exit_code == 0, r.output
    text = (site / "scores/xiaoneng/2026-Q1.yaml").read_text("utf-8")
    assert "  bumen-3:  # 示例局三\n" in text  # retired only at the end of Q1: still assessed
    assert "  bumen-4:  # 示例办公室四\n" in text  # renamed after Q1 ended
    assert run("check", "--root", str(site)).exit_code == 0


def test_new_site_where_nothing_can_be_written(tmp_path, monkeypatch):
    import tempfile

    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(tempfile, "mkdtemp", refuse)
    r = run("new", "site", str(tmp_path / "kaohe"))
    assert r.exit_code == 1
    assert f"不能写入 {tmp_path}：Permission denied — 请确认有写入权限" in r.output
    assert list(tmp_path.iterdir()) == []


def test_new_site_failing_halfway_leaves_nothing(tmp_path, monkeypatch):
    real = Path.write_bytes
    calls = []

    def disk_full(self, data):
        calls.append(self)
        if len(calls) == 5:
            raise OSError(28, "No space left on device")
        return real(self, data)

    monkeypatch.setattr(Path, "write_bytes", disk_full)
    r = run("new", "site", str(tmp_path / "kaohe"))
    assert r.exit_code == 1
    assert f"不能写入 {tmp_path / 'kaohe'}：No space left on device" in r.output
    assert list(tmp_path.iterdir()) == []  # the staging folder is gone too


def test_new_period_write_failure_is_a_message(site, monkeypatch):
    import site_builder.workflow.periodfile as periodfile

    def refuse(path, text, crlf=False):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(periodfile, "write_new", refuse)
    before = files_of(site)
    r = run("new", "period", "xiaoneng", "2026-Q2", "--root", str(site))
    assert r.exit_code == 1
    assert f"不能写入 {site / Q2}：Permission denied — 请确认有写入权限" in r.output
    assert files_of(site) == before


class _EditorLoader(yaml.SafeLoader):
    """As an editor's schema check reads YAML: a date stays the text written."""


_EditorLoader.add_constructor("tag:yaml.org,2002:timestamp", lambda loader, node: loader.construct_scalar(node))


@pytest.mark.parametrize(
    ("rel", "kind"),
    [("site.yaml", "site"), ("units/units.yaml", "units"), ("schemes/xiaoneng/2026.yaml", "scheme"),
     ("scores/xiaoneng/2026-Q1.yaml", "scores"), (Q2, "scores")],
)
def test_the_editor_shows_no_error_in_a_new_sites_files(site, rel, kind):
    """VS Code validates with the schemas in schema/: a fresh site (and a fresh period) must be clean."""
    jsonschema = pytest.importorskip("jsonschema")
    if rel == Q2:
        assert run("new", "period", "xiaoneng", "2026-Q2", "--root", str(site)).exit_code == 0
    data = yaml.load((site / rel).read_text("utf-8"), Loader=_EditorLoader)  # noqa: S506 (a SafeLoader)
    schema = json.loads((site / f"schema/{kind}.schema.json").read_text("utf-8"))
    errors = [e.message for e in jsonschema.Draft7Validator(schema).iter_errors(data)]
    assert not errors, errors
