//! `report.md`: what a person reads first.

use std::fmt::Write as _;

use gauntlet_harnesses::growth::sci;

use super::{FindingRecord, Report, Status, TargetReport, TimingReport};
use crate::baseline::BaselineReport;
use crate::text::{escape_bytes, hex_decode, truncate};

impl Report {
    /// `report.md`: the run's verdict and environment, a table of targets,
    /// the replay's failures, then every finding with its input and the
    /// commands that reproduce it.
    pub fn markdown(&self) -> String {
        let mut md = String::new();
        let status = Status::of(self.passed);
        let partial = if self.partial { " (PARTIAL: interrupted)" } else { "" };
        let _ = writeln!(md, "# gauntlet {} {}: {status}{partial}\n", self.command, self.run_id);
        let e = &self.environment;
        let _ = writeln!(
            md,
            "{} · {} · sanitizer {} · git {}{} · {} ({} CPUs) · {:.0} s\n",
            e.rustc,
            e.cargo_fuzz,
            e.sanitizer,
            e.git_hash,
            if e.git_dirty { " (dirty)" } else { "" },
            e.machine,
            e.cpus,
            self.elapsed_secs
        );
        let _ = writeln!(
            md,
            "| target | variant | budget | execs | exec/s | cov | corpus | findings | verdict |"
        );
        let _ = writeln!(md, "|---|---|---|---|---|---|---|---|---|");
        for t in &self.targets {
            let kinds: Vec<String> = t
                .findings
                .iter()
                .map(|f| format!("{}{}", f.kind, if f.expected { "" } else { " (unexpected)" }))
                .collect();
            let _ = writeln!(
                md,
                "| `{}` | {} | {} s | {} | {} | {} | {} | {} | **{}** {} |",
                t.name,
                t.variant,
                t.time_budget_secs,
                t.stats.executions,
                t.stats.exec_per_sec,
                t.stats.coverage,
                t.corpus_files,
                if kinds.is_empty() { "—".to_owned() } else { kinds.join(", ") },
                t.verdict,
                escape_md(&t.reason)
            );
        }
        let vulnerable: Vec<&TargetReport> =
            self.targets.iter().filter(|t| !t.classes.is_empty()).collect();
        if !vulnerable.is_empty() {
            let _ = writeln!(
                md,
                "\nEvery declared bug class of each vulnerable twin, rediscovered by \
                 fuzzing (seconds from the fuzzer's start to its first artifact):\n"
            );
            let _ = writeln!(md, "| target | class | found | first finding |");
            let _ = writeln!(md, "|---|---|---|---|");
            for t in vulnerable {
                for c in &t.classes {
                    let first = c.first_secs.map_or("—".to_owned(), |s| format!("{s:.1} s"));
                    let found = if c.found { "yes" } else { "**no**" };
                    let _ = writeln!(md, "| `{}` | {} | {found} | {first} |", t.name, c.kind);
                }
            }
        }
        if let Some(r) = &self.replay {
            let _ = writeln!(
                md,
                "\nReplay of committed files: {} passed, {} failed.",
                r.passed, r.failed
            );
            for x in r.results.iter().filter(|x| !x.pass) {
                let _ = writeln!(
                    md,
                    "- FAIL `{}` `{}`: expected {}, got {}",
                    x.target,
                    x.file,
                    x.expected,
                    escape_md(&x.got)
                );
            }
        }
        if let Some(why) = &self.stopped {
            let _ = writeln!(md, "\nStopped early: {}.", escape_md(why));
        }
        if let Some(b) = &self.baseline {
            baseline(&mut md, b, &self.targets);
        }
        if !self.promoted.is_empty() {
            let _ = writeln!(
                md,
                "\nPromoted to failing regressions (`--promote`; each fails the replay until \
                 the bug is fixed and its README entry says why):\n"
            );
            for file in &self.promoted {
                let _ = writeln!(md, "- `{file}`");
            }
        }
        let unstable: Vec<&FindingRecord> =
            self.findings().filter(|f| !f.determinism.same).collect();
        if !unstable.is_empty() {
            let _ = writeln!(md, "\nFindings that replay differently (the determinism gate):\n");
            for f in unstable {
                let why = f.determinism.detail.as_deref().unwrap_or("?");
                let _ = writeln!(md, "- `{}` `{}`: {}", f.target, f.signature, escape_md(why));
            }
        }
        if !self.timing.is_empty() {
            timing(&mut md, &self.timing);
        }
        let findings: Vec<&FindingRecord> = self.findings().collect();
        if !findings.is_empty() {
            let _ = writeln!(md, "\n## Findings\n");
        }
        for f in findings {
            let _ = writeln!(
                md,
                "### {} — {} (CWE-{}){}\n",
                f.target,
                f.kind,
                f.cwe,
                if f.expected { "" } else { " — UNEXPECTED" }
            );
            let _ = writeln!(md, "- signature: `{}`", f.signature);
            if let Some(state) = f.baseline {
                let _ = writeln!(md, "- since the baseline: **{state}**");
            }
            let _ = writeln!(
                md,
                "- replayed {} more times: {}",
                f.determinism.replays,
                if f.determinism.same { "same signature and cost" } else { "**differs**" }
            );
            let _ = writeln!(md, "- summary: {}", escape_md(&f.summary));
            let c = f.cost;
            let _ = writeln!(
                md,
                "- cost: steps {}, bytes_out {}, depth {}, probes {}",
                c.steps, c.bytes_out, c.depth, c.probes
            );
            if let Some(p) = &f.pump {
                let _ = writeln!(md, "- grows with the input: {}", escape_md(&p.describe()));
            }
            let _ = writeln!(md, "- artifacts with this signature: {}", f.artifacts);
            let shown = f.minimized.as_deref().unwrap_or(&f.input);
            let bytes = hex_decode(&f.input_hex);
            let _ = writeln!(md, "- input (`{shown}`, {} bytes):\n", bytes.len());
            let _ = writeln!(md, "  ```text\n  {}\n  ```", escape_bytes(&bytes, 600));
            if bytes.iter().any(|&b| b >= 0x80 || (b < 0x20 && b != b'\n' && b != b'\t')) {
                let _ = writeln!(md, "  hex: `{}`", truncate(&f.input_hex, 400));
            }
            let _ = writeln!(md, "- reproduce:\n");
            for cmd in &f.reproduce {
                let _ = writeln!(md, "  ```sh\n  {cmd}\n  ```");
            }
            let _ = writeln!(md);
        }
        md
    }
}

