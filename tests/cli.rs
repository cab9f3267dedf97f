//! The `gauntlet` binary end to end: `list`, `run`, `replay` and `repro`, their output
//! formats, exit codes and one-line error messages.

use std::fs;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};

use gauntlet_harnesses as registry;
use serde_json::Value;

/// `(a+)+$` against a's and a mismatch: exponential backtracking.
const REDOS: &[u8] = b"(a+)+$\naaaaaaaaaaaaaaaaaaaaaaaa!";

const REGEX_TARGETS: [&str; 3] = ["regex-vulnerable", "regex-hardened", "regex-differential"];

/// Runs the binary with `args`, feeding it `stdin`.
fn gauntlet(args: &[&str], stdin: &[u8]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_gauntlet"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("gauntlet starts");
    let mut pipe = child.stdin.take().expect("stdin is piped");
    let input = stdin.to_vec();
    // A thread, so that a child that does not read stdin cannot block us;
    // it may close stdin early, hence the ignored error.
    let writer = std::thread::spawn(move || {
        let _ = pipe.write_all(&input);
    });
    let output = child.wait_with_output().expect("gauntlet runs");
    writer.join().expect("stdin writer");
    output
}

fn code(output: &Output) -> i32 {
    output.status.code().expect("gauntlet exits with a code")
}

fn stdout(output: &Output) -> &str {
    std::str::from_utf8(&output.stdout).expect("stdout is UTF-8")
}

fn stderr(output: &Output) -> &str {
    std::str::from_utf8(&output.stderr).expect("stderr is UTF-8")
}

fn json_lines(output: &Output) -> Vec<Value> {
    stdout(output)
        .lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}")))
        .collect()
}

/// Asserts a usage or I/O error: exit 2, one line on stderr, and returns it.
fn one_line_error(output: &Output) -> &str {
    assert_eq!(code(output), 2, "stderr: {}", stderr(output));
    let err = stderr(output);
    assert!(err.starts_with("gauntlet: error: "), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    err
}

/// A directory under the system temporary directory, removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> TempDir {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let path =
            std::env::temp_dir().join(format!("gauntlet-cli-{}-{n}-{name}", std::process::id()));
        let _ = fs::remove_dir_all(&path);
        fs::create_dir_all(&path).expect("create temporary directory");
        TempDir(path)
    }

    fn file(&self, name: &str, contents: &[u8]) -> String {
        let path = self.0.join(name);
        fs::write(&path, contents).expect("write temporary file");
        utf8(&path).to_owned()
    }

    fn path(&self) -> &str {
        utf8(&self.0)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

/// Every registered target's name and family, in registry order: the one
/// place these tests read the harness crate's list.
fn registered() -> Vec<(&'static str, &'static str)> {
    registry::targets().map(|t| (t.name, t.family.name)).collect()
}

fn registered_names() -> Vec<&'static str> {
    registered().into_iter().map(|(name, _)| name).collect()
}

fn utf8(path: &Path) -> &str {
    path.to_str().expect("temporary paths are UTF-8")
}

#[test]
fn list_prints_a_table_of_every_target() {
    let output = gauntlet(&["list"], b"");
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let text = stdout(&output);
    let mut lines = text.lines();
    let header = lines.next().expect("a header");
    for column in ["NAME", "FAMILY", "VARIANT", "CWE", "ORACLES", "EXPECTED", "INPUT"] {
        assert!(header.contains(column), "{header}");
    }
    let names: Vec<&str> = lines.map(|l| l.split_whitespace().next().unwrap_or("")).collect();
    assert_eq!(names, registered_names());
    for name in REGEX_TARGETS {
        assert!(names.contains(&name), "{name} missing from\n{text}");
    }
    let vulnerable = text.lines().find(|l| l.starts_with("regex-vulnerable ")).unwrap();
    assert!(vulnerable.contains("1333") && vulnerable.contains("SuperlinearTime"), "{vulnerable}");
    // Aligned: every row's family starts in the header's FAMILY column.
    let column = header.find("FAMILY").unwrap();
    for line in text.lines().skip(1) {
        let name = line.split_whitespace().next().unwrap_or("");
        let (_, family) = registered().into_iter().find(|(n, _)| *n == name).expect("registered");
        assert!(line.get(column..).is_some_and(|rest| rest.starts_with(family)), "{line}");
    }
}

