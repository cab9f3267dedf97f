//! `report.sarif`: SARIF 2.1.0, for GitHub code scanning and other SARIF
//! viewers.

use std::collections::BTreeMap;

use serde_sarif::sarif::{
    ArtifactLocation, Location, Message, MultiformatMessageString, PhysicalLocation, PropertyBag,
    ReportingDescriptor, Result as SarifResult, ResultKind, ResultLevel, Run, Sarif, Tool,
    ToolComponent,
};

use gauntlet_harnesses::Kind;

use super::Report;
use crate::baseline::State;

impl Report {
    /// `report.sarif`: one rule per pair of finding kind and CWE (id
    /// `<Kind>/CWE-<n>`, so two findings of one kind with different CWEs each
    /// name theirs), one result per unique finding, located at the target's
    /// source file, fingerprinted by signature. With a baseline, each
    /// result carries its `baselineState` (`new` or `unchanged`), and each
    /// baseline finding that is fixed is one more result, `absent`, of kind
    /// `pass` and level `none`.
    pub fn sarif(&self) -> Sarif {
        let fixed: &[crate::baseline::Known] =
            self.baseline.as_ref().map_or(&[], |b| &b.fixed_findings);
        // Rules in the order of their ids.
        let mut rules: BTreeMap<String, (Kind, u32)> = BTreeMap::new();
        for (kind, cwe) in
            self.findings().map(|f| (f.kind, f.cwe)).chain(fixed.iter().map(|k| (k.kind, k.cwe)))
        {
            rules.entry(rule_id(kind, cwe)).or_insert((kind, cwe));
        }
        let rule_index: BTreeMap<&str, i64> =
            rules.keys().enumerate().map(|(i, id)| (id.as_str(), i as i64)).collect();
        let descriptors: Vec<ReportingDescriptor> = rules
            .iter()
            .map(|(id, (kind, cwe))| {
                let text = format!("{} (CWE-{cwe})", kind.description());
                ReportingDescriptor::builder()
                    .id(id)
                    .name(kind.name())
                    .short_description(MultiformatMessageString::builder().text(text).build())
                    .help_uri(format!("https://cwe.mitre.org/data/definitions/{cwe}.html"))
                    .properties(PropertyBag {
                        tags: Some(vec!["security".to_owned(), format!("external/cwe/cwe-{cwe}")]),
                        ..Default::default()
                    })
                    .build()
            })
            .collect();
        let results: Vec<SarifResult> = self
            .targets
            .iter()
            .flat_map(|t| t.findings.iter().map(move |f| (t, f)))
            .map(|(t, f)| {
                let (fingerprints, mut props) =
                    identity(&f.signature, &f.target, f.expected, f.cwe);
                props.insert("cost".to_owned(), serde_json::json!(f.cost));
                props.insert(
                    "input".to_owned(),
                    serde_json::json!(f.minimized.as_ref().unwrap_or(&f.input)),
                );
                let message = Message {
                    text: Some(format!("{}: {}", f.target, f.summary)),
                    ..Default::default()
                };
                let rule = rule_id(f.kind, f.cwe);
                let mut result = SarifResult::builder()
                    .rule_index(rule_index[rule.as_str()])
                    .rule_id(rule)
                    .level(if f.expected { ResultLevel::Note } else { ResultLevel::Error })
                    .message(message)
                    .locations(vec![location(&t.source)])
                    .partial_fingerprints(fingerprints)
                    .properties(PropertyBag { additional_properties: props, ..Default::default() })
                    .build();
                result.baseline_state = f.baseline.map(|s| serde_json::json!(s.sarif()));
                result
            })
            .chain(fixed.iter().map(|k| {
                let source = gauntlet_harnesses::find(&k.target).map_or("", |t| t.source);
                let (fingerprints, props) = identity(&k.signature, &k.target, k.expected, k.cwe);
                let message = Message {
                    text: Some(format!("{}: fixed since the baseline: {}", k.target, k.summary)),
                    ..Default::default()
                };
                let rule = rule_id(k.kind, k.cwe);
                let mut result = SarifResult::builder()
                    .rule_index(rule_index[rule.as_str()])
                    .rule_id(rule)
                    .kind(ResultKind::Pass)
                    .level(ResultLevel::None)
                    .message(message)
                    .locations(vec![location(source)])
                    .partial_fingerprints(fingerprints)
                    .properties(PropertyBag { additional_properties: props, ..Default::default() })
                    .build();
                result.baseline_state = Some(serde_json::json!(State::Fixed.sarif()));
                result
            }))
            .collect();
        let driver = ToolComponent::builder()
            .name("gauntlet")
            .version(env!("CARGO_PKG_VERSION"))
            .information_uri(env!("CARGO_PKG_REPOSITORY"))
            .rules(descriptors)
            .build();
        let run =
            Run::builder().tool(Tool::builder().driver(driver).build()).results(results).build();
        Sarif::builder()
            .schema("https://json.schemastore.org/sarif-2.1.0.json")
            .version(serde_json::json!("2.1.0"))
            .runs(vec![run])
            .build()
    }
}

/// What every result carries, found now or fixed since the baseline: its
/// fingerprint (the signature) and the properties target, expected, cwe.
fn identity(
    signature: &str,
    target: &str,
    expected: bool,
    cwe: u32,
) -> (BTreeMap<String, String>, BTreeMap<String, serde_json::Value>) {
    let fingerprints = BTreeMap::from([("gauntletSignature/v1".to_owned(), signature.to_owned())]);
    let props = BTreeMap::from([
        ("target".to_owned(), serde_json::json!(target)),
        ("expected".to_owned(), serde_json::json!(expected)),
        ("cwe".to_owned(), serde_json::json!(cwe)),
    ]);
    (fingerprints, props)
}

