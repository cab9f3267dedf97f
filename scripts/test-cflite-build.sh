#!/usr/bin/env bash
# Tests .clusterfuzzlite/build.sh without Docker: runs it as the image does
# ($SRC/build.sh with the repository at $SRC/gauntlet) into temporary OUT
# directories, then checks, for every fuzz target in `gauntlet list --json`
# (cross-checked against fuzz/Cargo.toml's [[bin]] entries), the binary, its
# .dict, its _seed_corpus.zip (exactly its seed files) and its .options
# ([libfuzzer] naming the dict, and its flags); finally runs one binary from
# OUT for 100 inputs with its options and unzipped seeds.
#
# build.sh runs twice: with GAUNTLET_CFLITE_VULNERABLE=1, where every target
# must be shipped, and as ClusterFuzzLite runs it, where exactly the hardened
# and differential ones must be. With the same CARGO_TARGET_DIR as a campaign
# that ran before (`cargo fuzz build --sanitizer none`), nothing is rebuilt.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

# The Docker layout: the repository at $SRC/gauntlet, build.sh at $SRC/.
mkdir "$tmp/src"
ln -s "$root" "$tmp/src/gauntlet"
cp .clusterfuzzlite/build.sh "$tmp/src/build.sh"

# run_build OUT [VAR=value...]: build.sh into OUT, its output kept in OUT.log.
run_build() {
    local out="$1"
    shift
    if ! (cd "$tmp/src/gauntlet" &&
        env SRC="$tmp/src" OUT="$out" SANITIZER=none "$@" bash "$tmp/src/build.sh") \
        >"$out.log" 2>&1; then
        cat "$out.log" >&2
        echo "test-cflite-build: build.sh failed (output above)" >&2
        exit 1
    fi
}
run_build "$tmp/out-all" GAUNTLET_CFLITE_VULNERABLE=1
run_build "$tmp/out"
cargo run --release --quiet --bin gauntlet -- list --json >"$tmp/list.jsonl"

# Checks both OUTs; prints one line per target, then a line per problem, and
# writes the libFuzzer command line for one shipped target to run.cmd.
python3 - "$tmp" <<'PY'
import configparser, json, os, re, sys, zipfile
from pathlib import Path

tmp = Path(sys.argv[1])
targets = [json.loads(line) for line in open(tmp / "list.jsonl")]
problems = []

# Every target's binary is a [[bin]] in fuzz/Cargo.toml, and the other way round.
bins, in_bin = set(), False
for line in open("fuzz/Cargo.toml"):
    line = line.strip()
    if line.startswith("["):
        in_bin = line == "[[bin]]"
    elif in_bin and (m := re.fullmatch(r'name\s*=\s*"([^"]+)"', line)):
        bins.add(m[1])
        in_bin = False
listed = {t["fuzz_target"] for t in targets}
for name in sorted(listed - bins):
    problems.append(f"{name}: in gauntlet list but not a [[bin]] in fuzz/Cargo.toml")
for name in sorted(bins - listed):
    problems.append(f"{name}: a [[bin]] in fuzz/Cargo.toml but not in gauntlet list")

def seed_files(seeds):
    d = Path(seeds)
    if not d.is_dir():
        return {}
    return {p.relative_to(d).as_posix(): p.read_bytes() for p in d.rglob("*") if p.is_file()}