/// What changed since the baseline: every finding of this run new or
/// persisting, every earlier one replayed or fixed.
fn baseline(md: &mut String, b: &BaselineReport, targets: &[TargetReport]) {
    let _ = writeln!(
        md,
        "\n## Since the baseline\n\nBaseline `{}` (`{}`): **{} new**, {} persisting, {} fixed. \
         A finding is keyed by its signature; one the fuzzer did not meet again was replayed \
         from the baseline's input, and is fixed only if the target no longer gives it.\n",
        b.run_id,
        escape_md(&b.dir),
        b.new,
        b.persisting,
        b.fixed
    );
    let _ = writeln!(md, "| state | target | kind | signature | summary |");
    let _ = writeln!(md, "|---|---|---|---|---|");
    for f in targets.iter().flat_map(|t| &t.findings) {
        let state = f.baseline.map_or("—", |s| s.name());
        let unexpected = if f.expected { "" } else { " (unexpected)" };
        let _ = writeln!(
            md,
            "| {state}{unexpected} | `{}` | {} | `{}` | {} |",
            f.target,
            f.kind,
            f.signature,
            escape_md(&truncate(&f.summary, 160))
        );
    }
    for (state, known) in [("persisting (replayed)", &b.replayed), ("fixed", &b.fixed_findings)] {
        for k in known {
            let _ = writeln!(
                md,
                "| {state} | `{}` | {} | `{}` | {} |",
                k.target,
                k.kind,
                k.signature,
                escape_md(&truncate(&k.summary, 160))
            );
        }
    }
}

/// The timing stage: one row per twin and attack, the charts linked.
fn timing(md: &mut String, timing: &[TimingReport]) {
    let _ = writeln!(
        md,
        "\n## Asymmetric cost\n\nEach family's attacks on both twins (`gauntlet dos`, 0.1 s \
         budget a size): the growth class of the metered work (steps + probes + bytes out) \
         over the attack's size n, its exponent and the wall time's, and defender cost per \
         attacker byte at the largest size reached.\n"
    );
    let _ = writeln!(
        md,
        "| attack | twin | class | fit | work k | time k | ns per byte | peak bytes per byte | \
         vulnerable/hardened | chart |"
    );
    let _ = writeln!(md, "|---|---|---|---|---|---|---|---|---|---|");
    let num = |v: Option<f64>| v.map_or("—".to_owned(), sci);
    let k = |v: Option<f64>| v.map_or("—".to_owned(), |k| format!("{k:.2}"));
    for t in timing {
        for r in &t.twins {
            let ratio =
                r.ratio.map_or("—".to_owned(), |x| format!("{}x at n={}", sci(x.work), x.n));
            let _ = writeln!(
                md,
                "| {}/{} | `{}` | {} | {} | {} | {} | {} | {} | {ratio} | [svg]({}) |",
                t.family,
                t.attack,
                r.target,
                r.class.map_or("—", |c| c.name()),
                escape_md(r.formula.as_deref().unwrap_or("—")),
                k(r.exponent),
                k(r.time_exponent),
                num(r.ns_per_byte),
                num(r.peak_per_byte),
                t.chart
            );
        }
    }
}

/// Text fit for one Markdown table cell or list item: `|` escaped, newlines
/// made spaces.
fn escape_md(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

#[cfg(test)]
mod tests {
    use super::super::tests::sample;

    #[test]
    fn findings_show_their_input_escaped_and_in_hex() {
        let md = sample().markdown();
        assert!(md.starts_with("# gauntlet campaign 20261124T000000Z-abc: FAIL\n"), "{md}");
        assert!(md.contains("UNEXPECTED") && md.contains("many \\| steps"), "{md}");
        assert!(md.contains("  (a+)+$\\n\\xff\n"), "{md}");
        assert!(md.contains("hex: `28612b292b240aff`"), "{md}");
    }
}
