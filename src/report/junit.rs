//! `junit.xml`: the run as test cases, for CI dashboards.

use quick_junit::{NonSuccessKind, Report as Junit, TestCase, TestCaseStatus, TestSuite};

use super::{Report, Status};

impl Report {
    /// `junit.xml`: one test case per target (failed when the target's
    /// verdict is FAIL), plus one for the replay (failed when a replayed
    /// file failed).
    pub fn junit(&self) -> Junit {
        let mut suite = TestSuite::new(format!("gauntlet {}", self.command));
        for t in &self.targets {
            let status = match t.verdict {
                Status::Pass => TestCaseStatus::success(),
                Status::Fail => {
                    let mut s = TestCaseStatus::non_success(NonSuccessKind::Failure);
                    s.set_message(t.reason.clone());
                    let detail: Vec<String> = t
                        .findings
                        .iter()
                        .filter(|f| !f.expected)
                        .map(|f| {
                            format!("{} (CWE-{}) [{}]: {}", f.kind, f.cwe, f.signature, f.summary)
                        })
                        .collect();
                    s.set_description(detail.join("\n"));
                    s
                }
            };
            let mut case = TestCase::new(t.name.clone(), status);
            case.set_classname(format!("gauntlet.{}", t.family));
            case.set_time(std::time::Duration::from_secs_f64(t.stats.elapsed_secs.max(0.0)));
            suite.add_test_case(case);
        }
        if let Some(replay) = &self.replay {
            let mut failed = TestCaseStatus::success();
            let failures: Vec<String> =
                replay.results.iter().filter(|r| !r.pass).map(ToString::to_string).collect();
            if !failures.is_empty() {
                failed = TestCaseStatus::non_success(NonSuccessKind::Failure);
                failed.set_message(format!("{} replayed files failed", failures.len()));
                failed.set_description(failures.join("\n"));
            }
            let mut case = TestCase::new("replay", failed);
            case.set_classname("gauntlet.replay");
            suite.add_test_case(case);
        }
        let mut report = Junit::new("gauntlet");
        report.add_test_suite(suite);
        report
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::sample;
    use super::super::{ReplayRecord, ReplayReport};

    #[test]
    fn one_case_per_target_and_one_for_the_replay() {
        let junit = sample().junit();
        assert_eq!(junit.test_suites[0].test_cases.len(), 3);
        assert_eq!(junit.failures, 1);
    }

    #[test]
    fn a_failing_replayed_file_fails_the_replay_case() {
        let mut report = sample();
        let record = ReplayRecord {
            target: "regex-hardened".into(),
            file: "corpora/regex_hardened/x".into(),
            source: "seed".into(),
            expected: "no finding".into(),
            got: "Panic".into(),
            pass: false,
        };
        report.replay = Some(ReplayReport { passed: 0, failed: 1, results: vec![record] });
        let line = "regex-hardened corpora/regex_hardened/x: expected no finding, got Panic";
        assert!(report.failures().contains(&format!("replay {line}")));
        let junit = report.junit();
        assert_eq!(junit.failures, 2);
        let xml = junit.to_string().unwrap();
        assert!(xml.contains("1 replayed files failed") && xml.contains(line), "{xml}");
    }
}