def check(out, t):
    """What is wrong with target t's files in out, and a summary."""
    name, wrong = t["fuzz_target"], []
    binary = out / name
    if not (binary.is_file() and os.access(binary, os.X_OK)):
        wrong.append(f"{binary} is missing or not executable")
    dict_ = out / f"{name}.dict"
    if not dict_.is_file() or dict_.stat().st_size == 0:
        wrong.append(f"{dict_} is missing or empty")
    elif dict_.read_bytes() != Path(t["dict"]).read_bytes():
        wrong.append(f"{dict_} differs from {t['dict']}")
    seeds, zip_ = seed_files(t["seeds"]), out / f"{name}_seed_corpus.zip"
    if not seeds:
        if zip_.exists():
            wrong.append(f"{zip_} exists but {t['seeds']} holds no seeds")
    elif not zipfile.is_zipfile(zip_):
        wrong.append(f"{zip_} is missing or not a zip")
    else:
        with zipfile.ZipFile(zip_) as z:
            held = {i.filename: z.read(i) for i in z.infolist() if not i.is_dir()}
        if held != seeds:
            extra = sorted(held.keys() - seeds.keys())
            missing = sorted(seeds.keys() - held.keys())
            changed = sorted(k for k in held.keys() & seeds.keys() if held[k] != seeds[k])
            wrong.append(f"{zip_} does not hold exactly {t['seeds']}: "
                         f"extra {extra}, missing {missing}, changed {changed}")
    options = out / f"{name}.options"
    ini = configparser.ConfigParser()
    try:
        if not ini.read(options):
            raise configparser.Error("missing")
        section = ini["libfuzzer"]
        if section.get("dict") != f"{name}.dict":
            wrong.append(f"{options}: [libfuzzer] dict is {section.get('dict')!r}, "
                         f"not {name}.dict")
        for arg in t["fuzz_args"]:
            key, value = arg.lstrip("-").split("=", 1)
            if section.get(key) != value:
                wrong.append(f"{options}: [libfuzzer] {key} is {section.get(key)!r}, "
                             f"not {value!r} ({arg} in gauntlet list)")
    except (configparser.Error, KeyError) as e:
        wrong.append(f"{options} is not an INI file with a [libfuzzer] section ({e})")
    keys = ", ".join(["dict"] + [a.lstrip("-").split("=", 1)[0] for a in t["fuzz_args"]])
    return wrong, f"binary, dict, {len(seeds)} seeds in the zip, options ({keys})"

def check_absent(out, t):
    name = t["fuzz_target"]
    files = [f"{name}{s}" for s in ("", ".dict", "_seed_corpus.zip", ".options")]
    return [f"{out / f} exists but a vulnerable twin must not be shipped"
            for f in files if (out / f).exists()]

for t in targets:
    name = t["fuzz_target"]
    wrong, summary = check(tmp / "out-all", t)
    if t["expected"]:
        wrong += check_absent(tmp / "out", t)
        note = "(vulnerable: only with GAUNTLET_CFLITE_VULNERABLE=1)"
    else:
        more, _ = check(tmp / "out", t)
        wrong += more
        note = ""
    if wrong:
        print(f"FAIL {name}: {len(wrong)} problem(s), listed below")
    else:
        print(f"ok   {name}: {summary} {note}".rstrip())
    problems += [f"{name}: {w}" for w in wrong]

if problems:
    print("test-cflite-build: build.sh's OUT is wrong:", file=sys.stderr)
    for p in problems:
        print(f"  {p}", file=sys.stderr)
    sys.exit(1)

# The first shipped target, run with its options and its seeds.
t = next(t for t in targets if not t["expected"])
name, out = t["fuzz_target"], tmp / "out"
ini = configparser.ConfigParser()
ini.read(out / f"{name}.options")
flags = [f"-{k}={out / v if k == 'dict' else v}" for k, v in ini["libfuzzer"].items()]
seeds = tmp / "seeds"
zipfile.ZipFile(out / f"{name}_seed_corpus.zip").extractall(seeds)
(tmp / "run.cmd").write_text("\n".join([str(out / name), *flags, "-runs=100", "-seed=1", str(seeds)]))
PY

mapfile -t cmd <"$tmp/run.cmd"
echo "test-cflite-build: running ${cmd[*]}"
if ! (cd "$tmp" && "${cmd[@]}") >"$tmp/run.log" 2>&1 || ! grep -q "^Done 100 runs" "$tmp/run.log"; then
    tail -20 "$tmp/run.log" >&2
    echo "test-cflite-build: ${cmd[0]##*/} from OUT did not run 100 inputs" >&2
    exit 1
fi
echo "test-cflite-build: $(grep "^Done 100 runs" "$tmp/run.log")"
echo "test-cflite-build: passed"
