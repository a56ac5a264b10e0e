"""Deploy configuration: netlify.toml, the GitHub Pages workflow, editor settings.

These files are only read by third-party services, so a typo would show up
only after a deploy. Parse them here and check the values that matter.
"""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUTPUT = "_site"

CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), interest-cohort=()",
    "X-Frame-Options": "DENY",
}


# ---------------------------------------------------------------- netlify.toml


@pytest.fixture(scope="module")
def netlify() -> dict:
    with (ROOT / "netlify.toml").open("rb") as fh:
        return tomllib.load(fh)


def header_rules(netlify: dict) -> dict[str, dict[str, str]]:
    rules: dict[str, dict[str, str]] = {}
    for rule in netlify.get("headers", []):
        assert set(rule) == {"for", "values"}, f"unexpected keys in header rule: {rule}"
        assert rule["for"] not in rules, f"two header rules for {rule['for']}"
        rules[rule["for"]] = rule["values"]
    return rules


def cache_directives(value: str) -> dict[str, str | None]:
    out: dict[str, str | None] = {}
    for part in value.split(","):
        name, _, arg = part.strip().partition("=")
        out[name.strip().lower()] = arg.strip() or None
    return out


def test_netlify_build(netlify):
    assert set(netlify) <= {"build", "headers"}, "unexpected top-level table"
    build = netlify["build"]
    # the date in Beijing decides when a 公示 ends and an embargoed notice appears
    assert build["command"] == "pip install . && site-builder build --as-of today"
    assert build["publish"] == DEFAULT_OUTPUT
    assert build["environment"] == {"PYTHON_VERSION": "3.11"}


def test_netlify_security_headers(netlify):
    rules = header_rules(netlify)
    assert "/*" in rules
    assert rules["/*"] == SECURITY_HEADERS


def test_netlify_csp_is_well_formed(netlify):
    csp = header_rules(netlify)["/*"]["Content-Security-Policy"]
    directives = {}
    for part in csp.split(";"):
        name, *sources = part.split()
        assert name not in directives, f"CSP directive {name} given twice"
        directives[name] = sources
    assert directives["default-src"] == ["'self'"]
    assert directives["script-src"] == ["'self'"]
    assert directives["style-src"] == ["'self'"]
    assert directives["object-src"] == ["'none'"]
    assert directives["frame-ancestors"] == ["'none'"]
    for sources in directives.values():
        for source in sources:
            assert source not in {"'unsafe-inline'", "'unsafe-eval'", "*", "http:", "https:"}


def test_netlify_cache_headers(netlify):
    rules = header_rules(netlify)
    assets = cache_directives(rules["/assets/*"]["Cache-Control"])
    assert assets == {"public": None, "max-age": "31536000", "immutable": None}

    html_paths = [p for p in rules if p not in {"/*", "/assets/*"}]
    assert html_paths, "no Cache-Control rule for HTML pages"
    for path in html_paths:
        assert set(rules[path]) == {"Cache-Control"}, path
        html = cache_directives(rules[path]["Cache-Control"])
        assert "immutable" not in html
        assert int(html["max-age"] or "0") <= 600, f"HTML cached too long at {path}"
        assert "must-revalidate" in html or "no-cache" in html


def test_netlify_cache_control_rules_do_not_overlap(netlify):
    # Netlify applies every matching rule; a Cache-Control in "/*" would be
    # merged into the one for /assets/*.
    rules = header_rules(netlify)
    with_cache = [p for p, values in rules.items() if "cache-control" in map(str.lower, values)]
    for path in with_cache:
        assert "*" not in path or path == "/assets/*", f"wildcard Cache-Control rule {path}"
    assert "/*" not in with_cache


def test_publish_dir_is_the_builders_default_output(netlify):
    assert netlify["build"]["publish"] == DEFAULT_OUTPUT
    ignored = (ROOT / ".gitignore").read_text(encoding="utf-8").split()
    assert f"/{DEFAULT_OUTPUT}/" in ignored

    try:
        from site_builder.cli import main
    except ImportError:
        pytest.skip("site_builder.cli not written yet; cannot read the build default")
    build = getattr(main, "commands", {}).get("build")
    if build is None:
        pytest.skip("site-builder has no click 'build' command yet")
    defaults = [
        str(p.default)
        for p in build.params
        if p.name and re.search(r"out|dest|site", p.name) and isinstance(p.default, (str, Path))
    ]
    if not defaults:
        pytest.skip("'site-builder build' has no output option with a default")
    assert any(Path(d).name == DEFAULT_OUTPUT for d in defaults), defaults


# ------------------------------------------------------------- GitHub Pages


@pytest.fixture(scope="module")
def pages() -> dict:
    with (ROOT / ".github" / "workflows" / "pages.yml").open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def all_steps(workflow: dict) -> list[dict]:
    return [step for job in workflow["jobs"].values() for step in job.get("steps", [])]


def test_pages_trigger_and_permissions(pages):
    # YAML 1.1 reads the bare key `on` as boolean true
    trigger = pages.get("on", pages.get(True))
    assert trigger["push"]["branches"] == ["main"]
    assert pages["permissions"]["pages"] == "write"
    assert pages["permissions"]["id-token"] == "write"


