//! A runtime template formatter with Python `str.format` semantics: the
//! format-string family.
//!
//! # The story
//!
//! A web application lets its users (or its translators, or a plugin) write
//! notification templates — `Hello {user.name}, your event {event.name}
//! starts at {event.id:>6}` — and formats them at run time against its own
//! objects. Python's `str.format` resolves any attribute and any key the
//! template names, so `{event.__init__.__globals__[CONFIG][SECRET_KEY]}`
//! walks from the event object through its constructor's module globals to
//! the application's secret key (Armin Ronacher, 2016; CWE-134, CWE-200).
//! It also pads to whatever width is asked: `{:>999999999}`, 13 bytes,
//! asks for a gigabyte (CWE-400).
//!
//! - [`vulnerable`]: resolves every attribute and key, honours every width
//!   and precision, expands nested spec fields without a depth limit;
//! - [`hardened`]: the sandbox of Jinja's `SandboxedFormatter`: public,
//!   allow-listed names only, width and precision capped, an output budget
//!   proportional to the template, Python's nesting limit.
//!
//! Both format against a [`Graph`]: a `user` and an `event` object, five
//! positional arguments, and — reachable only through dunder attributes
//! (`__init__`, `__globals__`, `__class__`) or a private key (`_app`) — a
//! `CONFIG` map holding the [`CANARY`] as its `SECRET_KEY`.
//!
//! # Input format
//!
//! The template as UTF-8 bytes: literal text, `{{` and `}}`, and
//! replacement fields `{field!conversion:spec}`. `field` is empty (automatic
//! numbering), an index or a name, followed by any chain of `.attr` and
//! `[key]` (a key of digits is an index); `conversion` is `s`, `r` or `a`;
//! `spec` is `[[fill]align][sign][#][0][width][,|_][.precision][type]`,
//! and may hold nested replacement fields.
//!
//! # What the twins return
//!
//! [`Formatted`]: the text, every top-level field's value, spec and place in
//! the text (what the differential oracle compares with Rust's `format!`),
//! and whether the secret was read; or an [`Error`] whose [`ErrorKind`]
//! names the refusal or the limit.

mod engine;
pub mod graph;
pub mod hardened;
pub mod spec;
pub mod vulnerable;

use std::fmt;
use std::ops::Range;

use crate::meter::Blown;

pub use graph::{Graph, Value, CANARY};
pub use spec::Spec;

/// A formatted template.
#[derive(Clone, Debug, PartialEq)]
pub struct Formatted {
    /// The output text.
    pub text: String,
    /// Every top-level replacement field, in order.
    pub fields: Vec<Field>,
    /// Whether a value holding the [`CANARY`] was rendered.
    pub secret_read: bool,
}

/// One top-level replacement field as it was formatted.
#[derive(Clone, Debug, PartialEq)]
pub struct Field {
    /// The value, when it is a scalar and no conversion applied.
    pub value: Option<Scalar>,
    /// The spec, nested fields substituted.
    pub spec: Spec,
    /// Where the field's output lies in [`Formatted::text`].
    pub range: Range<usize>,
}

/// A scalar value of the graph.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Scalar {
    /// A string.
    Str(&'static str),
    /// An integer.
    Int(i64),
    /// A float.
    Float(f64),
}

/// A refused or failed template.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Error {
    /// What went wrong.
    pub kind: ErrorKind,
    /// The byte offset in the template the error is about.
    pub offset: usize,
}

impl Error {
    pub(crate) fn at(kind: ErrorKind, offset: usize) -> Error {
        Error { kind, offset }
    }
}

impl From<Blown> for Error {
    fn from(blown: Blown) -> Error {
        Error { kind: ErrorKind::Fuse(blown), offset: 0 }
    }
}