/// A location at the file under attack.
fn location(source: &str) -> Location {
    Location {
        physical_location: Some(PhysicalLocation {
            artifact_location: Some(ArtifactLocation {
                uri: Some(source.to_owned()),
                ..Default::default()
            }),
            ..Default::default()
        }),
        ..Default::default()
    }
}

/// The id of the rule for findings of `kind` with CWE `cwe`:
/// `SuperlinearTime/CWE-1333`.
fn rule_id(kind: Kind, cwe: u32) -> String {
    format!("{kind}/CWE-{cwe}")
}

#[cfg(test)]
mod tests {
    use gauntlet_harnesses::Kind;
    use serde_sarif::sarif::{
        ReportingDescriptor, Result as SarifResult, ResultKind, ResultLevel, Sarif,
    };

    use crate::baseline::State;

    use super::super::tests::sample;

    fn rules(sarif: &Sarif) -> &[ReportingDescriptor] {
        sarif.runs[0].tool.driver.rules.as_deref().unwrap()
    }

    fn results(sarif: &Sarif) -> &[SarifResult] {
        sarif.runs[0].results.as_deref().unwrap()
    }

    /// The rule a result points at, checking that its index and id agree.
    fn rule_of<'a>(sarif: &'a Sarif, result: &SarifResult) -> &'a ReportingDescriptor {
        let rule = &rules(sarif)[usize::try_from(result.rule_index.unwrap()).unwrap()];
        assert_eq!(result.rule_id.as_ref(), Some(&rule.id));
        rule
    }

    #[test]
    fn one_rule_per_kind_and_cwe_one_result_per_finding_fingerprinted_by_signature() {
        let sarif = sample().sarif();
        let ids: Vec<&str> = rules(&sarif).iter().map(|r| r.id.as_str()).collect();
        assert_eq!(ids, ["Panic/CWE-1333", "SuperlinearTime/CWE-1333"]);
        assert_eq!(results(&sarif).len(), 2);
        let first = &results(&sarif)[0];
        assert_eq!(rule_of(&sarif, first).id, "SuperlinearTime/CWE-1333");
        let fp = first.partial_fingerprints.as_ref().unwrap();
        assert_eq!(fp["gauntletSignature/v1"], "superlineartime-0123456789abcdef");
    }

    #[test]
    fn with_a_baseline_results_carry_their_state_and_fixed_findings_are_absent() {
        let mut report = sample();
        report.targets[0].findings[0].baseline = Some(State::Persisting);
        report.targets[1].findings[0].baseline = Some(State::New);
        report.baseline = Some(crate::baseline::BaselineReport {
            run_id: "b".into(),
            dir: "reports/b".into(),
            new: 1,
            persisting: 1,
            fixed: 1,
            replayed: vec![],
            fixed_findings: vec![crate::baseline::Known {
                target: "json-hardened".into(),
                kind: Kind::UnboundedRecursion,
                cwe: 674,
                signature: "unboundedrecursion-0000000000000001".into(),
                summary: "deep".into(),
                expected: false,
                input_hex: String::new(),
            }],
        });
        let sarif = report.sarif();
        let states: Vec<String> = results(&sarif)
            .iter()
            .map(|r| r.baseline_state.as_ref().unwrap().as_str().unwrap().to_owned())
            .collect();
        assert_eq!(states, ["unchanged", "new", "absent"]);
        let absent = &results(&sarif)[2];
        assert_eq!(rule_of(&sarif, absent).id, "UnboundedRecursion/CWE-674");
        assert_eq!(absent.kind, Some(ResultKind::Pass));
        assert_eq!(absent.level, Some(ResultLevel::None));
        let uri = absent.locations.as_ref().unwrap()[0].physical_location.as_ref().unwrap();
        let uri = uri.artifact_location.as_ref().unwrap().uri.as_deref();
        assert_eq!(uri, Some("targets/src/json/hardened.rs"));
    }

    #[test]
    fn two_findings_of_one_kind_with_different_cwes_each_name_their_own() {
        let mut report = sample();
        let regex = &mut report.targets[0];
        let mut other = regex.findings[0].clone();
        other.cwe = 407;
        other.signature = "superlineartime-fedcba9876543210".into();
        regex.findings.push(other);
        let sarif = report.sarif();

        let ids: Vec<&str> = rules(&sarif).iter().map(|r| r.id.as_str()).collect();
        assert_eq!(ids, ["Panic/CWE-1333", "SuperlinearTime/CWE-1333", "SuperlinearTime/CWE-407"]);
        let mut seen = Vec::new();
        for result in results(&sarif) {
            let cwe = &result.properties.as_ref().unwrap().additional_properties["cwe"];
            let rule = rule_of(&sarif, result);
            let tags = rule.properties.as_ref().and_then(|p| p.tags.as_ref()).unwrap();
            assert!(tags.contains(&format!("external/cwe/cwe-{cwe}")), "{} {tags:?}", rule.id);
            let help = rule.help_uri.as_deref().unwrap();
            assert!(help.ends_with(&format!("/{cwe}.html")), "{help}");
            let text = rule.short_description.as_ref().unwrap().text.as_str();
            assert!(text.ends_with(&format!("(CWE-{cwe})")), "{text}");
            let fp = &result.partial_fingerprints.as_ref().unwrap()["gauntletSignature/v1"];
            seen.push((rule.name.clone().unwrap(), cwe.clone(), fp.clone()));
        }
        let superlinear = Kind::SuperlinearTime.name().to_owned();
        assert!(seen.contains(&(
            superlinear.clone(),
            1333.into(),
            "superlineartime-0123456789abcdef".into()
        )));
        assert!(seen.contains(&(
            superlinear,
            407.into(),
            "superlineartime-fedcba9876543210".into()
        )));
    }
}