#[test]
fn list_json_has_one_object_per_target() {
    let output = gauntlet(&["list", "--json"], b"");
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let records = json_lines(&output);
    let names: Vec<&str> = records.iter().map(|r| r["name"].as_str().unwrap()).collect();
    assert_eq!(names, registered_names());
    for name in REGEX_TARGETS {
        assert!(names.contains(&name), "{name} missing");
    }
    let v = records.iter().find(|r| r["name"] == "regex-vulnerable").unwrap();
    assert_eq!(v["family"], "regex");
    assert_eq!(v["variant"], "vulnerable");
    assert_eq!(v["cwes"], serde_json::json!([1333, 674, 789]));
    assert_eq!(v["oracles"], serde_json::json!(["cost"]));
    assert_eq!(
        v["expected"],
        serde_json::json!(["SuperlinearTime", "UnboundedRecursion", "MemoryAmplification"])
    );
    assert!(v["input_format"].as_str().unwrap().contains("pattern"));
    assert_eq!(v["source"], "targets/src/regex/vulnerable.rs");
    let h = records.iter().find(|r| r["name"] == "regex-hardened").unwrap();
    assert_eq!(h["expected"], serde_json::json!([]));
}

#[test]
fn run_finds_redos_in_the_vulnerable_twin_only() {
    let dir = TempDir::new("redos");
    let file = dir.file("redos", REDOS);

    let output = gauntlet(&["run", "regex-vulnerable", &file, "--json"], b"");
    assert_eq!(code(&output), 1, "{}", stderr(&output));
    let records = json_lines(&output);
    assert_eq!(records.len(), 1);
    let r = &records[0];
    assert_eq!(r["target"], "regex-vulnerable");
    assert_eq!(r["input"], file.as_str());
    assert_eq!(r["verdict"], "finding");
    assert_eq!(r["kind"], "SuperlinearTime");
    assert_eq!(r["cwe"], 1333);
    assert_eq!(r["expected"], true);
    assert!(r["signature"].as_str().unwrap().starts_with("superlinear-time-"), "{r}");
    assert!(r["summary"].as_str().unwrap().contains("steps"), "{r}");
    assert!(r["cost"]["steps"].as_u64().unwrap() > 1000, "{r}");
    for key in ["bytes_out", "depth", "probes"] {
        assert!(r["cost"][key].is_u64(), "{key} in {r}");
    }
    assert!(r["elapsed_us"].is_u64(), "{r}");

    let output = gauntlet(&["run", "regex-vulnerable", &file], b"");
    assert_eq!(code(&output), 1);
    let line = stdout(&output);
    let prefix = format!("{file}: finding SuperlinearTime (CWE-1333, expected) [superlinear-time-");
    assert!(line.starts_with(&prefix), "{line}");
    assert_eq!(line.lines().count(), 1);

    let output = gauntlet(&["run", "regex-hardened", &file, "--json"], b"");
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let r = &json_lines(&output)[0];
    assert_eq!(r["verdict"], "clean");
    for key in ["kind", "cwe", "expected", "summary", "signature"] {
        assert!(r[key].is_null(), "{key} in {r}");
    }

    let output = gauntlet(&["run", "regex-hardened", &file], b"");
    assert_eq!(code(&output), 0);
    assert!(stdout(&output).starts_with(&format!("{file}: clean (steps ")), "{}", stdout(&output));
}

#[test]
fn run_takes_the_files_of_a_directory_in_name_order() {
    let dir = TempDir::new("dir");
    dir.file("b-clean", b"a+\naaa");
    dir.file("a-redos", REDOS);
    dir.file("c-invalid", b"(a+\naaa");
    fs::create_dir(dir.0.join("nested")).unwrap();
    fs::write(dir.0.join("nested").join("skipped"), REDOS).unwrap();

    let output = gauntlet(&["run", "regex-vulnerable", dir.path(), "--json"], b"");
    assert_eq!(code(&output), 1, "{}", stderr(&output));
    let records = json_lines(&output);
    let inputs: Vec<&str> = records.iter().map(|r| r["input"].as_str().unwrap()).collect();
    let expected: Vec<String> =
        ["a-redos", "b-clean", "c-invalid"].iter().map(|n| format!("{}/{n}", dir.path())).collect();
    assert_eq!(inputs, expected);
    let verdicts: Vec<&str> = records.iter().map(|r| r["verdict"].as_str().unwrap()).collect();
    assert_eq!(verdicts, ["finding", "clean", "rejected"]);
    assert!(records[2]["summary"].as_str().unwrap().contains("unclosed"), "{}", records[2]);
    assert!(records[2]["kind"].is_null() && records[2]["expected"].is_null());

    let output = gauntlet(&["run", "regex-hardened", dir.path()], b"");
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let text = stdout(&output);
    assert_eq!(text.lines().count(), 3, "{text}");
    let rejected = text.lines().nth(2).unwrap();
    let prefix = format!("{}/c-invalid: rejected: ", dir.path());
    assert!(rejected.starts_with(&prefix) && rejected.ends_with(')'), "{rejected}");
}

