//! The `gauntlet` binary end to end: `list`, `run`, `replay` and `repro`, their output
//! formats, exit codes and one-line error messages.

use std::fs;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

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
    assert_eq!(v["fuzz_target"], "regex_vulnerable");
    assert_eq!(v["dict"], "corpora/regex/regex.dict");
    assert_eq!(v["seeds"], "corpora/regex/seeds");
    let format = records.iter().find(|r| r["name"] == "format-hardened").unwrap();
    assert_eq!(format["fuzz_args"], serde_json::json!(["-max_len=16384"]));
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
    // Clean, with the twin's answer in words, then the metered cost.
    let line = stdout(&output);
    assert!(line.starts_with(&format!("{file}: clean: no match (steps ")), "{line}");
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
fn usage_errors_are_one_line_with_exit_2_and_help_exits_0() {
    let cases: [(&[&str], &str); 5] = [
        (&["run"], "the following required arguments were not provided: <TARGET>; usage: "),
        (&["bogus"], "unrecognized subcommand 'bogus'"),
        (&["run", "regex-hardened", "--max-input", "x"], "invalid value 'x' for '--max-input"),
        (&["run", "regex-hardened", "--bogus"], "unexpected argument '--bogus' found"),
        (&[], "no command given"),
    ];
    for (args, message) in cases {
        let output = gauntlet(args, b"");
        let err = one_line_error(&output);
        assert!(err.contains(message) && err.ends_with("; try '--help'\n"), "{args:?}: {err}");
        assert!(output.stdout.is_empty(), "{args:?}");
    }
    for args in [&["--help"][..], &["run", "--help"], &["list", "-h"], &["--version"]] {
        let output = gauntlet(args, b"");
        assert_eq!(code(&output), 0, "{args:?}");
        assert!(!output.stdout.is_empty(), "{args:?}");
    }
    let help = stdout(&gauntlet(&["run", "--help"], b"")).to_owned();
    assert!(help.contains("A bad input named on the command line stops the run"), "{help}");
    assert!(help.contains("A bad entry of a directory does not"), "{help}");
}

/// Every family says what its twin answered, in words, printed beside
/// a clean verdict, and as `answer` in JSON: a learner sees the value, not
/// only that nothing fired.
#[test]
fn run_prints_the_answer_of_a_clean_integer_line() {
    let dir = TempDir::new("answer");
    let min = dir.file("min.txt", b"parse i32 -2147483648");
    let narrow = dir.file("narrow.txt", b"narrow i64 u8 300");
    let out = gauntlet(&["run", "int-hardened", &min], b"");
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(stdout(&out).contains("min.txt: clean: -2147483648 (i32) (steps"), "{}", stdout(&out));
    let out = gauntlet(&["run", "int-vulnerable", &narrow, "--json"], b"");
    let record = &json_lines(&out)[0];
    assert_eq!(record["verdict"], "finding");
    assert_eq!(record["answer"], Value::Null, "a finding's answer is its summary");
    let out = gauntlet(&["run", "int-hardened", &narrow, "--json"], b"");
    assert_eq!(json_lines(&out)[0]["verdict"], "rejected");
    let ok = dir.file("ok.txt", b"narrow i64 u8 200");
    let out = gauntlet(&["run", "int-vulnerable", &ok, "--json"], b"");
    assert_eq!(json_lines(&out)[0]["answer"], "200 (i64) -> 200 (u8)");
    let regex = dir.file("plain.txt", b"a+\nbaab");
    let out = gauntlet(&["run", "regex-hardened", &regex, "--json"], b"");
    assert_eq!(json_lines(&out)[0]["answer"], "match at 1..3: \"aa\"");
    let seeds = concat!(env!("CARGO_MANIFEST_DIR"), "/corpora");
    let path = format!("{seeds}/path/seeds/css.txt");
    let out = gauntlet(&["run", "path-hardened", &path, "--json"], b"");
    assert_eq!(json_lines(&out)[0]["answer"], "serves /srv/app/public/css/site.css (19 bytes)");
    let format = format!("{seeds}/format/seeds/auto.txt");
    let out = gauntlet(&["run", "format-vulnerable", &format, "--json"], b"");
    assert_eq!(json_lines(&out)[0]["answer"], "formats \"alice scored 42.00\" (18 bytes)");
    let xml = dir.file("doc.xml", b"<!DOCTYPE a [<!ENTITY e \"hi\">]><a><b>&e;&e;</b><c/></a>");
    let out = gauntlet(&["run", "xml-hardened", &xml, "--json"], b"");
    assert_eq!(json_lines(&out)[0]["answer"], "root <a>, 3 elements, 4 bytes of text");
    let json = dir.file("doc.json", b"{\"a\": [1, 2], \"b\": \"x\"}");
    let out = gauntlet(&["run", "json-hardened", &json, "--json"], b"");
    assert_eq!(json_lines(&out)[0]["answer"], "an object of 2 members, nesting depth 2");
}

