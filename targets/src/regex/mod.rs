//! Regular-expression matching by backtracking: the ReDoS family.
//!
//! # The story
//!
//! A backtracking matcher tries the alternatives of a pattern one after
//! another and, when the rest of the pattern fails, goes back and tries the
//! next one. When a pattern can match the same text in many ways — `(a+)+`
//! can split `aaaa` into `a|a|a|a`, `aa|a|a`, `aaa|a` and so on — a haystack
//! that *almost* matches makes it try every way before giving up: 2ⁿ of them
//! for n `a`s. This is regular-expression denial of service (ReDoS,
//! CWE-1333). It took Stack Overflow down for 34 minutes on 2016-07-20
//! (`^[\s\u200c]+|[\s\u200c]+$`, quadratic, on a post holding about 20,000
//! spaces) and Cloudflare's whole edge for 27 minutes on 2019-07-02 (one WAF
//! rule containing `.*(?:.*=.*)`). Davis et al. (ESEC/FSE 2018) found
//! super-linear regexes in about 1% of the regexes used by thousands of npm
//! and PyPI modules.
//!
//! The fix is to remember which (state, position) pairs have already failed
//! (Davis, Servant and Lee, IEEE S&P 2021; regex-automata's
//! `BoundedBacktracker` keeps the same visited set). Each pair is explored at
//! most once, so the work is O(m·n), m the number of NFA states and n the
//! haystack length.
//!
//! - [`vulnerable`]: a recursive backtracker with no memory of failures:
//!   exponential on `(a+)+$`, quadratic on `\s+$`, and as deep on the call
//!   stack as the haystack is long.
//! - [`hardened`]: the same search with a visited set and an explicit stack,
//!   plus limits on pattern size, nesting, memo memory and stack memory.
//!
//! Both twins hold on the meter the memory their search keeps — the
//! hardened twin its visited sets, explicit stack and path, the vulnerable
//! twin its tables and [`vulnerable::FRAME_BYTES`] of call stack per level
//! of recursion — and give it back when the search returns.
//!
//! # Input format
//!
//! The first line of the input is the pattern (UTF-8, regex crate syntax);
//! everything after the first `\n` is the haystack, any bytes at all. An
//! input with no newline is a pattern with an empty haystack.
//!
//! # Semantics
//!
//! Patterns are parsed by `regex-syntax` and compiled to a Thompson NFA by
//! `regex-automata` with the default syntax configuration (Unicode on, UTF-8
//! mode on); the parser and compiler are not the subject here, matching is.
//! Both twins run an unanchored, leftmost-first search over that NFA and
//! report the span of the first match, exactly as
//! `regex_automata::meta::Regex::find` does — including its UTF-8 rule: when
//! the pattern can match the empty string, a match whose end splits a
//! codepoint (the byte there is a UTF-8 continuation byte) is not reported,
//! and the search goes on from the next start position. So `a*` on
//! `a\x80` finds `2..2`, not `0..1`, while `a` finds `0..1`. Literals, classes,
//! `.`, anchors, word boundaries, groups, alternation, `* + ? {m,n}` and their
//! lazy forms are all supported; a pattern the parser or compiler refuses is
//! reported as an [`Error`], never a panic.

pub mod hardened;
pub mod vulnerable;

use std::fmt;
use std::ops::Range;

use regex_automata::nfa::thompson::{self, WhichCaptures, NFA};
use regex_automata::util::primitives::StateID;

use crate::meter::Blown;

/// A match: the byte span `start..end` of the haystack.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Match {
    /// Offset of the first byte of the match.
    pub start: usize,
    /// Offset one past the last byte of the match.
    pub end: usize,
}

impl Match {
    /// The span as a range.
    pub fn range(&self) -> Range<usize> {
        self.start..self.end
    }
}

/// Why a pattern was refused or a search stopped.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Error {
    /// What went wrong.
    pub kind: ErrorKind,
    /// Where in the pattern, as a byte range, when known.
    pub span: Option<Range<usize>>,
}

/// The kinds of [`Error`].
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The pattern is longer than the configured limit.
    PatternTooLong {
        /// Pattern length in bytes.
        len: usize,
        /// The limit.
        limit: usize,
    },
    /// Groups, classes or repetitions are nested deeper than the limit.
    NestLimit {
        /// The limit.
        limit: u32,
    },
    /// The compiled NFA would exceed the size limit.
    SizeLimit {
        /// The limit in bytes of NFA heap memory.
        limit: usize,
    },
    /// The visited set for this pattern and haystack would exceed the memo
    /// limit.
    MemoLimit {
        /// NFA states.
        states: usize,
        /// Haystack length in bytes.
        haystack: usize,
        /// Bytes the visited set would need.
        needed: usize,
        /// The limit in bytes.
        limit: usize,
    },
    /// The explicit backtracking stack and the path of the current attempt
    /// would together exceed the stack limit.
    StackLimit {
        /// Bytes the stack and path would need to go on.
        needed: usize,
        /// The limit in bytes.
        limit: usize,
    },
    /// The pattern is not valid regex syntax, or uses something the compiler
    /// refuses; the message is the parser's.
    Syntax {
        /// The parser's or compiler's message.
        message: String,
    },
    /// The meter's fuse stopped the search.
    Fuse(Blown),
}