/// The kinds of [`Error`]. The first group is Python's own errors, which
/// both twins give; the second the hardened twin's rules, one a rule.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The template is not UTF-8.
    InvalidUtf8,
    /// A `{` with no matching `}`.
    Unclosed,
    /// A `}` that is neither `}}` nor the end of a field.
    StrayBrace,
    /// A character the field syntax does not allow here.
    FieldSyntax,
    /// A conversion other than `s`, `r` or `a`.
    UnknownConversion,
    /// Automatic and manual field numbering mixed.
    Numbering,
    /// No positional argument with this index.
    IndexOutOfRange {
        /// The index asked for.
        index: usize,
    },
    /// No keyword argument, key or attribute with this name.
    NotFound {
        /// The name asked for.
        name: String,
    },
    /// A spec the mini-language does not parse.
    InvalidSpec,
    /// A spec the value's type does not accept.
    UnsupportedSpec,
    /// A width or precision of more digits than Python accepts.
    TooManyDigits,
    /// A name starting with `_` (hardened).
    PrivateName {
        /// The name.
        name: String,
    },
    /// A name not on the allow-list of the value's type (hardened).
    NotAllowed {
        /// The name.
        name: String,
    },
    /// A width over the limit (hardened).
    WidthLimit {
        /// The width asked for.
        width: u64,
        /// The limit.
        limit: u64,
    },
    /// A precision over the limit (hardened).
    PrecisionLimit {
        /// The precision asked for.
        precision: u64,
        /// The limit.
        limit: u64,
    },
    /// More output than the budget for this template (hardened).
    OutputBudget {
        /// Bytes the run would have produced.
        wanted: u64,
        /// The budget.
        limit: u64,
    },
    /// Replacement fields nested deeper than the limit (hardened).
    NestingLimit {
        /// The depth reached.
        depth: u64,
        /// The limit.
        limit: u64,
    },
    /// The meter's fuse stopped the run.
    Fuse(Blown),
}

impl ErrorKind {
    /// The kind's stable lowercase name, the start of its message.
    pub fn name(&self) -> &'static str {
        match self {
            ErrorKind::InvalidUtf8 => "invalid utf-8",
            ErrorKind::Unclosed => "unclosed field",
            ErrorKind::StrayBrace => "single '}'",
            ErrorKind::FieldSyntax => "field syntax",
            ErrorKind::UnknownConversion => "unknown conversion",
            ErrorKind::Numbering => "field numbering",
            ErrorKind::IndexOutOfRange { .. } => "index out of range",
            ErrorKind::NotFound { .. } => "not found",
            ErrorKind::InvalidSpec => "invalid spec",
            ErrorKind::UnsupportedSpec => "unsupported spec",
            ErrorKind::TooManyDigits => "too many digits",
            ErrorKind::PrivateName { .. } => "private name",
            ErrorKind::NotAllowed { .. } => "not allow-listed",
            ErrorKind::WidthLimit { .. } => "width limit",
            ErrorKind::PrecisionLimit { .. } => "precision limit",
            ErrorKind::OutputBudget { .. } => "output budget",
            ErrorKind::NestingLimit { .. } => "nesting limit",
            ErrorKind::Fuse(_) => "fuse",
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: ", self.kind.name())?;
        match &self.kind {
            ErrorKind::InvalidUtf8 => f.write_str("the template is not UTF-8")?,
            ErrorKind::Unclosed => f.write_str("expected '}' before end of string")?,
            ErrorKind::StrayBrace => f.write_str("single '}' encountered in format string")?,
            ErrorKind::FieldSyntax => f.write_str("unexpected character in field name")?,
            ErrorKind::UnknownConversion => f.write_str("expected 's', 'r' or 'a'")?,
            ErrorKind::Numbering => {
                f.write_str("cannot switch between automatic and manual field numbering")?
            }
            ErrorKind::IndexOutOfRange { index } => write!(f, "{index}")?,
            ErrorKind::NotFound { name }
            | ErrorKind::PrivateName { name }
            | ErrorKind::NotAllowed { name } => write!(f, "{name:?}")?,
            ErrorKind::InvalidSpec => f.write_str("invalid format specifier")?,
            ErrorKind::UnsupportedSpec => {
                f.write_str("the value's type does not accept this specifier")?
            }
            ErrorKind::TooManyDigits => f.write_str("too many decimal digits")?,
            ErrorKind::WidthLimit { width, limit } => {
                write!(f, "width {width} exceeds the limit of {limit}")?
            }
            ErrorKind::PrecisionLimit { precision, limit } => {
                write!(f, "precision {precision} exceeds the limit of {limit}")?
            }
            ErrorKind::OutputBudget { wanted, limit } => {
                write!(f, "{wanted} bytes of output exceed the budget of {limit}")?
            }
            ErrorKind::NestingLimit { depth, limit } => {
                write!(f, "fields nested {depth} deep exceed the limit of {limit}")?
            }
            ErrorKind::Fuse(blown) => write!(f, "{blown}")?,
        }
        write!(f, " at byte {}", self.offset)
    }
}

impl std::error::Error for Error {}
