//! `report.sarif`: SARIF 2.1.0, for GitHub code scanning and other SARIF
//! viewers.

use std::collections::BTreeMap;

use serde_sarif::sarif::{
    ArtifactLocation, Location, Message, MultiformatMessageString, PhysicalLocation, PropertyBag,
    ReportingDescriptor, Result as SarifResult, ResultLevel, Run, Sarif, Tool, ToolComponent,
};

use gauntlet_harnesses::Kind;

use super::Report;

impl Report {
    /// `report.sarif`: one rule per pair of finding kind and CWE (id
    /// `<Kind>/CWE-<n>`, so two findings of one kind with different CWEs each
    /// name theirs), one result per unique finding, located at the target's
    /// source file, fingerprinted by signature.
    pub fn sarif(&self) -> Sarif {
        // Rules in the order of their ids.
        let mut rules: BTreeMap<String, (Kind, u32)> = BTreeMap::new();
        for f in self.findings() {
            rules.entry(rule_id(f.kind, f.cwe)).or_insert((f.kind, f.cwe));
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
                let mut fingerprints = BTreeMap::new();
                fingerprints.insert("gauntletSignature/v1".to_owned(), f.signature.clone());
                let mut props = BTreeMap::new();
                props.insert("target".to_owned(), serde_json::json!(f.target));
                props.insert("expected".to_owned(), serde_json::json!(f.expected));
                props.insert("cwe".to_owned(), serde_json::json!(f.cwe));
                props.insert("cost".to_owned(), serde_json::json!(f.cost));
                props.insert(
                    "input".to_owned(),
                    serde_json::json!(f.minimized.as_ref().unwrap_or(&f.input)),
                );
                let location = Location {
                    physical_location: Some(PhysicalLocation {
                        artifact_location: Some(ArtifactLocation {
                            uri: Some(t.source.clone()),
                            ..Default::default()
                        }),
                        ..Default::default()
                    }),
                    ..Default::default()
                };
                let message = Message {
                    text: Some(format!("{}: {}", f.target, f.summary)),
                    ..Default::default()
                };
                let rule = rule_id(f.kind, f.cwe);
                SarifResult::builder()
                    .rule_index(rule_index[rule.as_str()])
                    .rule_id(rule)
                    .level(if f.expected { ResultLevel::Note } else { ResultLevel::Error })
                    .message(message)
                    .locations(vec![location])
                    .partial_fingerprints(fingerprints)
                    .properties(PropertyBag { additional_properties: props, ..Default::default() })
                    .build()
            })
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

/// The id of the rule for findings of `kind` with CWE `cwe`:
/// `SuperlinearTime/CWE-1333`.
fn rule_id(kind: Kind, cwe: u32) -> String {
    format!("{kind}/CWE-{cwe}")
}

#[cfg(test)]
mod tests {
    use gauntlet_harnesses::Kind;
    use serde_sarif::sarif::{ReportingDescriptor, Result as SarifResult, Sarif};

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