impl Error {
    pub(crate) fn new(kind: ErrorKind) -> Error {
        Error { kind, span: None }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            ErrorKind::PatternTooLong { len, limit } => {
                write!(f, "pattern of {len} bytes exceeds the length limit of {limit}")?
            }
            ErrorKind::NestLimit { limit } => write!(f, "nesting exceeds the limit of {limit}")?,
            ErrorKind::SizeLimit { limit } => {
                write!(f, "compiled pattern exceeds the size limit of {limit} bytes")?
            }
            ErrorKind::MemoLimit { states, haystack, needed, limit } => write!(
                f,
                "visited set of {needed} bytes ({states} states x {} positions) exceeds the memo \
                 limit of {limit} bytes",
                haystack + 1
            )?,
            ErrorKind::StackLimit { needed, limit } => write!(
                f,
                "backtracking stack and path of {needed} bytes exceed the stack limit of {limit} \
                 bytes"
            )?,
            ErrorKind::Syntax { message } => write!(f, "invalid pattern: {message}")?,
            ErrorKind::Fuse(blown) => write!(f, "{blown}")?,
        }
        if let Some(span) = &self.span {
            write!(f, " at pattern bytes {}..{}", span.start, span.end)?;
        }
        Ok(())
    }
}

impl std::error::Error for Error {}

impl From<Blown> for Error {
    fn from(blown: Blown) -> Error {
        Error::new(ErrorKind::Fuse(blown))
    }
}

/// The worst-case number of state visits of a memoised search: one per
/// (state, position) pair, `states * (haystack_len + 1)`.
///
/// Both twins count a step for each state they visit, so this is also the
/// line the vulnerable twin crosses when it does redundant work.
pub fn linear_bound(states: usize, haystack_len: usize) -> u64 {
    (states as u64).saturating_mul(haystack_len as u64 + 1)
}

/// Compile-time limits shared by both twins' compile step.
#[derive(Clone, Copy, Debug)]
pub(crate) struct CompileLimits {
    pub(crate) pattern_len: usize,
    pub(crate) nest: u32,
    pub(crate) size: usize,
}

/// Parses and compiles `pattern` to a Thompson NFA without capture states.
pub(crate) fn compile(pattern: &str, limits: CompileLimits) -> Result<NFA, Error> {
    if pattern.len() > limits.pattern_len {
        return Err(Error::new(ErrorKind::PatternTooLong {
            len: pattern.len(),
            limit: limits.pattern_len,
        }));
    }
    let mut parser = regex_syntax::ParserBuilder::new().nest_limit(limits.nest).build();
    let hir = parser.parse(pattern).map_err(syntax_error)?;
    thompson::Compiler::new()
        .configure(
            thompson::Config::new()
                .which_captures(WhichCaptures::None)
                .nfa_size_limit(Some(limits.size)),
        )
        .build_from_hir(&hir)
        .map_err(|e| match e.size_limit() {
            Some(limit) => Error::new(ErrorKind::SizeLimit { limit }),
            None => Error::new(ErrorKind::Syntax { message: e.to_string() }),
        })
}

fn syntax_error(e: regex_syntax::Error) -> Error {
    let (kind, span) = match &e {
        regex_syntax::Error::Parse(p) => {
            let kind = match p.kind() {
                regex_syntax::ast::ErrorKind::NestLimitExceeded(limit) => {
                    ErrorKind::NestLimit { limit: *limit }
                }
                other => ErrorKind::Syntax { message: other.to_string() },
            };
            (kind, p.span().start.offset..p.span().end.offset)
        }
        regex_syntax::Error::Translate(t) => (
            ErrorKind::Syntax { message: t.kind().to_string() },
            t.span().start.offset..t.span().end.offset,
        ),
        other => (ErrorKind::Syntax { message: other.to_string() }, 0..0),
    };
    Error { kind, span: Some(span) }
}

/// The next state if the byte-consuming state `sid` accepts `haystack[at]`.
///
/// `None` when `sid` is not a byte-consuming state, when `at` is the end of
/// the haystack or when the byte is not accepted.
#[inline]
pub(crate) fn transition(nfa: &NFA, sid: StateID, haystack: &[u8], at: usize) -> Option<StateID> {
    let byte = *haystack.get(at)?;
    match nfa.state(sid) {
        thompson::State::ByteRange { trans } => trans.matches_byte(byte).then_some(trans.next),
        thompson::State::Sparse(sparse) => sparse.matches_byte(byte),
        thompson::State::Dense(dense) => dense.matches_byte(byte),
        _ => None,
    }
}

/// Whether regex-automata's UTF-8 rule applies to this NFA: it can match
/// the empty string and was compiled in UTF-8 mode. Then a match is only
/// reported when its end [`is_char_boundary`].
#[inline]
pub(crate) fn splits_codepoints_matter(nfa: &NFA) -> bool {
    nfa.has_empty() && nfa.is_utf8()
}

/// Whether `at` is a place where regex-automata's UTF-8 mode lets a match
/// end: the end of the haystack or a byte that is not a UTF-8 continuation
/// byte.
#[inline]
pub(crate) fn is_char_boundary(haystack: &[u8], at: usize) -> bool {
    match haystack.get(at) {
        None => at == haystack.len(),
        Some(&b) => b <= 0x7F || b >= 0xC0,
    }
}
