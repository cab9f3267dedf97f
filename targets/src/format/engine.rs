//! The template walk both twins share: literal text, escapes, replacement
//! fields, conversions and nested spec fields, with every decision about
//! *what may be reached and how much may be produced* left to a [`Rules`]
//! value. The twins are their rules: [`super::vulnerable`] allows
//! everything, [`super::hardened`] is the sandbox.
//!
//! # Guarantees
//!
//! Every output byte (literal text, field bodies, padding, nested fields'
//! text that becomes a spec) is charged to the rules' budget, then the
//! meter's `produce`, `steps` and `hold`: before it is built for what
//! grows with the spec (padding, and a precision's zeros past an `f64`'s
//! exact digits), right after for the rest of a field's body, which is at
//! most about 1.6 KB whatever the spec. Each field is
//! one meter `enter`/`leave`, so nested spec fields are the recursion the
//! depth fuse sees. The walk reads the template once.
//!
//! # Time complexity
//!
//! O(n + b) for an n-byte template producing b bytes (b counts nested
//! fields' text too); each attribute or key lookup is O(8).

use super::graph::{Graph, Value, CANARY};
use super::spec::{self, Arg, Spec};
use super::{Error, ErrorKind, Field, Formatted, Scalar};
use crate::meter::Meter;

/// What a twin allows: the only difference between the two.
pub(crate) trait Rules {
    /// The attribute `name` of `value`.
    fn attr<'g>(&self, value: &'g Value, name: &str) -> Result<&'g Value, ErrorKind>;
    /// The item `key` of `value`.
    fn item<'g>(&self, value: &'g Value, key: &str) -> Result<&'g Value, ErrorKind>;
    /// Whether a parsed spec's width and precision are allowed.
    fn spec(&self, spec: &Spec) -> Result<(), ErrorKind>;
    /// Whether a field `depth` levels deep (1 at the top) is allowed.
    fn nesting(&self, depth: u64) -> Result<(), ErrorKind>;
    /// Whether `wanted` bytes produced in all are allowed.
    fn budget(&self, wanted: u64) -> Result<(), ErrorKind>;
    /// Whether `value` may be printed whole (a container's `str` or
    /// `repr` prints everything it holds).
    fn show(&self, value: &Value) -> Result<(), ErrorKind>;
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Numbering {
    Unknown,
    Auto(usize),
    Manual,
}

struct Cx<'t, 'g, 'm> {
    s: &'t [u8],
    src: &'t str,
    pos: usize,
    graph: &'g Graph,
    rules: &'t dyn Rules,
    meter: &'m mut Meter,
    produced: u64,
    numbering: Numbering,
    secret: bool,
    fields: Vec<Field>,
}

/// Formats `template` against `graph` under `rules`.
pub(crate) fn format(
    template: &[u8],
    graph: &Graph,
    rules: &dyn Rules,
    meter: &mut Meter,
) -> Result<Formatted, Error> {
    meter.steps(template.len() as u64)?;
    let src = std::str::from_utf8(template)
        .map_err(|e| Error::at(ErrorKind::InvalidUtf8, e.valid_up_to()))?;
    let mut cx = Cx {
        s: template,
        src,
        pos: 0,
        graph,
        rules,
        meter,
        produced: 0,
        numbering: Numbering::Unknown,
        secret: false,
        fields: Vec::new(),
    };
    let mut text = String::new();
    cx.string(0, &mut text, false)?;
    Ok(Formatted { text, fields: cx.fields, secret_read: cx.secret })
}

fn is_digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

impl<'g> Cx<'_, 'g, '_> {
    fn charge(&mut self, n: u64, at: usize) -> Result<(), Error> {
        let wanted = self.produced.saturating_add(n);
        self.rules.budget(wanted).map_err(|k| Error::at(k, at))?;
        self.meter.produce(n)?;
        self.meter.steps(n)?;
        self.meter.hold(n)?;
        self.produced = wanted;
        Ok(())
    }

