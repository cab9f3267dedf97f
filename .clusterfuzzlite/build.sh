#!/usr/bin/env bash
# ClusterFuzzLite / OSS-Fuzz build script: builds the fuzz targets with
# `cargo fuzz build` and puts in $OUT, for each target it ships:
#
#   <target>                  the libFuzzer binary
#   <target>.dict             its dictionary
#   <target>_seed_corpus.zip  its committed seeds; none for a target without
#                             seeds (an empty archive carries nothing, and
#                             `unzip` exits 1 on one)
#   <target>.options          [libfuzzer] dict = <target>.dict and its flags
#
# The targets and their files come from `gauntlet list --json`, so a new
# family is picked up without editing this script.
#
# Which targets: every hardened and differential one, where any crash is a
# bug. The vulnerable twins are left out because their findings are expected
# and ClusterFuzzLite counts every crash as a bug (a code-change run would
# fail on the first one, in seconds); gauntlet's own campaign fuzzes them.
# GAUNTLET_CFLITE_VULNERABLE=1 ships them too.
#
# Environment: SRC (holding gauntlet/, as in the Docker image) and OUT are
# required. SANITIZER unset or `none` builds without a sanitizer, on stable;
# any other value is left to cargo fuzz and, in the OSS-Fuzz image, its cargo
# wrapper. CARGO_TARGET_DIR is honoured.
#
# Run after `cargo fuzz build --sanitizer none` (gauntlet's campaign), with the
# same target directory, it rebuilds nothing: `-O --debug-assertions` gives the
# same cargo command line as cargo fuzz's default (a release build with debug
# assertions and overflow checks, so an overflow panics here as it does in the
# campaign).
set -euo pipefail

: "${SRC:?SRC must be set: the directory that holds gauntlet/}"
: "${OUT:?OUT must be set: where the fuzzers go}"
mkdir -p "$OUT"
OUT="$(cd "$OUT" && pwd)"
cd "$SRC/gauntlet"

sanitizer=()
if [[ "${SANITIZER:-none}" == none ]]; then
    sanitizer=(--sanitizer none)
fi
cargo fuzz build -O --debug-assertions "${sanitizer[@]}"

# Where cargo put the binaries: fuzz/ is its own workspace, so ask cargo
# (CARGO_TARGET_DIR, a config file or the default fuzz/target).
target_dir="$(cargo metadata --manifest-path fuzz/Cargo.toml --format-version 1 --no-deps |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')"
triple="$(rustc -vV | sed -n 's/^host: //p')"
bin_dir="$target_dir/$triple/release"

# One line per target: fuzz_target, dict, seeds, shipped (1/0), then each
# libFuzzer flag as key=value, tab-separated. The CLI is built plainly: the
# image's RUSTFLAGS are for the fuzz targets.
targets="$(env -u RUSTFLAGS cargo run --release --quiet --bin gauntlet -- list --json |
    GAUNTLET_CFLITE_VULNERABLE="${GAUNTLET_CFLITE_VULNERABLE:-0}" python3 -c '
import json, os, re, sys

vulnerable = os.environ["GAUNTLET_CFLITE_VULNERABLE"] == "1"
for line in sys.stdin:
    t = json.loads(line)
    name = t["name"]
    flags = []
    for arg in t["fuzz_args"]:
        m = re.fullmatch(r"-([A-Za-z_]+)=([^\t\n]*)", arg)
        if not m:
            sys.exit(f"{name}: libFuzzer flag {arg!r} is not -key=value")
        flags.append(f"{m[1]}={m[2]}")
    fields = [t["fuzz_target"], t["dict"], t["seeds"]]
    if any(c in f for f in fields for c in "\t\n"):
        sys.exit(f"{name}: a tab or newline in {fields!r}")
    shipped = vulnerable or not t["expected"]
    print("\t".join(fields + ["1" if shipped else "0"] + flags))
')"
if [[ -z "$targets" ]]; then
    echo "build.sh: gauntlet list --json gave no targets" >&2
    exit 1
fi

# zip_seeds DIR ZIP: every file under DIR, named relative to DIR.
zip_seeds() {
    local dir="$1" zip="$2"
    rm -f "$zip"
    if command -v zip >/dev/null; then
        (cd "$dir" && zip -q -r -D -X "$zip" .)
    else
        (cd "$dir" && python3 -m zipfile -c "$zip" .)
    fi
}

shipped=0
while IFS=$'\t' read -r -a row; do
    t="${row[0]}" dict="${row[1]}" seeds="${row[2]}" ship="${row[3]}"
    flags=("${row[@]:4}")
    if [[ "$ship" != 1 ]]; then
        echo "build.sh: $t: skipped (a vulnerable twin: its findings are expected)"
        continue
    fi
    if [[ ! -x "$bin_dir/$t" ]]; then
        echo "build.sh: $t: no binary at $bin_dir/$t after cargo fuzz build" >&2
        exit 1
    fi
    if [[ ! -s "$dict" ]]; then
        echo "build.sh: $t: dictionary $dict is missing or empty" >&2
        exit 1
    fi
    cp "$bin_dir/$t" "$OUT/$t"
    cp "$dict" "$OUT/$t.dict"
    {
        echo "[libfuzzer]"
        echo "dict = $t.dict"
        for flag in "${flags[@]}"; do
            echo "${flag%%=*} = ${flag#*=}"
        done
    } >"$OUT/$t.options"
    rm -f "$OUT/${t}_seed_corpus.zip"
    if [[ -d "$seeds" ]] && [[ -n "$(find "$seeds" -type f -print -quit)" ]]; then
        zip_seeds "$seeds" "$OUT/${t}_seed_corpus.zip"
        note="$(find "$seeds" -type f | wc -l) seeds"
    else
        note="no seeds"
    fi
    echo "build.sh: $t: binary, dict, options, $note"
    shipped=$((shipped + 1))
done <<<"$targets"
echo "build.sh: $shipped fuzz targets in $OUT"