def test_pages_build_steps(pages):
    steps = all_steps(pages)
    runs = [step.get("run", "").strip() for step in steps]
    uses = [step.get("uses", "") for step in steps]

    python = [s for s in steps if s.get("uses", "").startswith("actions/setup-python@")]
    assert python and str(python[0]["with"]["python-version"]) == "3.11"

    assert "pip install ." in runs
    assert "site-builder check" in runs
    build = "site-builder build --as-of today"  # a 公示 ends on its day in Beijing
    assert build in runs
    assert (
        runs.index("pip install .")
        < runs.index("site-builder check")
        < runs.index(build)
    ), "must install, then check, then build"

    upload = [s for s in steps if s.get("uses", "").startswith("actions/upload-pages-artifact@")]
    assert len(upload) == 1
    assert upload[0]["with"]["path"] == DEFAULT_OUTPUT
    assert steps.index(upload[0]) > runs.index(build)

    assert any(u.startswith("actions/deploy-pages@") for u in uses)
    assert any(u.startswith("actions/checkout@") for u in uses)


def test_pages_builds_daily_so_notices_change_on_their_day(pages):
    # PyYAML reads the key "on" as True (YAML 1.1)
    triggers = pages.get("on", pages.get(True))
    crons = [c["cron"] for c in triggers["schedule"]]
    assert crons == ["5 16 * * *"], "just after midnight in Beijing (UTC+8)"


def test_as_of_today_is_the_date_in_beijing(monkeypatch):
    import datetime as dt

    from site_builder import cli

    class Clock(dt.datetime):
        @classmethod
        def now(cls, tz=None):
            return dt.datetime(2017, 10, 31, 16, 30, tzinfo=dt.timezone.utc).astimezone(tz)

    monkeypatch.setattr(cli.dt, "datetime", Clock)
    assert cli._date("today") == dt.date(2017, 11, 1)
    assert cli._date(" Today ") == dt.date(2017, 11, 1)


def test_pages_deploy_job_waits_for_build(pages):
    jobs = pages["jobs"]
    deploy = [
        name
        for name, job in jobs.items()
        if any(s.get("uses", "").startswith("actions/deploy-pages@") for s in job.get("steps", []))
    ]
    assert len(deploy) == 1
    job = jobs[deploy[0]]
    assert job["environment"]["name"] == "github-pages"
    needs = job.get("needs")
    needs = [needs] if isinstance(needs, str) else needs
    builder = [
        n
        for n, j in jobs.items()
        if any(
            s.get("uses", "").startswith("actions/upload-pages-artifact@")
            for s in j.get("steps", [])
        )
    ]
    assert builder and builder[0] in needs


# ------------------------------------------------------------ editor settings


def _glob_re(pattern: str) -> re.Pattern[str]:
    out = ""
    i = 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out, i = out + "(?:.*/)?", i + 3
        elif pattern[i] == "*":
            out, i = out + "[^/]*", i + 1
        else:
            out, i = out + re.escape(pattern[i]), i + 1
    return re.compile(out + "$")


def test_vscode_yaml_schemas():
    """Every file the loader reads (.yaml or .yml, nested folders too) gets exactly its schema."""
    settings = json.loads((ROOT / ".vscode" / "settings.json").read_text(encoding="utf-8"))
    schemas = {
        Path(k).as_posix().removeprefix("./"): v for k, v in settings["yaml.schemas"].items()
    }
    expected = {
        "site.yaml": "schema/site.schema.json",
        "units.yaml": "schema/units.schema.json",
        "units/huaian.yaml": "schema/units.schema.json",
        "units/county/towns.yml": "schema/units.schema.json",
        "schemes/demo/2024.yaml": "schema/scheme.schema.json",
        "schemes/demo/2024.yml": "schema/scheme.schema.json",
        "scores/demo/2024-Q1.yaml": "schema/scores.schema.json",
        "scores/demo/sub/2024-Q2.yml": "schema/scores.schema.json",
    }
    for path, schema in expected.items():
        hits = [s for s, globs in schemas.items() if any(_glob_re(g).match(path) for g in globs)]
        assert hits == [schema], (path, hits)
    for other in ("content/notices/a.md", "netlify.toml", "theme/x.yaml"):
        assert not [s for s, globs in schemas.items() if any(_glob_re(g).match(other) for g in globs)], other
    assert settings["files.encoding"] == "utf8"
    assert settings["[yaml]"] == {"editor.insertSpaces": True, "editor.tabSize": 2}


def test_default_theme_is_installed_with_the_package():
    """pyproject ships every theme file as data-files, so projects without theme/ can build."""
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    data_files = pyproject["tool"]["setuptools"]["data-files"]
    shipped = set()
    for dest, patterns in data_files.items():
        for pattern in patterns:
            shipped |= {p.relative_to(ROOT).as_posix() for p in ROOT.glob(pattern)}
        assert dest.startswith("share/site-builder/theme/")
    theme = {p.relative_to(ROOT).as_posix() for p in (ROOT / "theme").rglob("*") if p.is_file()}
    assert theme and shipped == theme
