//! The hardened formatter: the sandbox of Jinja's `SandboxedFormatter`.
//!
//! # Guarantees
//!
//! - Only public names are resolved: an attribute must be on its class's
//!   allow-list ([`ALLOWED`]; functions and classes have none) and no name
//!   or key may start with `_` ([`ErrorKind::PrivateName`],
//!   [`ErrorKind::NotAllowed`]). A container is printed whole (its `str`
//!   or `repr`) only when no key inside it is private: `{event.context}`
//!   would print `_app`'s globals (found by the fuzzer, 2026-12-02). The
//!   graph's secret is reachable only through such names, so it is never
//!   read.
//! - Widths and precisions above [`Config::max_width`] and
//!   [`Config::max_precision`] (default 65,535, Rust's own runtime cap) are
//!   refused before anything is built ([`ErrorKind::WidthLimit`],
//!   [`ErrorKind::PrecisionLimit`]).
//! - A run produces at most [`Config::budget`]`(n)` bytes in all (output
//!   and nested fields' text) for an n-byte template:
//!   [`Config::output_base`] + [`Config::output_per_byte`]·n = 4,096 +
//!   64·n by default ([`ErrorKind::OutputBudget`]).
//! - Fields nest at most [`Config::max_nesting`] = 2 levels, CPython's
//!   "Max string recursion exceeded" ([`ErrorKind::NestingLimit`]).
//! - On what both accept, it formats exactly as [`super::vulnerable`].
//!
//! # Resource limits
//!
//! Memory held: the output and the nested fields' text, within the budget,
//! plus one [`super::Field`] record (at most 128 bytes, tested) per top-level field, at
//! most one per two template bytes.
//!
//! # Time complexity
//!
//! O(n + budget(n)) = O(n): the template is read once and every byte
//! produced is charged to the budget before it is built.

use super::engine::{self, Rules};
use super::graph::{Graph, Value};
use super::spec::Spec;
use super::{Error, ErrorKind, Formatted};
use crate::meter::Meter;

/// The public attributes of each class of the graph; any other class (a
/// function, a type) exposes none.
pub const ALLOWED: &[(&str, &[&str])] = &[
    ("User", &["name", "id", "email", "score", "roles", "prefs"]),
    ("Event", &["name", "id", "ratio", "tags", "context"]),
];

/// The sandbox's limits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Config {
    /// The largest width allowed: 65,535 by default.
    pub max_width: u64,
    /// The largest precision allowed: 65,535 by default.
    pub max_precision: u64,
    /// Bytes any template may produce: 4,096 by default.
    pub output_base: u64,
    /// Bytes a template may produce per template byte: 64 by default.
    pub output_per_byte: u64,
    /// How deep fields may nest: 2 by default (a field in a spec).
    pub max_nesting: u64,
}

/// The default output budget's base.
pub const OUTPUT_BASE: u64 = 4_096;
/// The default output budget per template byte.
pub const OUTPUT_PER_BYTE: u64 = 64;

impl Default for Config {
    fn default() -> Config {
        Config {
            max_width: 65_535,
            max_precision: 65_535,
            output_base: OUTPUT_BASE,
            output_per_byte: OUTPUT_PER_BYTE,
            max_nesting: 2,
        }
    }
}

impl Config {
    /// The output budget for an `n`-byte template.
    pub fn budget(&self, n: usize) -> u64 {
        self.output_per_byte.saturating_mul(n as u64).saturating_add(self.output_base)
    }
}

struct Sandbox {
    config: Config,
    budget: u64,
}

fn public(name: &str) -> Result<(), ErrorKind> {
    if name.starts_with('_') {
        return Err(ErrorKind::PrivateName { name: name.to_owned() });
    }
    Ok(())
}

impl Rules for Sandbox {
    fn attr<'g>(&self, value: &'g Value, name: &str) -> Result<&'g Value, ErrorKind> {
        public(name)?;
        let class = value.type_name();
        let allowed = ALLOWED.iter().any(|(c, names)| *c == class && names.contains(&name));
        if !allowed {
            return Err(ErrorKind::NotAllowed { name: name.to_owned() });
        }
        value.attr(name).ok_or_else(|| ErrorKind::NotFound { name: name.to_owned() })
    }

    fn item<'g>(&self, value: &'g Value, key: &str) -> Result<&'g Value, ErrorKind> {
        public(key)?;
        value.item(key).ok_or_else(|| ErrorKind::NotFound { name: key.to_owned() })
    }

    fn spec(&self, spec: &Spec) -> Result<(), ErrorKind> {
        let limit = self.config.max_width;
        if let Some(width) = spec.width.filter(|&w| w > limit) {
            return Err(ErrorKind::WidthLimit { width, limit });
        }
        let limit = self.config.max_precision;
        if let Some(precision) = spec.precision.filter(|&p| p > limit) {
            return Err(ErrorKind::PrecisionLimit { precision, limit });
        }
        Ok(())
    }

    fn nesting(&self, depth: u64) -> Result<(), ErrorKind> {
        let limit = self.config.max_nesting;
        if depth > limit {
            return Err(ErrorKind::NestingLimit { depth, limit });
        }
        Ok(())
    }

    fn show(&self, value: &Value) -> Result<(), ErrorKind> {
        match value {
            Value::Map(entries) => entries.iter().try_for_each(|(k, v)| {
                public(k)?;
                self.show(v)
            }),
            Value::List(items) => items.iter().try_for_each(|v| self.show(v)),
            _ => Ok(()),
        }
    }

    fn budget(&self, wanted: u64) -> Result<(), ErrorKind> {
        if wanted > self.budget {
            return Err(ErrorKind::OutputBudget { wanted, limit: self.budget });
        }
        Ok(())
    }
}

/// Formats `template` against `graph` in the sandbox with the default
/// [`Config`].
pub fn format(template: &[u8], graph: &Graph, meter: &mut Meter) -> Result<Formatted, Error> {
    format_with(template, graph, &Config::default(), meter)
}

/// Formats `template` against `graph` in the sandbox with `config`.
pub fn format_with(
    template: &[u8],
    graph: &Graph,
    config: &Config,
    meter: &mut Meter,
) -> Result<Formatted, Error> {
    let sandbox = Sandbox { config: *config, budget: config.budget(template.len()) };
    engine::format(template, graph, &sandbox, meter)
}