#[test]
fn run_reads_stdin_without_inputs_or_with_a_dash() {
    for args in [&["run", "regex-vulnerable", "--json"][..], &["run", "regex-vulnerable", "-"]] {
        let output = gauntlet(args, REDOS);
        assert_eq!(code(&output), 1, "{args:?}: {}", stderr(&output));
        let text = stdout(&output);
        assert!(text.contains("<stdin>") && text.contains("SuperlinearTime"), "{text}");
    }
    let output = gauntlet(&["run", "regex-hardened", "--json"], REDOS);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    assert_eq!(json_lines(&output)[0]["input"], "<stdin>");
}

#[test]
fn an_unknown_target_lists_the_valid_ones() {
    let output = gauntlet(&["run", "foo"], REDOS);
    let err = one_line_error(&output);
    assert!(err.starts_with("gauntlet: error: unknown target \"foo\"; valid targets: "), "{err}");
    for name in REGEX_TARGETS {
        assert!(err.contains(name), "{err}");
    }
    assert!(output.stdout.is_empty());
}

#[test]
fn a_missing_input_stops_the_run_after_the_inputs_before_it() {
    let dir = TempDir::new("missing");
    let good = dir.file("good", b"a\na");
    let missing = format!("{}/no-such-file", dir.path());
    let output = gauntlet(&["run", "regex-hardened", &good, &missing, &good], b"");
    let err = one_line_error(&output);
    assert!(err.contains(&missing) && err.contains("os error"), "{err}");
    assert_eq!(stdout(&output).lines().count(), 1, "{}", stdout(&output));
}

#[test]
fn an_input_over_max_input_is_refused() {
    let dir = TempDir::new("max-input");
    let big = dir.file("big", &[b'a'; 100]);

    let output = gauntlet(&["run", "regex-hardened", &big, "--max-input", "10"], b"");
    let err = one_line_error(&output);
    assert!(err.contains(&big) && err.contains("100 bytes") && err.contains("10 bytes"), "{err}");
    assert!(output.stdout.is_empty());

    let output = gauntlet(&["run", "regex-hardened", "--max-input", "10"], &[b'a'; 100]);
    let err = one_line_error(&output);
    assert!(err.contains("<stdin>") && err.contains("10 bytes"), "{err}");

    let output = gauntlet(&["run", "regex-hardened", &big, "--max-input", "100"], b"");
    assert_eq!(code(&output), 0, "{}", stderr(&output));
}

#[test]
fn usage_errors_exit_2_and_help_exits_0() {
    for args in [&["run"][..], &["bogus"], &["run", "regex-hardened", "--max-input", "x"], &[]] {
        let output = gauntlet(args, b"");
        assert_eq!(code(&output), 2, "{args:?}");
        assert!(!output.stderr.is_empty(), "{args:?}");
    }
    for args in [&["--help"][..], &["run", "--help"], &["list", "-h"], &["--version"]] {
        let output = gauntlet(args, b"");
        assert_eq!(code(&output), 0, "{args:?}");
        assert!(!output.stdout.is_empty(), "{args:?}");
    }
    let help = stdout(&gauntlet(&["run", "--help"], b"")).to_owned();
    assert!(help.contains("Bad input stops the run"), "{help}");
}

