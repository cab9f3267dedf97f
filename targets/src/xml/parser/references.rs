//! References: `&name;`, `&#n;` and `%name;`, and the expansion of the
//! entities they name, in content and in attribute values.

use super::*;

impl<'i, P: Policy + ?Sized> Parser<'i, '_, P> {
    // ---- references ---------------------------------------------------

    /// Parses `&...;` at `src.pos`.
    pub(super) fn reference<'t>(&self, src: &mut Src<'t>) -> Res<Ref<'t>> {
        let at = src.pos;
        src.pos += 1;
        let invalid = |p: &Self| p.syntax(SyntaxError::InvalidReference, at);
        if src.eat(b"#") {
            let hex = src.eat(b"x");
            let start = src.pos;
            let mut code: u32 = 0;
            while let Some(c) = src.peek() {
                let digit =
                    if hex { char::from(c).to_digit(16) } else { char::from(c).to_digit(10) };
                let Some(d) = digit else { break };
                code = code.saturating_mul(if hex { 16 } else { 10 }).saturating_add(d);
                src.pos += 1;
            }
            if src.pos == start || !src.eat(b";") {
                return Err(invalid(self));
            }
            return match char::from_u32(code).filter(|&c| is_xml_char(c)) {
                Some(c) => Ok(Ref::Char(c)),
                None => Err(self.syntax(SyntaxError::InvalidCharRef { code }, at)),
            };
        }
        let name = self.name(src).map_err(|_| invalid(self))?;
        if !src.eat(b";") {
            return Err(invalid(self));
        }
        Ok(Ref::Named(name))
    }

    pub(super) fn content_reference(&mut self, src: &mut Src<'_>) -> Res {
        let at = src.pos;
        self.step(at)?;
        if let Some((c, len)) = predefined_at(src) {
            src.pos += len;
            self.produce(1, at)?;
            return self.text_char(c, at);
        }
        let name = match self.reference(src)? {
            Ref::Char(c) => {
                self.produce(c.len_utf8(), at)?;
                return self.text_char(c, at);
            }
            Ref::Named(name) => name,
        };
        if let Some(c) = predefined(name) {
            self.produce(1, at)?;
            return self.text_char(c, at);
        }
        let content = |p: &mut Self, sub: &mut Src<'_>| {
            let base = p.elements.len();
            p.content(sub, base)
        };
        match lookup(&self.general, name) {
            None => Err(self.err(ErrorKind::UndefinedEntity { name: name.to_owned() }, at)),
            Some((key, Value::Internal(text))) => {
                self.expand(key, false, text, false, src, at, content)
            }
            Some((key, Value::External(uri))) => {
                self.expand_external(key, false, &uri, src, at, content)
            }
            Some((_, Value::Unparsed)) => {
                let e = SyntaxError::UnparsedEntityRef { name: name.to_owned() };
                Err(self.syntax(e, at))
            }
        }
    }

    /// Fetches the external entity `name` at `uri` through the policy and
    /// parses it with `f`, holding its text meanwhile.
    pub(super) fn expand_external<F>(
        &mut self,
        name: Rc<str>,
        parameter: bool,
        uri: &str,
        parent: &Src<'_>,
        at: usize,
        f: F,
    ) -> Res
    where
        F: FnOnce(&mut Self, &mut Src<'_>) -> Res,
    {
        let bytes =
            self.policy.external_entity(&name, parameter, uri).map_err(|k| self.err(k, at))?;
        // The resolver's bytes, then their copy behind reference counts.
        let len = bytes.len();
        self.hold(len, at)?;
        let text = match String::from_utf8(bytes) {
            Ok(text) => text,
            Err(_) => return Err(self.syntax(SyntaxError::InvalidUtf8, at)),
        };
        self.hold(RC_HEADER + len, at)?;
        let text = Rc::<str>::from(text);
        self.meter.release(len as u64);
        let result = self.expand(name, parameter, text, true, parent, at, f);
        self.meter.release((RC_HEADER + len) as u64);
        result
    }

    /// Parses the replacement text `text` of entity `name`, referred to at
    /// `at` in `parent`, with `f`.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn expand<F>(
        &mut self,
        name: Rc<str>,
        parameter: bool,
        text: Rc<str>,
        external: bool,
        parent: &Src<'_>,
        at: usize,
        f: F,
    ) -> Res
    where
        F: FnOnce(&mut Self, &mut Src<'_>) -> Res,
    {
        if self.open.is_empty() {
            self.anchor = at;
            if parent.doc {
                self.direct = parent.pos;
            }
        }
        let expansion = Expansion {
            name: &name,
            parameter,
            len: text.len(),
            open: &self.open,
            direct: self.direct,
            memory: self.expansion_memory,
        };
        self.policy.expand(expansion).map_err(|k| self.err(k, at))?;
        let r = self.meter.enter();
        self.fuse(r, at)?;
        self.room(|p| &mut p.open, true, at)?;
        self.open.push(Open { name, parameter });
        let mut sub = Src::new(&text, external, external || parent.external);
        if external {
            sub.skip_text_decl();
        }
        let result = f(self, &mut sub);
        self.open.pop();
        self.meter.leave();
        result
    }

    /// Appends the run of bytes from `src.pos` up to the first one in
    /// `stops` (or the end) to the buffer, refusing forbidden characters and
    /// counting the run as output; leaves `src.pos` at the stopping byte.
    pub(super) fn copy_run(&mut self, src: &mut Src<'_>, stops: &Stops) -> Res {
        let start = src.pos;
        let b = src.bytes();
        let i = scan(b, start, stops);
        if let Some(ch) = is_forbidden_byte(b, i) {
            return Err(self.syntax(SyntaxError::ForbiddenChar { ch }, i));
        }
        if i > start {
            self.produce(i - start, start)?;
            self.buf_push(src.slice(start, i), start)?;
        }
        src.pos = i;
        Ok(())
    }

    /// An attribute value up to `quote`, or a whole replacement text when
    /// `quote` is `None`, normalised into the buffer (XML 1.0 §3.3.3).
    pub(super) fn attr_text(&mut self, src: &mut Src<'_>, quote: Option<u8>) -> Res {
        let closing = "the end of the attribute value";
        while let Some(c) = self.literal_run(src, quote, &ATTR, closing)? {
            let i = src.pos;
            match c {
                b'<' => return Err(self.syntax(SyntaxError::LtInAttributeValue, i)),
                b'&' => self.attr_reference(src)?,
                _ => {
                    src.pos += 1;
                    if c == b'\r' && src.eol {
                        src.eat(b"\n");
                    }
                    self.produce(1, i)?;
                    self.buf_char(' ', i)?;
                }
            }
        }
        Ok(())
    }

    /// Appends the next run of a literal in `quote` (or of a whole
    /// replacement text when `None`) to the buffer with [`Parser::copy_run`],
    /// picking the table for the quote from `tables`: the byte it stopped
    /// at, or `None` once the literal ended (its quote consumed).
    pub(super) fn literal_run(
        &mut self,
        src: &mut Src<'_>,
        quote: Option<u8>,
        tables: &Literal,
        closing: &'static str,
    ) -> Res<Option<u8>> {
        let stops = match quote {
            Some(b'"') => &tables[0],
            Some(_) => &tables[1],
            None => &tables[2],
        };
        self.copy_run(src, stops)?;
        match src.peek() {
            None if quote.is_some() => Err(self.unexpected(src, closing)),
            None => Ok(None),
            Some(c) if Some(c) == quote => {
                src.pos += 1;
                Ok(None)
            }
            Some(c) => Ok(Some(c)),
        }
    }

    pub(super) fn attr_reference(&mut self, src: &mut Src<'_>) -> Res {
        let at = src.pos;
        self.step(at)?;
        if let Some((c, len)) = predefined_at(src) {
            src.pos += len;
            self.produce(1, at)?;
            return self.buf_char(c, at);
        }
        let name = match self.reference(src)? {
            Ref::Char(c) => {
                self.produce(c.len_utf8(), at)?;
                return self.buf_char(c, at);
            }
            Ref::Named(name) => name,
        };
        if let Some(c) = predefined(name) {
            self.produce(1, at)?;
            return self.buf_char(c, at);
        }
        match lookup(&self.general, name) {
            None => Err(self.err(ErrorKind::UndefinedEntity { name: name.to_owned() }, at)),
            Some((key, Value::Internal(text))) => {
                self.expand(key, false, text, false, src, at, |p, sub| p.attr_text(sub, None))
            }
            Some((_, Value::External(_))) => {
                let e = SyntaxError::ExternalRefInAttribute { name: name.to_owned() };
                Err(self.syntax(e, at))
            }
            Some((_, Value::Unparsed)) => {
                let e = SyntaxError::UnparsedEntityRef { name: name.to_owned() };
                Err(self.syntax(e, at))
            }
        }
    }
}