/// The campaign's and coverage's own argument errors: all before any build
/// or fuzzing, one line, exit 2.
#[test]
fn campaign_and_coverage_refuse_bad_arguments_before_any_work() {
    let dir = TempDir::new("baseline");
    let not_a_report = dir.file("report.json", b"{\"run_id\": 3}");
    let not_a_report = Path::new(&not_a_report).parent().unwrap().to_str().unwrap().to_owned();
    let missing = format!("{}/missing", dir.0.display());
    let root = env!("CARGO_MANIFEST_DIR");
    let cases: [(Vec<&str>, &str); 6] = [
        (
            vec!["campaign", "--mode", "prune", "--no-install"],
            "--mode prune minimises a working corpus: name it with --corpus DIR",
        ),
        (vec!["campaign", "--mode", "weekly"], "invalid value 'weekly' for '--mode"),
        (vec!["campaign", "--baseline", &missing, "--no-baseline"], "cannot be used with"),
        (
            vec!["campaign", "--baseline", &missing, "--no-install", "--root", root],
            "cannot read the baseline",
        ),
        (
            vec!["campaign", "--baseline", &not_a_report, "--no-install", "--root", root],
            "is not a gauntlet report.json",
        ),
        (vec!["coverage"], "the following required arguments were not provided"),
    ];
    for (args, message) in cases {
        let output = gauntlet(&args, b"");
        let err = one_line_error(&output);
        assert!(err.contains(message), "{args:?}: {err}");
    }
    let output = gauntlet(&["coverage", "json-hardened", "--all"], b"");
    assert!(one_line_error(&output).contains("cannot be used with"));
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
    assert!(first.starts_with(&format!("{}/00000: clean: ", dir.path())), "{first}");
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

// Issue 9: the command line must not have the bugs it teaches. Each test
// below is an attack that worked on an earlier gauntlet.

/// How long a run that must not block may take before the test calls it
/// blocked: generous, as a loaded machine is slow; a run that blocks never
/// ends.
const BLOCKED: Duration = Duration::from_secs(20);

/// Runs `command` (stdin empty), killing it and failing the test if it has
/// not ended within [`BLOCKED`].
fn within_limit(command: &mut Command) -> Output {
    let mut child = command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("gauntlet starts");
    let started = Instant::now();
    while child.try_wait().expect("gauntlet runs").is_none() {
        if started.elapsed() > BLOCKED {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{command:?} still ran after {BLOCKED:?}: it blocked");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().expect("gauntlet runs")
}

/// The binary with `args`, for [`within_limit`].
fn command(args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_gauntlet"));
    command.args(args);
    command
}

/// Makes a FIFO at `path` with mkfifo(1); false, with the reason printed,
/// when there is no mkfifo to run.
fn mkfifo(path: &Path) -> bool {
    match Command::new("mkfifo").arg(path).status() {
        Ok(status) => {
            assert!(status.success(), "mkfifo {} failed", path.display());
            true
        }
        Err(e) => {
            eprintln!("skipped: cannot run mkfifo ({e}), so no FIFO to test with");
            false
        }
    }
}

/// The signature regex-vulnerable gives [`REDOS`].
fn redos_signature(dir: &TempDir) -> String {
    let file = dir.file("redos-for-signature", REDOS);
    let output = gauntlet(&["run", "regex-vulnerable", &file, "--json"], b"");
    json_lines(&output)[0]["signature"].as_str().expect("a signature").to_owned()
}

/// A finding directory `dir/name` of regex-vulnerable on [`REDOS`], with a
/// finding.json holding `target`, `kind` and `signature`.
fn finding_dir(dir: &TempDir, name: &str, target: &str, kind: &str, signature: &str) -> PathBuf {
    let finding = dir.0.join(name);
    fs::create_dir_all(&finding).unwrap();
    fs::write(finding.join("input"), REDOS).unwrap();
    let json = serde_json::json!({ "target": target, "kind": kind, "signature": signature });
    fs::write(finding.join("finding.json"), json.to_string()).unwrap();
    finding
}

/// Asserts that no ESC, BEL or bidirectional override reached the terminal
/// on either stream.
fn no_terminal_controls(output: &Output) {
    for (name, bytes) in [("stdout", &output.stdout), ("stderr", &output.stderr)] {
        let text = String::from_utf8_lossy(bytes);
        for c in ['\u{1b}', '\u{7}', '\u{9b}', '\u{202e}'] {
            assert!(!text.contains(c), "{c:?} on {name}: {text}");
        }
    }
}

#[cfg(unix)]
#[test]
fn repro_reads_no_device_and_no_fifo() {
    // /dev/zero never ends: read to its end, it took all memory.
    let output = within_limit(&mut command(&["repro", "/dev/zero", "--target", "json-hardened"]));
    let err = one_line_error(&output);
    assert!(err.contains("/dev/zero is a character device, not a regular file"), "{err}");
    assert!(output.stdout.is_empty());

    // A FIFO without a writer: its open waited forever.
    let dir = TempDir::new("repro-fifo");
    let fifo = dir.0.join("fifo");
    if !mkfifo(&fifo) {
        return;
    }
    let output = within_limit(&mut command(&["repro", utf8(&fifo), "--target", "regex-hardened"]));
    let err = one_line_error(&output);
    assert!(err.contains(&format!("{} is a FIFO, not a regular file", utf8(&fifo))), "{err}");

    // The same as the input of a finding directory.
    let signature = redos_signature(&dir);
    let finding = finding_dir(&dir, "finding", "regex-vulnerable", "SuperlinearTime", &signature);
    fs::remove_file(finding.join("input")).unwrap();
    assert!(mkfifo(&finding.join("input")));
    let output = within_limit(&mut command(&["repro", utf8(&finding)]));
    let err = one_line_error(&output);
    assert!(err.contains("/input is a FIFO, not a regular file"), "{err}");
}

#[cfg(unix)]
#[test]
fn repro_follows_no_link_out_of_a_finding_directory() {
    let dir = TempDir::new("repro-links");
    let signature = redos_signature(&dir);
    let finding = finding_dir(&dir, "finding", "regex-vulnerable", "SuperlinearTime", &signature);
    let repro = || within_limit(&mut command(&["repro", utf8(&finding)]));
    assert_eq!(code(&repro()), 0, "{}", stderr(&repro()));

    // A minimised input that is a link to a file inside the directory is
    // read; one that leads out of it (to a secret, say) is refused.
    std::os::unix::fs::symlink("input", finding.join("minimized")).unwrap();
    assert_eq!(code(&repro()), 0, "{}", stderr(&repro()));
    fs::remove_file(finding.join("minimized")).unwrap();
    let outside = dir.file("outside", b"a secret outside the finding directory");
    std::os::unix::fs::symlink(&outside, finding.join("minimized")).unwrap();
    let output = repro();
    let err = one_line_error(&output);
    let refused = format!("/minimized is a link to {outside}, outside the finding directory");
    assert!(err.contains(&refused), "{err}");
    assert!(output.stdout.is_empty() && !stdout(&output).contains("secret"));
    fs::remove_file(finding.join("minimized")).unwrap();

    // input and finding.json as links to /dev/zero: refused before a byte
    // is read.
    for name in ["input", "finding.json"] {
        let path = finding.join(name);
        let saved = fs::read(&path).unwrap();
        fs::remove_file(&path).unwrap();
        std::os::unix::fs::symlink("/dev/zero", &path).unwrap();
        let output = repro();
        let err = one_line_error(&output);
        assert!(err.contains(&format!("/{name} is a link to /dev/zero, outside")), "{err}");
        fs::remove_file(&path).unwrap();
        fs::write(&path, saved).unwrap();
    }
}

#[test]
fn repro_caps_what_it_reads_by_the_bytes_read() {
    let dir = TempDir::new("repro-caps");
    // A file that says it is empty but is not: the cap counts bytes read.
    let proc_file = Path::new("/proc/self/maps");
    if fs::metadata(proc_file).is_ok_and(|m| m.len() == 0) {
        let args = ["repro", utf8(proc_file), "--target", "regex-hardened", "--max-input", "10"];
        let output = gauntlet(&args, b"");
        let err = one_line_error(&output);
        assert!(err.contains("/proc/self/maps is over the --max-input cap of 10 bytes"), "{err}");
    } else {
        eprintln!("skipped the /proc part: no /proc/self/maps of size 0 here");
    }

    // An input over --max-input.
    let file = dir.file("big", &[b'a'; 100]);
    let output =
        gauntlet(&["repro", &file, "--target", "regex-hardened", "--max-input", "99"], b"");
    let err = one_line_error(&output);
    assert!(err.contains("is 100 bytes, over the --max-input cap of 99 bytes"), "{err}");

    // A finding.json is a few KiB; 2 MiB of it is refused.
    let signature = redos_signature(&dir);
    let finding = finding_dir(&dir, "finding", "regex-vulnerable", "SuperlinearTime", &signature);
    let json = fs::read_to_string(finding.join("finding.json")).unwrap();
    let padded = format!("{json}{}", " ".repeat(2 << 20));
    fs::write(finding.join("finding.json"), padded).unwrap();
    let output = gauntlet(&["repro", utf8(&finding)], b"");
    let err = one_line_error(&output);
    assert!(err.contains("over the finding.json size limit of 1048576 bytes"), "{err}");
}

#[test]
fn repro_refuses_a_forged_finding_json() {
    let dir = TempDir::new("repro-forged");
    let signature = redos_signature(&dir);
    // Clears the screen, sets the window title and writes a CONFIRMED line
    // of its own, when printed raw.
    let forged = "\u{1b}[2J\u{1b}[H\u{1b}]0;owned\u{7}CONFIRMED regex-hardened SuperlinearTime";
    let wrong_digits = format!("{}A", &signature[..signature.len() - 1]);
    let cases: [(&str, &str, &str, &str); 6] = [
        ("regex-vulnerable", forged, &signature, "unknown kind \"\\u{1b}[2J"),
        ("regex-vulnerable", "Bogus", &signature, "unknown kind \"Bogus\"; known kinds: "),
        (forged, "SuperlinearTime", &signature, "unknown target \"\\u{1b}[2J"),
        ("regex-vulnerable", "SuperlinearTime", forged, "signature \"\\u{1b}[2J"),
        ("regex-vulnerable", "SuperlinearTime", &wrong_digits, "is not superlinear-time-<16"),
        ("regex-vulnerable", "Panic", &signature, "is not panic-<16 lowercase hex digits>"),
    ];
    for (i, (target, kind, signature, message)) in cases.into_iter().enumerate() {
        let finding = finding_dir(&dir, &format!("f{i}"), target, kind, signature);
        let output = gauntlet(&["repro", utf8(&finding)], b"");
        no_terminal_controls(&output);
        let err = one_line_error(&output);
        let prefix = format!(
            "gauntlet: error: {}/finding.json is not a valid finding.json: ",
            utf8(&finding)
        );
        assert!(err.starts_with(&prefix) && err.contains(message), "case {i}: {err}");
        assert!(output.stdout.is_empty(), "case {i}: {}", stdout(&output));
    }
    let output = gauntlet(&["repro", utf8(&finding_dir(&dir, "not-json", "x", "y", "z"))], b"");
    one_line_error(&output);
    fs::write(dir.0.join("not-json").join("finding.json"), b"[1, 2").unwrap();
    let output = gauntlet(&["repro", utf8(&dir.0.join("not-json"))], b"");
    assert!(one_line_error(&output).contains("is not a finding.json: "), "{}", stderr(&output));
}

#[cfg(unix)]
#[test]
fn run_reports_a_broken_link_in_a_directory_and_runs_the_other_files() {
    let dir = TempDir::new("broken-links");
    dir.file("a-good", b"a+\naaa");
    dir.file("c-redos", REDOS);
    std::os::unix::fs::symlink(dir.0.join("nowhere"), dir.0.join("b-dangling")).unwrap();
    std::os::unix::fs::symlink(dir.0.join("d-loop"), dir.0.join("d-loop")).unwrap();

    let output = gauntlet(&["run", "regex-vulnerable", dir.path(), "--json"], b"");
    assert_eq!(code(&output), 2, "{}", stderr(&output));
    let inputs: Vec<String> =
        json_lines(&output).iter().map(|r| r["input"].as_str().unwrap().to_owned()).collect();
    assert_eq!(inputs, [format!("{}/a-good", dir.path()), format!("{}/c-redos", dir.path())]);
    let err: Vec<&str> = stderr(&output).lines().collect();
    assert_eq!(err.len(), 3, "{err:?}");
    for (line, name) in err.iter().zip(["b-dangling", "d-loop"]) {
        let warning = format!("gauntlet: warning: cannot read {}/{name}: ", dir.path());
        assert!(line.starts_with(&warning) && line.ends_with("; skipped"), "{line}");
    }
    assert_eq!(
        err[2],
        "gauntlet: error: skipped 2 directory entries that could not be read (see the warnings \
         above)"
    );
}

#[test]
fn messages_about_a_path_with_a_newline_or_an_escape_stay_one_line() {
    let dir = TempDir::new("odd-names");
    let odd = format!("{}/x\n\u{1b}[2J\u{1b}]0;t\u{7}\u{202e}y", dir.path());
    let shown = format!("{}/x\\n\\u{{1b}}[2J\\u{{1b}}]0;t\\u{{7}}\\u{{202e}}y", dir.path());
    for args in [
        &["run", "regex-hardened", odd.as_str()][..],
        &["repro", "--target", "regex-hardened", odd.as_str()],
        &["repro", odd.as_str()],
    ] {
        let output = gauntlet(args, b"");
        no_terminal_controls(&output);
        let err = one_line_error(&output);
        assert!(err.contains(&format!("cannot read {shown}: ")), "{err}");
    }

    // The same name on a file that exists, and on an empty directory.
    fs::write(&odd, b"a\na").unwrap();
    let output = gauntlet(&["run", "regex-hardened", &odd], b"");
    no_terminal_controls(&output);
    assert!(stdout(&output).starts_with(&format!("{shown}: clean: ")), "{}", stdout(&output));
    assert_eq!(stdout(&output).lines().count(), 1);
    fs::remove_file(&odd).unwrap();
    fs::create_dir(&odd).unwrap();
    let output = gauntlet(&["run", "regex-hardened", &odd], b"");
    no_terminal_controls(&output);
    assert_eq!(one_line_error(&output), format!("gauntlet: error: {shown} holds no input files\n"));
}

#[cfg(unix)]
#[test]
fn names_that_are_not_utf8_print_apart() {
    use std::ffi::OsStr;
    use std::os::unix::ffi::OsStrExt;
    let dir = TempDir::new("not-utf8");
    for name in [&b"a\xfe"[..], b"a\xff", b"a\\xff"] {
        if let Err(e) = fs::write(dir.0.join(OsStr::from_bytes(name)), b"a\na") {
            eprintln!("skipped: this file system refuses a name that is not UTF-8 ({e})");
            return;
        }
    }
    let expected = [r"a\\xff", r"a\xfe", r"a\xff"].map(|n| format!("{}/{n}", dir.path()));
    let output = gauntlet(&["run", "regex-hardened", dir.path()], b"");
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let names: Vec<&str> =
        stdout(&output).lines().map(|l| l.split(": clean").next().unwrap()).collect();
    assert_eq!(names, expected);
    let output = gauntlet(&["run", "regex-hardened", dir.path(), "--json"], b"");
    let inputs: Vec<String> =
        json_lines(&output).iter().map(|r| r["input"].as_str().unwrap().to_owned()).collect();
    assert_eq!(inputs, expected, "JSON names the files as the text does");
}

#[cfg(unix)]
#[test]
fn a_closed_stdout_is_an_error_and_dev_null_is_not() {
    // `gauntlet list >&-`: nothing can read the output.
    let output = within_limit(Command::new("sh").args([
        "-c",
        "exec \"$0\" list >&-",
        env!("CARGO_BIN_EXE_gauntlet"),
    ]));
    let err = one_line_error(&output);
    assert!(err.contains("stdout is closed"), "{err}");

    // `gauntlet list >/dev/null`: the output is discarded on purpose.
    for script in ["exec \"$0\" list >/dev/null", "exec \"$0\" list 2>&1 >/dev/null | cat"] {
        let output =
            within_limit(Command::new("sh").args(["-c", script, env!("CARGO_BIN_EXE_gauntlet")]));
        assert_eq!(code(&output), 0, "{script}: {}", stderr(&output));
        assert!(output.stdout.is_empty() && output.stderr.is_empty(), "{script}");
    }
}

/// A stand-in for `cargo`, found first on PATH: `cargo fuzz --version` and
/// `cargo fuzz build` succeed; `cargo fuzz run` fails as libFuzzer does when
/// its corpus or artifact directory is not where it is told (it runs in the
/// repository root), and otherwise reports 100 clean executions.
#[cfg(unix)]
const FAKE_CARGO: &str = r#"#!/bin/sh
[ "$1" = fuzz ] || exit 101
case "$2" in
--version) echo "cargo-fuzz 0.0.0 (test stand-in)" ;;
build) ;;
run)
  corpus=$6
  artifacts=
  for arg in "$@"; do
    case $arg in -artifact_prefix=*) artifacts=${arg#-artifact_prefix=} ;; esac
  done
  if [ ! -d "$corpus" ] || [ ! -d "$artifacts" ]; then
    echo "stand-in: no directory $corpus or $artifacts in $(pwd)" >&2
    exit 1
  fi
  printf '#100\tDONE   cov: 10 ft: 10 corp: 1/1b exec/s: 100 rss: 30Mb\n' >&2
  echo "stat::number_of_executed_units: 100" >&2 ;;
*) exit 101 ;;
esac
"#;

