//! Content: text, CDATA, comments, processing instructions, start and end
//! tags and their attributes.

use super::*;

impl<'i, P: Policy + ?Sized> Parser<'i, '_, P> {
    // ---- content ------------------------------------------------------

    /// Parses content until `src` ends, or, for the document, until the
    /// root element closes. `base` is the element depth content started at.
    pub(super) fn content(&mut self, src: &mut Src<'_>, base: usize) -> Res {
        while let Some(c) = src.peek() {
            match c {
                b'<' => match src.peek_at(1) {
                    Some(b'/') => {
                        self.flush_text(src.pos)?;
                        self.end_tag(src, base)?;
                        if src.doc && self.elements.is_empty() {
                            return Ok(());
                        }
                    }
                    Some(b'!') => {
                        if src.looking_at(b"<!--") {
                            self.flush_text(src.pos)?;
                            self.comment(src, true)?;
                        } else if src.looking_at(b"<![CDATA[") {
                            self.cdata(src)?;
                        } else if src.looking_at(b"<!DOCTYPE") {
                            return Err(self.syntax(SyntaxError::MisplacedDoctype, src.pos));
                        } else {
                            return Err(self.syntax(
                                SyntaxError::Expected { expected: "a comment or CDATA section" },
                                src.pos,
                            ));
                        }
                    }
                    Some(b'?') => {
                        self.flush_text(src.pos)?;
                        self.pi(src, true)?;
                    }
                    _ => {
                        self.start_tag(src)?;
                    }
                },
                b'&' => self.content_reference(src)?,
                _ => self.text_run(src)?,
            }
        }
        if src.doc {
            let name = self.elements.last().map(|&n| self.text(n).to_owned()).unwrap_or_default();
            return Err(self.syntax(SyntaxError::UnclosedElement { name }, src.pos));
        }
        if self.elements.len() != base {
            return Err(self.syntax(SyntaxError::EntityNotBalanced, src.pos));
        }
        Ok(())
    }

    pub(super) fn text_run(&mut self, src: &mut Src<'_>) -> Res {
        let start = src.pos;
        let b = src.bytes();
        let mut i = start;
        let mut cr = false;
        loop {
            i = scan(b, i, &TEXT);
            match b.get(i) {
                None | Some(b'<' | b'&') => break,
                Some(b']') if b.get(i..).is_some_and(|r| r.starts_with(b"]]>")) => {
                    return Err(self.syntax(SyntaxError::CdataEndInText, i));
                }
                Some(b'\r') => cr = true,
                Some(_) => {
                    if let Some(ch) = is_forbidden_byte(b, i) {
                        return Err(self.syntax(SyntaxError::ForbiddenChar { ch }, i));
                    }
                }
            }
            i += 1;
        }
        self.step(start)?;
        self.produce(i - start, start)?;
        if src.doc && !cr {
            self.text_input(start, i, start)?;
        } else {
            self.text_str(src.slice(start, i), src.eol, start)?;
        }
        src.pos = i;
        Ok(())
    }

    pub(super) fn cdata(&mut self, src: &mut Src<'_>) -> Res {
        let at = src.pos;
        src.pos += 9;
        self.step(at)?;
        let start = src.pos;
        let mut cr = false;
        let ends = |b: &[u8], i: usize| b.get(i..).is_some_and(|r| r.starts_with(b"]]>"));
        let (forbidden, end) = Self::scan_to(src, start, &CDATA, &mut cr, ends);
        let Some(end) = end else {
            return Err(self.syntax(SyntaxError::UnexpectedEof { expected: "']]>'" }, src.s.len()));
        };
        if let Some((ch, i)) = forbidden {
            return Err(self.syntax(SyntaxError::ForbiddenChar { ch }, i));
        }
        self.produce(end - start, at)?;
        if end > start {
            if src.doc && !cr {
                self.text_input(start, end, at)?;
            } else {
                self.text_str(src.slice(start, end), src.eol, at)?;
            }
        }
        src.pos = end + 3;
        Ok(())
    }

    pub(super) fn comment(&mut self, src: &mut Src<'_>, emit: bool) -> Res {
        let at = src.pos;
        src.pos += 4;
        self.step(at)?;
        let start = src.pos;
        let mut cr = false;
        let ends = |b: &[u8], i: usize| b.get(i..).is_some_and(|r| r.starts_with(b"--"));
        let (forbidden, dashes) = Self::scan_to(src, start, &COMMENT, &mut cr, ends);
        let Some(dashes) = dashes else {
            return Err(self.syntax(SyntaxError::UnexpectedEof { expected: "'-->'" }, src.s.len()));
        };
        if src.bytes().get(dashes + 2) != Some(&b'>') {
            if dashes + 2 >= src.s.len() {
                return Err(
                    self.syntax(SyntaxError::UnexpectedEof { expected: "'-->'" }, src.s.len())
                );
            }
            return Err(self.syntax(SyntaxError::DoubleHyphenInComment, dashes));
        }
        if let Some((ch, i)) = forbidden {
            return Err(self.syntax(SyntaxError::ForbiddenChar { ch }, i));
        }
        if emit {
            self.produce(dashes - start, at)?;
            let body = if src.doc && !cr {
                Self::input_span(start, dashes)
            } else {
                let from = self.buf.len();
                self.buf_normalised(src.slice(start, dashes), src.eol, at)?;
                self.buf_span(from)
            };
            self.push_event(Raw::Comment(body), at)?;
        }
        src.pos = dashes + 3;
        Ok(())
    }

    pub(super) fn pi(&mut self, src: &mut Src<'_>, emit: bool) -> Res {
        let at = src.pos;
        src.pos += 2;
        self.step(at)?;
        let target_at = src.pos;
        let target = self.name(src)?;
        if target.eq_ignore_ascii_case("xml") {
            return Err(self.syntax(SyntaxError::ReservedPiTarget, at));
        }
        let target_end = src.pos;
        let mut cr = false;
        let (start, end) = if src.eat(b"?>") {
            (target_end, target_end)
        } else {
            if !src.at_end() && !matches!(src.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
                // `<?a&b?>`: the target runs on with a character names
                // cannot hold.
                return Err(self.syntax(SyntaxError::InvalidName, src.pos));
            }
            self.require_ws(src)?;
            let start = src.pos;
            let ends = |b: &[u8], i: usize| b.get(i..).is_some_and(|r| r.starts_with(b"?>"));
            let (forbidden, end) = Self::scan_to(src, start, &PI, &mut cr, ends);
            let Some(end) = end else {
                return Err(
                    self.syntax(SyntaxError::UnexpectedEof { expected: "'?>'" }, src.s.len())
                );
            };
            if let Some((ch, i)) = forbidden {
                return Err(self.syntax(SyntaxError::ForbiddenChar { ch }, i));
            }
            src.pos = end + 2;
            (start, end)
        };
        if emit {
            self.produce(target.len() + (end - start), at)?;
            // Target and data, with whatever whitespace stands between them
            // in the input (the data never starts with whitespace, so the
            // reader trims it), or one after the other in the buffer.
            let text = if src.doc && !cr {
                Self::input_span(target_at, end)
            } else {
                let from = self.buf.len();
                self.buf_push(target, at)?;
                self.buf_normalised(src.slice(start, end), src.eol, at)?;
                self.buf_span(from)
            };
            self.push_event(Raw::Pi { text, target: target.len() as u32 }, at)?;
        }
        Ok(())
    }

    /// Parses a start tag; whether it was an empty-element tag.
    pub(super) fn start_tag(&mut self, src: &mut Src<'_>) -> Res<bool> {
        let at = src.pos;
        src.pos += 1;
        self.step(at)?;
        self.flush_text(at)?;
        let name_at = src.pos;
        let name = self.name(src)?;
        let name_end = src.pos;
        let depth = self.elements.len() + 1;
        self.policy.element(depth).map_err(|k| self.err(k, at))?;
        let first = self.attributes.len();
        // A linear scan of the first eight names, a set beyond: no
        // quadratic work on a tag with thousands of attributes, and no
        // allocation on one with a few.
        let mut names: [&str; 8] = [""; 8];
        let mut seen: Option<HashSet<&str>> = None;
        let mut seen_held = 0;
        let empty = loop {
            let ws = src.skip_ws();
            match src.peek() {
                Some(b'>') => {
                    src.pos += 1;
                    break false;
                }
                Some(b'/') if src.looking_at(b"/>") => {
                    src.pos += 2;
                    break true;
                }
                None => return Err(self.unexpected(src, "'>'")),
                Some(_) => {}
            }
            let attr_at = src.pos;
            let count = self.attributes.len() - first;
            if !ws {
                // A character that can neither end the tag nor start an
                // attribute: right after the element name it belongs to
                // that name, which is then not an XML name.
                // After an attribute value, whitespace must come before
                // anything but the end of the tag.
                let e = if count == 0 {
                    SyntaxError::InvalidName
                } else {
                    SyntaxError::MissingWhitespace
                };
                return Err(self.syntax(e, attr_at));
            }
            let attr = self.name(src)?;
            let attr_end = src.pos;
            let ends_name =
                matches!(src.peek(), None | Some(b'=' | b'>' | b' ' | b'\t' | b'\n' | b'\r'))
                    || src.looking_at(b"/>");
            if !ends_name {
                // `<a x<y="1">`, `<a x/y="1">`: the attribute name runs on
                // with a character names cannot hold.
                return Err(self.syntax(SyntaxError::InvalidName, src.pos));
            }
            src.skip_ws();
            self.expect(src, b"=", "'='")?;
            src.skip_ws();
            let quote = match src.peek() {
                Some(q @ (b'"' | b'\'')) => q,
                _ => return Err(self.unexpected(src, "a quoted attribute value")),
            };
            src.pos += 1;
            self.step(attr_at)?;
            self.policy.attribute(count + 1).map_err(|k| self.err(k, attr_at))?;
            let duplicate = match &mut seen {
                Some(set) => {
                    self.set_room(set, &mut seen_held, attr_at)?;
                    !set.insert(attr)
                }
                None if count < names.len() => {
                    names[count] = attr;
                    names[..count].contains(&attr)
                }
                None => {
                    let mut set = HashSet::new();
                    for name in names.into_iter().chain([attr]) {
                        self.set_room(&mut set, &mut seen_held, attr_at)?;
                        set.insert(name);
                    }
                    seen = Some(set);
                    names.contains(&attr)
                }
            };
            if duplicate {
                let e = SyntaxError::DuplicateAttribute { name: attr.to_owned() };
                return Err(self.syntax(e, attr_at));
            }
            self.produce(attr.len(), attr_at)?;
            let name = self.span_of(src, attr_at, attr_end, attr_at)?;
            let value = self.attr_value(src, quote)?;
            self.push(|p| &mut p.attributes, RawAttribute { name, value }, attr_at)?;
        };
        drop(seen);
        self.release_scratch(seen_held);
        self.produce(name.len(), at)?;
        let name = self.span_of(src, name_at, name_end, at)?;
        let attributes = u32::try_from(self.attributes.len() - first).unwrap_or(u32::MAX);
        self.push_event(Raw::Start { name, attributes }, at)?;
        if empty {
            self.push_event(Raw::End { name }, at)?;
        } else {
            let r = self.meter.enter();
            self.fuse(r, at)?;
            self.room(|p| &mut p.elements, true, at)?;
            self.elements.push(name);
        }
        Ok(empty)
    }

    /// Makes room for one more name in an attribute set, holding its
    /// growth in `held`.
    pub(super) fn set_room(
        &mut self,
        set: &mut HashSet<&str>,
        held: &mut usize,
        pos: usize,
    ) -> Res {
        let (len, cap) = (set.len(), set.capacity());
        if len < cap {
            return Ok(());
        }
        let want = cap.saturating_mul(2).max(16);
        let slot = size_of::<&str>();
        let bytes = table_bytes(want, slot).saturating_sub(table_bytes(cap, slot));
        self.hold_scratch(bytes, pos)?;
        *held += bytes;
        set.reserve(want - len);
        Ok(())
    }

    /// An attribute value after its opening quote: a span of the input when
    /// it stands there as it is, else normalised into the buffer.
    pub(super) fn attr_value(&mut self, src: &mut Src<'_>, quote: u8) -> Res<Span> {
        let start = src.pos;
        if src.doc {
            let stops = &ATTR[usize::from(quote != b'"')];
            let i = scan(src.bytes(), start, stops);
            if src.bytes().get(i) == Some(&quote) {
                if i > start {
                    self.produce(i - start, start)?;
                }
                src.pos = i + 1;
                return Ok(Self::input_span(start, i));
            }
        }
        let from = self.buf.len();
        self.attr_text(src, Some(quote))?;
        Ok(self.buf_span(from))
    }

    pub(super) fn end_tag(&mut self, src: &mut Src<'_>, base: usize) -> Res {
        let at = src.pos;
        src.pos += 2;
        self.step(at)?;
        let name = self.name(src)?;
        src.skip_ws();
        self.expect(src, b">", "'>'")?;
        if self.elements.len() <= base {
            let e = if src.doc || self.open.is_empty() {
                SyntaxError::UnexpectedEndTag { name: name.to_owned() }
            } else {
                SyntaxError::EntityNotBalanced
            };
            return Err(self.syntax(e, at));
        }
        let open = self.elements.pop().unwrap_or_default();
        if self.text(open) != name {
            let expected = self.text(open).to_owned();
            let e = SyntaxError::MismatchedEndTag { expected, found: name.to_owned() };
            return Err(self.syntax(e, at));
        }
        self.meter.leave();
        self.produce(name.len(), at)?;
        self.push_event(Raw::End { name: open }, at)
    }
}