#[test]
fn run_handles_twenty_thousand_files_and_a_closed_stdout() {
    const N: usize = 20_000;
    let dir = TempDir::new("many");
    for i in 0..N {
        fs::write(dir.0.join(format!("{i:05}")), b"a+\nxaa").unwrap();
    }

    let output = gauntlet(&["run", "regex-hardened", dir.path(), "--json"], b"");
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let records = json_lines(&output);
    assert_eq!(records.len(), N);
    assert_eq!(records[0]["input"], format!("{}/00000", dir.path()));
    assert_eq!(records[N - 1]["input"], format!("{}/{:05}", dir.path(), N - 1));

    // `gauntlet run ... | head -1`: far more output than a pipe holds, and
    // the reader goes away after one line. Not an error.
    let mut child = Command::new(env!("CARGO_BIN_EXE_gauntlet"))
        .args(["run", "regex-hardened", dir.path()])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut first).unwrap();
    assert!(first.starts_with(&format!("{}/00000: clean (steps ", dir.path())), "{first}");
    let output = child.wait_with_output().unwrap();
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    assert!(output.stderr.is_empty(), "{}", stderr(&output));
}

#[test]
fn replay_passes_every_committed_file() {
    let root = env!("CARGO_MANIFEST_DIR");
    let output = gauntlet(&["replay", "--root", root], b"");
    assert_eq!(code(&output), 0, "{}", stdout(&output));
    let last = stdout(&output).lines().last().expect("a total");
    assert!(last.ends_with(" passed, 0 failed"), "{last}");
    assert!(!stdout(&output).contains("FAIL "));

    let output = gauntlet(&["replay", "--root", root, "--json", "regex-hardened"], b"");
    assert_eq!(code(&output), 0);
    let records = json_lines(&output);
    assert!(records.iter().all(|r| r["target"] == "regex-hardened" && r["pass"] == true));
    let nested = records
        .iter()
        .find(|r| r["file"] == "corpora/regex/reproducers/nested-plus.txt")
        .expect("the nested-plus reproducer");
    assert_eq!(nested["verdict"], "clean");
}

#[test]
fn replay_refuses_an_unknown_target_and_a_root_without_corpora() {
    let output = gauntlet(&["replay", "nope"], b"");
    let message = one_line_error(&output);
    assert!(message.contains("valid targets: regex-vulnerable"), "{message}");
    let output = gauntlet(&["replay", "--root", "/"], b"");
    let message = one_line_error(&output);
    assert!(message.contains("no corpora/ directory"), "{message}");
}

#[test]
fn an_empty_directory_is_an_error_not_silence() {
    let dir = std::env::temp_dir().join(format!("gauntlet-cli-empty-{}", std::process::id()));
    fs::create_dir_all(&dir).unwrap();
    let output = gauntlet(&["run", "regex-hardened", utf8(&dir)], b"");
    let message = one_line_error(&output);
    assert!(message.contains("holds no input files"), "{message}");
    fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn repro_confirms_a_saved_finding_and_tells_its_story() {
    let dir = TempDir::new("repro");
    let file = dir.file("input", REDOS);
    let output = gauntlet(&["run", "regex-vulnerable", &file, "--json"], b"");
    let signature = json_lines(&output)[0]["signature"].as_str().unwrap().to_owned();

    // An input file with --target: the finding and the hardened twin's answer.
    let output = gauntlet(&["repro", "--target", "regex-vulnerable", &file], b"");
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let text = stdout(&output);
    assert!(text.starts_with(&format!("FINDING regex-vulnerable SuperlinearTime [{signature}]")));
    assert!(text.contains("  what:     SuperlinearTime (CWE-1333), expected"), "{text}");
    assert!(text.contains("  hardened: regex-hardened clean ("), "{text}");

    // A finding directory: the saved signature must come back.
    let saved = |signature: &str| {
        let json = serde_json::json!({
            "target": "regex-vulnerable",
            "kind": "SuperlinearTime",
            "signature": signature,
        });
        dir.file("finding.json", json.to_string().as_bytes());
    };
    saved(&signature);
    let output = gauntlet(&["repro", dir.path()], b"");
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let first = stdout(&output).lines().next().unwrap_or("");
    assert_eq!(first, format!("CONFIRMED regex-vulnerable SuperlinearTime [{signature}]"));
    saved("superlinear-time-0000000000000000");
    let output = gauntlet(&["repro", dir.path()], b"");
    assert_eq!(code(&output), 1, "{}", stderr(&output));
    assert!(stdout(&output).starts_with("CHANGED regex-vulnerable: saved SuperlinearTime"));

    let output = gauntlet(&["repro", "--target", "nope", &file], b"");
    assert!(one_line_error(&output).contains("valid targets: regex-vulnerable"));
}