#[cfg(unix)]
#[test]
fn fuzz_resolves_relative_out_and_root_from_where_it_runs() {
    use std::os::unix::fs::PermissionsExt;
    let dir = TempDir::new("fuzz-relative");
    let bin = dir.0.join("bin");
    fs::create_dir_all(&bin).unwrap();
    let cargo = bin.join("cargo");
    fs::write(&cargo, FAKE_CARGO).unwrap();
    fs::set_permissions(&cargo, fs::Permissions::from_mode(0o755)).unwrap();
    fs::create_dir_all(dir.0.join("root").join("corpora")).unwrap();
    let work = dir.0.join("work");
    fs::create_dir_all(&work).unwrap();
    let path = std::env::join_paths(
        std::iter::once(bin).chain(std::env::split_paths(&std::env::var_os("PATH").unwrap())),
    )
    .unwrap();

    let args = ["fuzz", "regex-hardened", "--time", "1", "--out", "reports", "--root", "../root"];
    let output =
        within_limit(command(&args).arg("--no-install").current_dir(&work).env("PATH", path));
    assert_eq!(code(&output), 0, "{}\n{}", stdout(&output), stderr(&output));
    let text = stdout(&output);
    assert!(text.starts_with("regex-hardened: PASS — no finding in 100 executions"), "{text}");
    // The run directory is where the caller meant: under work/, not root/.
    let runs: Vec<_> = fs::read_dir(work.join("reports")).unwrap().collect();
    assert_eq!(runs.len(), 1, "{runs:?}");
    assert!(!dir.0.join("root").join("reports").exists());
    let report = runs[0].as_ref().unwrap().path().join("report.json");
    assert!(report.is_file(), "{}", report.display());
}