    /// Literal text and fields up to the end (top level) or the `}` that
    /// ends a spec (left unread), into `out`; fields found are `depth + 1`
    /// deep.
    fn string(&mut self, depth: u64, out: &mut String, in_spec: bool) -> Result<(), Error> {
        loop {
            match self.s.get(self.pos) {
                None if in_spec => return Err(Error::at(ErrorKind::Unclosed, self.pos)),
                None => return Ok(()),
                Some(b'{') if !in_spec && self.s.get(self.pos + 1) == Some(&b'{') => {
                    self.charge(1, self.pos)?;
                    out.push('{');
                    self.pos += 2;
                }
                Some(b'{') => {
                    let start = self.pos;
                    self.pos += 1;
                    self.meter.enter()?;
                    let r = self.field(depth + 1, out, start);
                    self.meter.leave();
                    r?;
                }
                Some(b'}') if in_spec => return Ok(()),
                Some(b'}') if self.s.get(self.pos + 1) == Some(&b'}') => {
                    self.charge(1, self.pos)?;
                    out.push('}');
                    self.pos += 2;
                }
                Some(b'}') => return Err(Error::at(ErrorKind::StrayBrace, self.pos)),
                Some(_) => {
                    let start = self.pos;
                    let len = self.s[start..].iter().position(|&b| b == b'{' || b == b'}');
                    self.pos = len.map_or(self.s.len(), |l| start + l);
                    self.charge((self.pos - start) as u64, start)?;
                    out.push_str(&self.src[start..self.pos]);
                }
            }
        }
    }

    /// Up to one of `stops`, left unread: the span read; `{` and the end
    /// are errors.
    fn scan(&mut self, stops: &[u8]) -> Result<(usize, usize), Error> {
        let start = self.pos;
        loop {
            match self.s.get(self.pos) {
                None => return Err(Error::at(ErrorKind::Unclosed, start)),
                Some(b'{') => return Err(Error::at(ErrorKind::FieldSyntax, self.pos)),
                Some(b) if stops.contains(b) => return Ok((start, self.pos)),
                Some(_) => self.pos += 1,
            }
        }
    }

