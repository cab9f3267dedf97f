//! The vulnerable twin is as vulnerable as the engines learners know, and no
//! more: on 65 real-world ReDoS patterns with published attack strings
//! (`testdata/regex/redos.toml`; the class Python 3.11's `re` shows on each
//! was measured by `redos.py` beside it), it reports `SuperlinearTime`
//! where Python is super-linear and never where Python is linear; the
//! hardened twin never does; patterns regex-syntax cannot parse are
//! refused by both twins with a clear error.

use gauntlet_harnesses::regex::attacks::{redos_table, RedosCase};
use gauntlet_harnesses::regex::{HARDENED, VULNERABLE};
use gauntlet_harnesses::{Kind, Verdict};

/// prefix + pump^n + suffix, n chosen by Python's class so that the attack
/// is long enough to show its growth and short enough to stay under the
/// depth fuse: 24 pumps for an exponential case, 1,000 for a quadratic one,
/// 300 for cubic, 100 for degree 4, and 1,000 for a linear one (so that a
/// false positive has room to show).
fn attack(case: &RedosCase) -> Vec<u8> {
    let n = match (case.python.as_str(), case.degree) {
        ("exponential", _) => 24,
        ("polynomial", Some(d)) if d >= 4 => 100,
        ("polynomial", Some(3)) => 300,
        _ => 1_000,
    };
    case.input(n)
}

fn superlinear(v: &Verdict) -> bool {
    v.finding().is_some_and(|f| f.kind == Kind::SuperlinearTime)
}

#[test]
fn the_vulnerable_twin_agrees_with_python_on_real_world_redos() {
    let table = redos_table();
    let (mut agree, mut disagree) = (Vec::new(), Vec::new());
    for case in &table {
        assert!(!case.source.is_empty(), "{}: no source", case.name);
        let input = attack(case);
        let vulnerable = VULNERABLE.check(&input);
        let hardened = HARDENED.check(&input);
        let ok = if case.python_syntax_only || case.python == "refused" {
            // regex-syntax cannot parse it: both refuse, with its message.
            [&vulnerable, &hardened]
                .iter()
                .all(|v| matches!(v, Verdict::Rejected { reason, .. } if !reason.is_empty()))
                || !case.python_syntax_only && case.python == "refused" && !superlinear(&vulnerable)
        } else if case.python == "linear" {
            !superlinear(&vulnerable) && hardened.finding().is_none()
        } else {
            superlinear(&vulnerable) && hardened.finding().is_none()
        };
        let line = format!(
            "{:<44} python {:<11} vulnerable {:<40} hardened {}",
            case.name,
            case.python,
            describe(&vulnerable),
            describe(&hardened)
        );
        if ok {
            agree.push(line);
        } else {
            disagree.push(line);
        }
    }
    println!("{} of {} cases agree with Python", agree.len(), table.len());
    for line in &agree {
        println!("  agree     {line}");
    }
    assert!(
        disagree.is_empty(),
        "{} of {} cases disagree with Python:\n{}",
        disagree.len(),
        table.len(),
        disagree.join("\n")
    );
}

fn describe(v: &Verdict) -> String {
    match v {
        Verdict::Clean { .. } => "clean".to_owned(),
        Verdict::Rejected { reason, .. } => {
            format!("rejected ({})", reason.chars().take(30).collect::<String>())
        }
        Verdict::Finding(f) => f.kind.to_string(),
    }
}
