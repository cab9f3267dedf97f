//! The DTD: the DOCTYPE declaration, its external subset, and the entity
//! declarations whose replacement texts the references expand.

use super::*;

impl<'i, P: Policy + ?Sized> Parser<'i, '_, P> {
    // ---- the DTD ------------------------------------------------------

    pub(super) fn doctype_decl(&mut self, src: &mut Src<'_>) -> Res {
        let at = src.pos;
        src.pos += 9;
        self.step(at)?;
        self.require_ws(src)?;
        let name = self.name(src)?;
        let ws = src.skip_ws();
        let (public_id, system_id) =
            if ws && (src.looking_at(b"SYSTEM") || src.looking_at(b"PUBLIC")) {
                let (public, system) = self.external_id(src)?;
                (public, Some(system))
            } else {
                (None, None)
            };
        src.skip_ws();
        if src.eat(b"[") {
            self.decls(src)?;
            self.expect(src, b"]", "']' closing the internal subset")?;
            src.skip_ws();
        }
        self.expect(src, b">", "'>' closing the doctype")?;
        let len = |s: Option<&str>| s.map_or(0, str::len);
        self.hold(name.len() + len(public_id) + len(system_id), at)?;
        self.doctype = Some(Doctype {
            name: name.to_owned(),
            public_id: public_id.map(str::to_owned),
            system_id: system_id.map(str::to_owned),
        });
        // The internal subset is read first, so its declarations win.
        if let Some(uri) = system_id {
            let bytes = self.policy.external_subset(uri).map_err(|k| self.err(k, at))?;
            let len = bytes.len();
            self.hold(len, at)?;
            let Ok(text) = String::from_utf8(bytes) else {
                return Err(self.syntax(SyntaxError::InvalidUtf8, at));
            };
            self.anchor = at;
            let r = self.meter.enter();
            self.fuse(r, at)?;
            self.room(|p| &mut p.open, true, at)?;
            self.open.push(Open { name: Rc::from("[dtd]"), parameter: true });
            let mut sub = Src::new(&text, true, true);
            sub.skip_text_decl();
            let result = self.decls(&mut sub);
            self.open.pop();
            self.meter.leave();
            self.meter.release(len as u64);
            result?;
        }
        Ok(())
    }

    /// `SYSTEM "uri"` or `PUBLIC "id" "uri"`: (public id, system id).
    pub(super) fn external_id<'t>(&mut self, src: &mut Src<'t>) -> Res<(Option<&'t str>, &'t str)> {
        let public = if src.eat(b"SYSTEM") {
            None
        } else if src.eat(b"PUBLIC") {
            self.require_ws(src)?;
            let at = src.pos;
            let id = self.literal(src)?;
            let pubid =
                |c: u8| c.is_ascii_alphanumeric() || b" \r\n-'()+,./:=?;!*#@$_%".contains(&c);
            if !id.bytes().all(pubid) {
                return Err(self.syntax(SyntaxError::Expected { expected: "a public id" }, at));
            }
            Some(id)
        } else {
            return Err(self.unexpected(src, "SYSTEM or PUBLIC"));
        };
        self.require_ws(src)?;
        let system = self.literal(src)?;
        Ok((public, system))
    }

    /// A quoted literal without references (system and public ids).
    pub(super) fn literal<'t>(&self, src: &mut Src<'t>) -> Res<&'t str> {
        let quote = match src.peek() {
            Some(q @ (b'"' | b'\'')) => q,
            _ => return Err(self.unexpected(src, "a quoted literal")),
        };
        src.pos += 1;
        let start = src.pos;
        while src.peek().is_some_and(|c| c != quote) {
            src.pos += 1;
        }
        if src.at_end() {
            return Err(self.unexpected(src, "the closing quote"));
        }
        self.check_chars(src, start, src.pos)?;
        let value = src.slice(start, src.pos);
        src.pos += 1;
        Ok(value)
    }

    /// Markup declarations until `src` ends or, in the document's internal
    /// subset, until `]`.
    pub(super) fn decls(&mut self, src: &mut Src<'_>) -> Res {
        loop {
            src.skip_ws();
            let at = src.pos;
            match src.peek() {
                None if src.doc => {
                    let e =
                        SyntaxError::UnexpectedEof { expected: "']' closing the internal subset" };
                    return Err(self.syntax(e, at));
                }
                None => return Ok(()),
                Some(b']') if src.doc => return Ok(()),
                Some(b'%') => self.pe_between_decls(src)?,
                _ if src.looking_at(b"<!ENTITY") => self.entity_decl(src)?,
                _ if src.looking_at(b"<!ELEMENT")
                    || src.looking_at(b"<!ATTLIST")
                    || src.looking_at(b"<!NOTATION") =>
                {
                    self.skip_decl(src)?
                }
                _ if src.looking_at(b"<!--") => self.comment(src, false)?,
                _ if src.looking_at(b"<![") => {
                    return Err(self.syntax(SyntaxError::ConditionalSection, at));
                }
                _ if src.looking_at(b"<?") => self.pi(src, false)?,
                _ => return Err(self.syntax(SyntaxError::InvalidDeclaration, at)),
            }
        }
    }

    /// `%name;` between declarations: its replacement text is parsed as
    /// declarations.
    pub(super) fn pe_between_decls(&mut self, src: &mut Src<'_>) -> Res {
        let at = src.pos;
        src.pos += 1;
        self.step(at)?;
        let name = self.name(src)?;
        self.expect(src, b";", "';'")?;
        match lookup(&self.parameter, name) {
            None => Err(self.err(ErrorKind::UndefinedEntity { name: format!("%{name}") }, at)),
            Some((key, Value::Internal(text))) => {
                self.expand(key, true, text, false, src, at, |p, sub| p.decls(sub))
            }
            Some((key, Value::External(uri))) => {
                self.expand_external(key, true, &uri, src, at, |p, sub| p.decls(sub))
            }
            Some((_, Value::Unparsed)) => Err(self.syntax(SyntaxError::InvalidDeclaration, at)),
        }
    }

    /// `<!ELEMENT`, `<!ATTLIST`, `<!NOTATION`: checked for balance and
    /// skipped.
    pub(super) fn skip_decl(&mut self, src: &mut Src<'_>) -> Res {
        let at = src.pos;
        src.pos += 2;
        self.step(at)?;
        self.name(src)?;
        loop {
            let Some(c) = src.peek() else {
                return Err(self.unexpected(src, "'>' closing the declaration"));
            };
            match c {
                b'>' => {
                    src.pos += 1;
                    return Ok(());
                }
                b'"' | b'\'' => {
                    self.literal(src)?;
                }
                b'%' if !src.external => {
                    return Err(self.syntax(SyntaxError::PeInInternalSubset, src.pos));
                }
                b'<' => return Err(self.syntax(SyntaxError::InvalidDeclaration, src.pos)),
                _ => {
                    if let Some(ch) = is_forbidden_byte(src.bytes(), src.pos) {
                        return Err(self.syntax(SyntaxError::ForbiddenChar { ch }, src.pos));
                    }
                    src.pos += 1;
                }
            }
        }
    }

    pub(super) fn entity_decl(&mut self, src: &mut Src<'_>) -> Res {
        let at = src.pos;
        src.pos += 8;
        self.step(at)?;
        self.require_ws(src)?;
        let parameter = src.eat(b"%");
        if parameter {
            self.require_ws(src)?;
        }
        if src.peek() == Some(b'%') {
            // `%name;` standing for the entity's name: only meaningful in
            // external DTDs, and not supported here.
            let e = if src.external {
                SyntaxError::InvalidDeclaration
            } else {
                SyntaxError::PeInInternalSubset
            };
            return Err(self.syntax(e, src.pos));
        }
        let name = self.name(src)?;
        self.require_ws(src)?;
        // The first declaration of a name binds; the predefined entities
        // always mean what XML says they mean. A declaration that does not
        // bind is checked and its value dropped.
        let map = if parameter { &self.parameter } else { &self.general };
        let binds = !map.contains_key(name) && (parameter || predefined(name).is_none());
        let value = match src.peek() {
            Some(quote @ (b'"' | b'\'')) => {
                src.pos += 1;
                // Built at the end of the buffer, then moved behind
                // reference counts of its own.
                let start = self.buf.len();
                self.entity_value(src, Some(quote))?;
                let value = self.buf.get(start..).unwrap_or_default();
                let len = value.len();
                let value = binds.then(|| Value::Internal(Rc::from(value)));
                self.buf.truncate(start);
                if binds {
                    self.hold_scratch(RC_HEADER + len, at)?;
                }
                value
            }
            _ => {
                let (_, system) = self.external_id(src)?;
                let ws = src.skip_ws();
                let unparsed = !parameter && ws && src.looking_at(b"NDATA");
                if unparsed {
                    src.pos += 5;
                    self.require_ws(src)?;
                    self.name(src)?;
                }
                self.policy
                    .declare_external(name, parameter, system)
                    .map_err(|k| self.err(k, at))?;
                if !binds {
                    None
                } else if unparsed {
                    Some(Value::Unparsed)
                } else {
                    self.hold_scratch(RC_HEADER + system.len(), at)?;
                    Some(Value::External(Rc::from(system)))
                }
            }
        };
        src.skip_ws();
        self.expect(src, b">", "'>' closing the entity declaration")?;
        if let Some(value) = value {
            self.table_room(parameter, at)?;
            self.hold_scratch(RC_HEADER + name.len(), at)?;
            let map = if parameter { &mut self.parameter } else { &mut self.general };
            map.insert(Rc::from(name), value);
        }
        Ok(())
    }

    /// Makes room for one more entity in a table, holding its growth.
    pub(super) fn table_room(&mut self, parameter: bool, pos: usize) -> Res {
        let map = if parameter { &self.parameter } else { &self.general };
        let (len, cap) = (map.len(), map.capacity());
        if len < cap {
            return Ok(());
        }
        let want = cap.saturating_mul(2).max(3);
        let bytes = table_bytes(want, ENTITY_SLOT).saturating_sub(table_bytes(cap, ENTITY_SLOT));
        self.hold_scratch(bytes, pos)?;
        let map = if parameter { &mut self.parameter } else { &mut self.general };
        map.reserve(want - len);
        Ok(())
    }

    /// An entity value literal up to `quote` (or a whole parameter entity's
    /// text when `None`), appended to the buffer: character references and
    /// parameter entities are replaced now, general references kept for when
    /// the entity is used.
    pub(super) fn entity_value(&mut self, src: &mut Src<'_>, quote: Option<u8>) -> Res {
        let closing = "the closing quote of the entity value";
        while let Some(c) = self.literal_run(src, quote, &VALUE, closing)? {
            let i = src.pos;
            match c {
                b'\r' => {
                    src.pos += 1;
                    if src.eol {
                        src.eat(b"\n");
                    }
                    self.produce(1, i)?;
                    self.buf_char(if src.eol { '\n' } else { '\r' }, i)?;
                }
                b'%' => self.pe_in_literal(src)?,
                _ => {
                    // `&`: a character reference is replaced, an entity
                    // reference checked and kept.
                    self.step(i)?;
                    match self.reference(src)? {
                        Ref::Char(c) => {
                            self.produce(c.len_utf8(), i)?;
                            self.buf_char(c, i)?;
                        }
                        Ref::Named(name) => {
                            self.produce(name.len() + 2, i)?;
                            self.buf_room(name.len() + 2, i)?;
                            self.buf.push('&');
                            self.buf.push_str(name);
                            self.buf.push(';');
                        }
                    }
                }
            }
        }
        Ok(())
    }

    /// `%name;` inside an entity value: allowed in external DTDs only, and
    /// replaced by the entity's text.
    pub(super) fn pe_in_literal(&mut self, src: &mut Src<'_>) -> Res {
        let at = src.pos;
        if !src.external {
            return Err(self.syntax(SyntaxError::PeInInternalSubset, at));
        }
        src.pos += 1;
        self.step(at)?;
        let name = self.name(src)?;
        self.expect(src, b";", "';'")?;
        let value = |p: &mut Self, sub: &mut Src<'_>| p.entity_value(sub, None);
        match lookup(&self.parameter, name) {
            None => Err(self.err(ErrorKind::UndefinedEntity { name: format!("%{name}") }, at)),
            Some((key, Value::Internal(text))) => {
                self.expand(key, true, text, false, src, at, value)
            }
            Some((key, Value::External(uri))) => {
                self.expand_external(key, true, &uri, src, at, value)
            }
            Some((_, Value::Unparsed)) => Err(self.syntax(SyntaxError::InvalidDeclaration, at)),
        }
    }
}
