#!/usr/bin/env bash
# Install everything the test suite needs, on Debian/Ubuntu:
#   1. Chromium + CJK fonts (apt)      -> browser tests, readable Chinese screenshots
#      LibreOffice Calc (no GUI), poppler -> the scoring workbook opens and converts to PDF
#   2. this package with [test] extras -> pytest, hypothesis, playwright (pip)
#   3. axe-core 4 (npm registry)       -> .cache/axe/node_modules/axe-core/axe.min.js
#
# Used by .ci/run and by developers (README "Quick start").  Safe to re-run:
# each step is skipped when its result is already there.
#
# Environment knobs:
#   PYTHON=python3.11     interpreter to install into (default: python, else python3)
#   SKIP_APT=1            do not touch apt (e.g. no root; browser tests then skip locally)
#   AXE_VERSION=4.10      npm version/range of axe-core (default: 4)
#   AXE_REFRESH=1         re-download axe-core even if cached
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

say() { printf '\n==> %s\n' "$*"; }
note() { printf '    %s\n' "$*"; }
die() { printf '\nERROR: %s\n' "$*" >&2; exit 1; }
is_ci() { [[ "${CI:-}" == "true" || "${CI:-}" == "1" ]]; }

T0=$SECONDS
step_start=$SECONDS
step_done() { note "done in $((SECONDS - step_start))s"; step_start=$SECONDS; }

if [[ -z "${PYTHON:-}" ]]; then
  if command -v python >/dev/null 2>&1; then PYTHON=python; else PYTHON=python3; fi
fi

# --------------------------------------------------------------------------- apt
APT_PACKAGES=(chromium fonts-noto-cjk libreoffice-calc-nogui poppler-utils)

pkg_installed() {
  dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q '^install ok installed$'
}

SUDO=()
if [[ "$(id -u)" != 0 ]] && command -v sudo >/dev/null 2>&1; then SUDO=(sudo); fi

apt_install() {
  "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q &&
    "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
      --no-install-recommends -o DPkg::Lock::Timeout=300 "$@"
}

# Debian's python3 comes without pip; get it from apt along with the rest.
if ! "$PYTHON" -m pip --version >/dev/null 2>&1 && [[ "$(command -v "$PYTHON")" == /usr/bin/* ]]; then
  APT_PACKAGES+=(python3-pip)
fi

say "System packages: ${APT_PACKAGES[*]}"
missing=()
for p in "${APT_PACKAGES[@]}"; do pkg_installed "$p" || missing+=("$p"); done
if [[ ${#missing[@]} -eq 0 ]]; then
  note "already installed, skipping apt"
elif [[ "${SKIP_APT:-}" == 1 ]]; then
  note "SKIP_APT=1: not installing ${missing[*]}"
elif ! command -v apt-get >/dev/null 2>&1; then
  note "no apt-get here: install ${missing[*]} yourself (browser tests skip without Chromium)"
elif [[ "$(id -u)" != 0 && ${#SUDO[@]} -eq 0 ]]; then
  is_ci && die "need root or sudo to apt-get install ${missing[*]}"
  note "not root and no sudo: skipping apt (browser tests will be skipped)"
else
  note "installing: ${missing[*]}"
  if ! apt_install "${missing[@]}"; then
    note "apt failed; retrying once in 15s"
    sleep 15
    apt_install "${missing[@]}" || die "apt-get install ${missing[*]} failed twice"
  fi
fi
if command -v chromium >/dev/null 2>&1; then
  note "$(chromium --version 2>/dev/null || echo 'chromium (version unknown)')"
fi
step_done

# --------------------------------------------------------------------------- pip
say "Python package + test extras: $PYTHON -m pip install -e .[test]"
"$PYTHON" --version
if ! "$PYTHON" -m pip --version >/dev/null 2>&1; then
  die "pip is not available for $PYTHON (on Debian: apt-get install python3-pip python3-venv)"
fi
PIP_ARGS=()
# Debian's own python3 refuses pip installs outside a venv (PEP 668).  A CI
# machine is thrown away afterwards, so there we override; a developer should
# use a venv instead.
if "$PYTHON" - <<'EOF'
import os, sys, sysconfig
marker = os.path.join(sysconfig.get_path("stdlib"), "EXTERNALLY-MANAGED")
sys.exit(0 if (os.path.exists(marker) and sys.prefix == sys.base_prefix) else 1)
EOF
then
  if is_ci; then
    note "externally managed Python on a CI machine: using --break-system-packages"
    PIP_ARGS+=(--break-system-packages)
  else
    die "$PYTHON is managed by the OS; create a venv first:
  python3 -m venv .venv && . .venv/bin/activate && bash scripts/install-test-deps.sh"
  fi
fi
"$PYTHON" -m pip install ${PIP_ARGS[@]+"${PIP_ARGS[@]}"} --progress-bar off -e ".[test]"
step_done

# --------------------------------------------------------------------------- axe
AXE_VERSION="${AXE_VERSION:-4}"
AXE_ROOT="$ROOT/.cache/axe"
AXE_PKG="$AXE_ROOT/node_modules/axe-core"
AXE_JS_PATH="$AXE_PKG/axe.min.js"

say "axe-core@$AXE_VERSION -> ${AXE_JS_PATH#"$ROOT"/}"
mkdir -p "$AXE_ROOT"
# keep the download cache out of git without editing the project's .gitignore
[[ -f "$ROOT/.cache/.gitignore" ]] || printf '*\n' >"$ROOT/.cache/.gitignore"

fetch_axe_npm() {
  local tmp tgz
  tmp="$(mktemp -d)"
  # npm pack only downloads the tarball (no install scripts run)
  tgz="$(cd "$tmp" && npm pack --silent "axe-core@$AXE_VERSION" | tail -n 1)"
  [[ -f "$tmp/$tgz" ]] || { rm -rf "$tmp"; return 1; }
  rm -rf "$AXE_PKG" && mkdir -p "$AXE_PKG"
  tar -xzf "$tmp/$tgz" -C "$AXE_PKG" --strip-components=1
  rm -rf "$tmp"
}

if [[ -f "$AXE_JS_PATH" && "${AXE_REFRESH:-}" != 1 ]]; then
  note "cached, skipping download"
else
  if ! command -v npm >/dev/null 2>&1; then
    if [[ "${SKIP_APT:-}" == 1 ]]; then die "npm is needed to fetch axe-core (apt-get install npm)"; fi
    note "npm missing: installing Debian's npm"
    apt-get install -y -q npm >/dev/null || { apt-get update -q >/dev/null && apt-get install -y -q npm >/dev/null; }
  fi
  note "using npm $(npm --version 2>/dev/null)"
  fetch_axe_npm || { sleep 5; fetch_axe_npm; } || die "npm pack axe-core@$AXE_VERSION failed"
fi
[[ -f "$AXE_JS_PATH" ]] || die "axe.min.js missing after download: $AXE_JS_PATH"
note "axe-core $("$PYTHON" -c 'import json,sys; print(json.load(open(sys.argv[1]))["version"])' "$AXE_PKG/package.json")"
note "tests find it via AXE_JS=$AXE_JS_PATH (that is also the default)"
step_done

say "Test dependencies ready in $((SECONDS - T0))s"