    fn arg(&mut self, first: &str, at: usize) -> Result<&'g Value, Error> {
        let graph = self.graph;
        let index = if first.is_empty() {
            let next = match self.numbering {
                Numbering::Unknown => 0,
                Numbering::Auto(next) => next,
                Numbering::Manual => return Err(Error::at(ErrorKind::Numbering, at)),
            };
            self.numbering = Numbering::Auto(next + 1);
            next
        } else if is_digits(first) {
            if matches!(self.numbering, Numbering::Auto(_)) {
                return Err(Error::at(ErrorKind::Numbering, at));
            }
            self.numbering = Numbering::Manual;
            first.parse().unwrap_or(usize::MAX)
        } else {
            return graph
                .kwargs
                .iter()
                .find(|(k, _)| *k == first)
                .map(|(_, v)| v)
                .ok_or_else(|| Error::at(ErrorKind::NotFound { name: first.to_owned() }, at));
        };
        graph.args.get(index).ok_or(Error::at(ErrorKind::IndexOutOfRange { index }, at))
    }

    /// The field after its `{`, `depth` levels deep, rendered into `out`.
    fn field(&mut self, depth: u64, out: &mut String, start: usize) -> Result<(), Error> {
        self.rules.nesting(depth).map_err(|k| Error::at(k, start))?;
        let src = self.src;
        let (a, b) = self.scan(b".[!:}")?;
        let mut value = self.arg(&src[a..b], a)?;
        loop {
            match self.s.get(self.pos) {
                Some(b'.') => {
                    self.pos += 1;
                    let (a, b) = self.scan(b".[!:}")?;
                    if a == b {
                        return Err(Error::at(ErrorKind::FieldSyntax, a));
                    }
                    value = self.rules.attr(value, &src[a..b]).map_err(|k| Error::at(k, a))?;
                }
                Some(b'[') => {
                    self.pos += 1;
                    let (a, b) = self.scan(b"]")?;
                    self.pos += 1;
                    if a == b
                        || !matches!(self.s.get(self.pos), Some(b'.' | b'[' | b'!' | b':' | b'}'))
                    {
                        return Err(Error::at(ErrorKind::FieldSyntax, self.pos));
                    }
                    value = self.rules.item(value, &src[a..b]).map_err(|k| Error::at(k, a))?;
                }
                _ => break,
            }
        }
        let mut conversion = None;
        if self.s.get(self.pos) == Some(&b'!') {
            match self.s.get(self.pos + 1) {
                Some(&c @ (b's' | b'r' | b'a')) => conversion = Some(c),
                None => return Err(Error::at(ErrorKind::Unclosed, start)),
                _ => return Err(Error::at(ErrorKind::UnknownConversion, self.pos + 1)),
            }
            self.pos += 2;
            if !matches!(self.s.get(self.pos), Some(b':' | b'}')) {
                return Err(Error::at(ErrorKind::FieldSyntax, self.pos));
            }
        }
        let mut spec_text = String::new();
        if self.s.get(self.pos) == Some(&b':') {
            self.pos += 1;
            self.string(depth, &mut spec_text, true)?;
        }
        if self.s.get(self.pos) != Some(&b'}') {
            return Err(Error::at(ErrorKind::Unclosed, start));
        }
        self.pos += 1;
        let spec = Spec::parse(&spec_text).map_err(|k| Error::at(k, start))?;
        self.rules.spec(&spec).map_err(|k| Error::at(k, start))?;
        let at = out.len();
        self.render(value, conversion, &spec, &spec_text, out, start)?;
        if depth == 1 {
            let scalar = match (conversion, value) {
                (None, Value::Str(s)) => Some(Scalar::Str(s)),
                (None, Value::Int(i)) => Some(Scalar::Int(*i)),
                (None, Value::Float(x)) => Some(Scalar::Float(*x)),
                _ => None,
            };
            self.meter.hold(std::mem::size_of::<Field>() as u64)?;
            self.fields.push(Field { value: scalar, spec, range: at..out.len() });
        }
        Ok(())
    }

    fn render(
        &mut self,
        value: &Value,
        conversion: Option<u8>,
        spec: &Spec,
        spec_text: &str,
        out: &mut String,
        start: usize,
    ) -> Result<(), Error> {
        let converted;
        let arg = match (conversion, value) {
            (None, Value::Str(s)) => Arg::Str(s),
            (None, Value::Int(i)) => Arg::Int(*i),
            (None, Value::Float(x)) => Arg::Float(*x),
            (None, _) if !spec_text.is_empty() => {
                return Err(Error::at(ErrorKind::UnsupportedSpec, start));
            }
            (c, v) => {
                self.rules.show(v).map_err(|k| Error::at(k, start))?;
                let mut s = String::new();
                if c.is_some_and(|c| c != b's') {
                    repr(v, &mut s, &mut self.secret);
                } else {
                    str_of(v, &mut s, &mut self.secret);
                }
                converted = s;
                Arg::Str(&converted)
            }
        };
        if arg == Arg::Str(CANARY) {
            self.secret = true;
        }
        let zeros = spec::zeros(&arg, spec);
        self.charge(zeros, start)?;
        let body = spec::body(&arg, spec).map_err(|k| Error::at(k, start))?;
        let len = (body.prefix.len() + body.digits.len()) as u64;
        self.charge(len.saturating_sub(zeros), start)?;
        let chars = (body.prefix.chars().count() + body.digits.chars().count()) as u64;
        let (fill, align, pad) = spec::padding(&arg, spec, chars);
        self.charge(pad.saturating_mul(fill.len_utf8() as u64), start)?;
        out.push_str(&spec::pad(body, fill, align, pad));
        Ok(())
    }
}

/// Python's `str()` of a value.
fn str_of(v: &Value, out: &mut String, secret: &mut bool) {
    match v {
        Value::Str(s) => {
            *secret |= *s == CANARY;
            out.push_str(s);
        }
        Value::Object { class, .. } => out.push_str(&format!("<app.models.{class} object>")),
        Value::Function { name, .. } => out.push_str(&format!("<function {name}>")),
        _ => repr(v, out, secret),
    }
}

/// Python's `repr()` of a value: the graph is a tree at most 7 levels
/// deep, so the recursion is bounded by the graph, not the template.
fn repr(v: &Value, out: &mut String, secret: &mut bool) {
    match v {
        Value::Str(s) => {
            *secret |= *s == CANARY;
            out.push('\'');
            out.push_str(s);
            out.push('\'');
        }
        Value::Int(i) => out.push_str(&i.to_string()),
        Value::Float(x) => out.push_str(&spec::float_repr(*x)),
        Value::List(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                repr(item, out, secret);
            }
            out.push(']');
        }
        Value::Map(entries) => {
            out.push('{');
            for (i, (k, item)) in entries.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                out.push_str(&format!("'{k}': "));
                repr(item, out, secret);
            }
            out.push('}');
        }
        _ => str_of(v, out, secret),
    }
}
