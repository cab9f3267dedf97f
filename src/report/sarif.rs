//! `report.sarif`: SARIF 2.1.0, for GitHub code scanning and other SARIF
//! viewers.

use std::collections::BTreeMap;

use serde_sarif::sarif::{
    ArtifactLocation, Location, Message, MultiformatMessageString, PhysicalLocation, PropertyBag,
    ReportingDescriptor, Result as SarifResult, ResultLevel, Run, Sarif, Tool, ToolComponent,
};

use gauntlet_harnesses::Kind;

use super::{FindingRecord, Report};

impl Report {
    /// `report.sarif`: one rule per finding kind, one result per unique
    /// finding, located at the target's source file, fingerprinted by
    /// signature.
    pub fn sarif(&self) -> Sarif {
        let findings: Vec<&FindingRecord> = self.findings().collect();
        // Rules in the order of their ids.
        let mut kinds: BTreeMap<&str, (Kind, u32)> = BTreeMap::new();
        for f in &findings {
            kinds.entry(f.kind.name()).or_insert((f.kind, f.cwe));
        }
        let rule_index: BTreeMap<&str, i64> =
            kinds.keys().enumerate().map(|(i, k)| (*k, i as i64)).collect();
        let rules: Vec<ReportingDescriptor> = kinds
            .values()
            .map(|(kind, cwe)| {
                let text = format!("{} (CWE-{cwe})", kind.description());
                ReportingDescriptor::builder()
                    .id(kind.name())
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
        let results: Vec<SarifResult> = findings
            .iter()
            .map(|f| {
                let source = self
                    .targets
                    .iter()
                    .find(|t| t.name == f.target)
                    .map(|t| t.source.clone())
                    .unwrap_or_default();
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
                            uri: Some(source),
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
                SarifResult::builder()
                    .rule_id(f.kind.name())
                    .rule_index(rule_index.get(f.kind.name()).copied().unwrap_or(0))
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
            .rules(rules)
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

#[cfg(test)]
mod tests {
    use super::super::tests::sample;

    #[test]
    fn one_rule_per_kind_one_result_per_finding_fingerprinted_by_signature() {
        let sarif = sample().sarif();
        let results = sarif.runs[0].results.as_ref().unwrap();
        assert_eq!(results.len(), 2);
        let rules = sarif.runs[0].tool.driver.rules.as_ref().unwrap();
        assert_eq!(rules.len(), 2, "one rule per kind");
        let fp = results[0].partial_fingerprints.as_ref().unwrap();
        assert_eq!(fp["gauntletSignature/v1"], "superlineartime-0123456789abcdef");
    }
}
