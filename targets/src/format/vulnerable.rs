//! The vulnerable formatter: Python's `str.format` as CPython ships it.
//!
//! # Vulnerability
//!
//! - **Reflective traversal (CWE-134, CWE-200).** Every `.attr` and `[key]`
//!   the template names is resolved, dunder names included, so
//!   `{event.__init__.__globals__[CONFIG][SECRET_KEY]}` (49 bytes) walks
//!   from a harmless object through its constructor's module globals to the
//!   application's secret key and prints it (Armin Ronacher, 2016: PEP 3101
//!   meant to forbid underscore names; CPython never did). So do
//!   `{user.__class__.__init__.__globals__}`, `{event.handlers[0].__globals__}`
//!   and `{event.context[_app]}` — or no private name at all: the `repr`
//!   of the public map `{event.context}` prints its private `_app` entry,
//!   globals and secret included.
//! - **Unbounded width and precision (CWE-400).** `{:>999999999}` (13
//!   bytes) asks for a gigabyte of padding, `{2:.999999999f}` a gigabyte of
//!   digits; CPython allocates it. Here every byte is charged to the meter
//!   before it is built, so the fuse stops the run instead.
//! - **Unbounded nesting (CWE-674).** Spec fields nest without a limit:
//!   `{:{:{:{:…}}}}` recurses once a level; the meter's depth fuse stops it.
//!   (CPython refuses past two levels; a naive formatter does not.)
//!
//! What it costs the defender: the secret, or memory and time linear in a
//! width the attacker writes in log10 of it bytes.
//!
//! The fix is [`super::hardened`].
//!
//! # Time complexity
//!
//! O(n + b) for an n-byte template producing b bytes, b unbounded by n.

use super::engine::{self, Rules};
use super::graph::{Graph, Value};
use super::spec::Spec;
use super::{Error, ErrorKind, Formatted};
use crate::meter::Meter;

struct Trusting;

impl Rules for Trusting {
    fn attr<'g>(&self, value: &'g Value, name: &str) -> Result<&'g Value, ErrorKind> {
        value.attr(name).ok_or_else(|| ErrorKind::NotFound { name: name.to_owned() })
    }

    fn item<'g>(&self, value: &'g Value, key: &str) -> Result<&'g Value, ErrorKind> {
        value.item(key).ok_or_else(|| ErrorKind::NotFound { name: key.to_owned() })
    }

    fn spec(&self, _: &Spec) -> Result<(), ErrorKind> {
        Ok(())
    }

    fn nesting(&self, _: u64) -> Result<(), ErrorKind> {
        Ok(())
    }

    fn budget(&self, _: u64) -> Result<(), ErrorKind> {
        Ok(())
    }

    fn show(&self, _: &Value) -> Result<(), ErrorKind> {
        Ok(())
    }
}

/// Formats `template` against `graph`, resolving and honouring everything.
pub fn format(template: &[u8], graph: &Graph, meter: &mut Meter) -> Result<Formatted, Error> {
    engine::format(template, graph, &Trusting, meter)
}