#[test]
fn dos_fits_the_growth_of_both_twins_and_writes_json_and_a_chart() {
    let dir = TempDir::new("dos");
    let out = gauntlet(
        &[
            "dos",
            "regex",
            "--attack",
            "trailing-whitespace",
            "--sizes",
            "16,32,64,128,256,512,1024,2048",
            "--repeats",
            "1",
            "--out",
            dir.path(),
            "--json",
        ],
        b"",
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let lines = json_lines(&out);
    assert_eq!(lines.len(), 2, "one object per twin");
    for line in &lines {
        for key in [
            "target",
            "attack",
            "sizes",
            "input_bytes",
            "steps",
            "time_ns",
            "peak_bytes",
            "class",
            "exponent",
            "base",
            "r2",
            "ns_per_byte",
        ] {
            assert!(line.get(key).is_some(), "{key} missing from {line}");
        }
    }
    // The class comes from the metered work: deterministic.
    assert_eq!(lines[0]["target"], "regex-vulnerable");
    assert_eq!(lines[0]["class"], "quadratic", "{}", lines[0]);
    assert_eq!(lines[0]["base"], Value::Null);
    assert_eq!(lines[1]["class"], "linear", "{}", lines[1]);
    let timing = fs::read_dir(dir.path())
        .unwrap()
        .next()
        .expect("a run directory")
        .unwrap()
        .path()
        .join("timing");
    let svg = fs::read_to_string(timing.join("regex-trailing-whitespace.svg")).unwrap();
    assert!(svg.starts_with("<svg") && svg.contains("quadratic"), "{}", &svg[..200.min(svg.len())]);
    let record: Value = serde_json::from_slice(
        &fs::read(timing.join("regex-hardened-trailing-whitespace.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(record["class"], "linear");
}

#[test]
fn dos_lists_its_attacks_and_refuses_bad_ones() {
    let out = gauntlet(&["dos", "--list"], b"");
    assert_eq!(code(&out), 0);
    for name in ["nested-plus", "billion-laughs", "colliding-keys", "quadratic-blowup"] {
        assert!(stdout(&out).contains(name), "{name} not listed:\n{}", stdout(&out));
    }
    let bad = gauntlet(&["dos", "regex", "--attack", "nope", "--no-files"], b"");
    assert!(one_line_error(&bad).contains("unknown attack \"nope\""));
    let huge = gauntlet(&["dos", "json", "--sizes", "99999999999", "--no-files"], b"");
    assert!(one_line_error(&huge).contains("out of range"));
    let differential = gauntlet(&["dos", "json-differential", "--no-files"], b"");
    assert!(one_line_error(&differential).contains("no twin of its own"));
    let unknown = gauntlet(&["dos", "yaml", "--no-files"], b"");
    assert!(one_line_error(&unknown).contains("unknown family or twin"));
}
