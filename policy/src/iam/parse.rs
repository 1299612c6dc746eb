//! The parser: tokens to statements, with every error of a document at once.
//!
//! Recursive descent over the token list with one token of lookahead. After an error in
//! a statement the parser skips to the next statement keyword that starts a line and
//! carries on, so one typo does not hide the errors after it. Names are then checked
//! against the resource catalogue, and aliases against the document's Defines.

use super::ast::*;
use super::catalogue;
use super::lex::{self, Tok, Token};
use super::ParseError;
use std::collections::HashMap;

/// The largest document accepted, in bytes.
pub const MAX_BYTES: usize = 64 * 1024;
/// The most statements a document may hold.
pub const MAX_STATEMENTS: usize = 500;
/// Errors beyond this many are not reported (the first ones are what to fix).
const MAX_ERRORS: usize = 100;

const STATEMENT_KEYWORDS: [&str; 5] = ["allow", "deny", "define", "endorse", "admit"];

/// Parses a document. `Err` holds every error found, in the order of the text.
pub fn parse(text: &str) -> Result<Document, Vec<ParseError>> {
    if text.len() > MAX_BYTES {
        return Err(vec![ParseError::at(
            Pos { line: 1, column: 1 },
            "",
            &format!(
                "the document is {} KB; a policy may hold at most {} KB",
                text.len().div_ceil(1024),
                MAX_BYTES / 1024
            ),
        )]);
    }
    let mut errors = Vec::new();
    let tokens = lex::tokens(text, &mut errors);
    let mut p = Parser {
        tokens: &tokens,
        at: 0,
        errors,
    };
    let mut doc = Document::default();
    let mut alias_uses: Vec<(DefineKind, String, Pos)> = Vec::new();
    while p.at < tokens.len() {
        if doc.statements.len() == MAX_STATEMENTS {
            let pos = tokens[p.at].pos;
            p.errors.push(ParseError::at(
                pos,
                &tokens[p.at].tok.shown(),
                &format!("a policy may hold at most {MAX_STATEMENTS} statements; split it into several policies"),
            ));
            break;
        }
        let start = tokens[p.at].pos;
        match p.statement(&mut alias_uses) {
            Ok(s) => {
                doc.statements.push(s);
                doc.positions.push(start);
            }
            Err(e) => {
                p.errors.push(e);
                p.resync();
            }
        }
        if p.errors.len() >= MAX_ERRORS {
            break;
        }
    }
    check_aliases(&doc, &alias_uses, &mut p.errors);
    let mut errors = p.errors;
    if errors.is_empty() {
        Ok(doc)
    } else {
        errors.sort_by_key(|e| (e.line, e.column));
        errors.truncate(MAX_ERRORS);
        Err(errors)
    }
}

/// Every alias a statement uses must be defined in the same document (seed 001:
/// "Define statements must be included in the same policy entity"), once.
fn check_aliases(doc: &Document, uses: &[(DefineKind, String, Pos)], errors: &mut Vec<ParseError>) {
    let mut defined: HashMap<(DefineKind, String), &str> = HashMap::new();
    for (s, pos) in doc.statements.iter().zip(&doc.positions) {
        if let Statement::Define(d) = s {
            let key = (d.kind, d.alias.to_ascii_lowercase());
            match defined.get(&key) {
                Some(ocid) if !ocid.eq_ignore_ascii_case(&d.ocid) => errors.push(ParseError::at(
                    *pos,
                    &d.alias,
                    &format!(
                        "{} `{}` is already defined as {ocid}",
                        d.kind.as_str(),
                        d.alias
                    ),
                )),
                _ => {
                    defined.insert(key, &d.ocid);
                }
            }
        }
    }
    for (kind, alias, pos) in uses {
        if !defined.contains_key(&(*kind, alias.to_ascii_lowercase())) {
            errors.push(ParseError::at(
                *pos,
                alias,
                &format!(
                    "tenancy `{alias}` is not defined in this policy: add `Define tenancy {alias} as <tenant id>`"
                ),
            ));
        }
    }
}

struct Parser<'a> {
    tokens: &'a [Token],
    at: usize,
    errors: Vec<ParseError>,
}

type R<T> = Result<T, ParseError>;

impl<'a> Parser<'a> {
    fn peek(&self) -> Option<&'a Token> {
        self.tokens.get(self.at)
    }

    fn peek_word(&self) -> Option<&'a str> {
        match self.peek() {
            Some(Token {
                tok: Tok::Word(w), ..
            }) => Some(w.as_str()),
            _ => None,
        }
    }

    fn is_word(&self, word: &str) -> bool {
        self.peek_word()
            .is_some_and(|w| w.eq_ignore_ascii_case(word))
    }

    fn next(&mut self) -> Option<&'a Token> {
        let t = self.tokens.get(self.at);
        self.at += 1;
        t
    }

    /// Where the next token is, or just after the last one at the end of the text.
    fn here(&self) -> Pos {
        match self.peek().or_else(|| self.tokens.last()) {
            Some(t) if self.at < self.tokens.len() => t.pos,
            Some(t) => Pos {
                line: t.pos.line,
                column: t.pos.column + t.tok.shown().chars().count() as u32,
            },
            None => Pos { line: 1, column: 1 },
        }
    }

    /// An error at the next token: "expected …", naming what was found.
    fn expected(&self, what: &str) -> ParseError {
        let found = self.peek().map(|t| t.tok.shown()).unwrap_or_default();
        let found_words = if found.is_empty() {
            "the end of the policy".to_string()
        } else {
            format!("`{found}`")
        };
        ParseError::at(
            self.here(),
            &found,
            &format!("expected {what}, found {found_words}"),
        )
    }

    fn keyword(&mut self, word: &str, what: &str) -> R<()> {
        if self.is_word(word) {
            self.at += 1;
            Ok(())
        } else {
            Err(self.expected(what))
        }
    }

    /// A name: a word that is not a keyword of the statement's structure, or quoted text.
    fn name(&mut self, what: &str) -> R<(String, Pos)> {
        match self.peek() {
            Some(Token {
                tok: Tok::Word(w),
                pos,
                ..
            }) if !is_reserved(w) => {
                self.at += 1;
                Ok((w.clone(), *pos))
            }
            Some(Token {
                tok: Tok::Text(t),
                pos,
                ..
            }) if !t.is_empty() => {
                self.at += 1;
                Ok((t.clone(), *pos))
            }
            _ => Err(self.expected(what)),
        }
    }

    fn names(&mut self, what: &str) -> R<Vec<String>> {
        let mut out = vec![self.name(what)?.0];
        while self.peek().map(|t| &t.tok) == Some(&Tok::Comma) {
            self.at += 1;
            out.push(self.name(what)?.0);
        }
        Ok(out)
    }

    /// After an error: on to the next statement keyword that starts a line.
    fn resync(&mut self) {
        self.at += 1;
        while let Some(t) = self.peek() {
            if t.line_start && self.starts_statement() {
                return;
            }
            self.at += 1;
        }
    }

    fn starts_statement(&self) -> bool {
        self.peek_word()
            .is_some_and(|w| STATEMENT_KEYWORDS.iter().any(|k| k.eq_ignore_ascii_case(w)))
    }

    fn statement(&mut self, aliases: &mut Vec<(DefineKind, String, Pos)>) -> R<Statement> {
        let word = self.peek_word().unwrap_or_default().to_ascii_lowercase();
        let effect = match word.as_str() {
            "define" => {
                self.at += 1;
                return self.define();
            }
            "allow" => Effect::Allow,
            "deny" => Effect::Deny,
            "endorse" => Effect::Endorse,
            "admit" => Effect::Admit,
            _ => {
                return Err(
                    self.expected("a statement: `Allow`, `Deny`, `Define`, `Endorse` or `Admit`")
                )
            }
        };
        let keyword_at = self.here();
        self.at += 1;
        let subject = self.subject()?;
        let of_tenancy = if self.is_word("of") {
            let at = self.here();
            self.at += 1;
            self.keyword("tenancy", "`tenancy` after `of`")?;
            let (alias, pos) =
                self.name("the alias of a tenancy (defined with `Define tenancy`)")?;
            if !matches!(effect, Effect::Admit | Effect::Deny) {
                self.errors.push(ParseError::at(
                    at,
                    "of",
                    &format!(
                        "`of tenancy` belongs in Admit and Deny statements, not in {}",
                        effect.keyword()
                    ),
                ));
            }
            aliases.push((DefineKind::Tenancy, alias.clone(), pos));
            Some(alias)
        } else {
            None
        };
        if effect == Effect::Admit && of_tenancy.is_none() {
            return Err(self.expected(
                "`of tenancy <alias>`: an Admit names the tenancy its subject comes from",
            ));
        }
        let access = self.access()?;
        let location = if self.is_word("in") {
            self.at += 1;
            Some(self.location(aliases)?)
        } else {
            None
        };
        self.check_location(effect, location.as_ref(), keyword_at);
        let condition = if self.is_word("where") {
            self.at += 1;
            Some(self.condition(0)?)
        } else {
            None
        };
        if self.peek().is_some() && !self.starts_statement() {
            let what = if location.is_none() && condition.is_none() {
                "`in`, `where` or the next statement"
            } else if condition.is_none() {
                "`where` or the next statement"
            } else {
                "the next statement"
            };
            return Err(self.expected(what));
        }
        Ok(Statement::Grant(Grant {
            effect,
            subject,
            of_tenancy,
            access,
            location,
            condition,
        }))
    }

    fn define(&mut self) -> R<Statement> {
        let kind = match self.peek_word().map(str::to_ascii_lowercase).as_deref() {
            Some("tenancy") => DefineKind::Tenancy,
            Some("group") => DefineKind::Group,
            Some("dynamic-group") => DefineKind::DynamicGroup,
            _ => return Err(self.expected("`tenancy`, `group` or `dynamic-group` after `Define`")),
        };
        self.at += 1;
        let (alias, _) = self.name("an alias")?;
        self.keyword("as", "`as` and an OCID")?;
        let (ocid, _) = self.name("the OCID (or tenant id) the alias stands for")?;
        Ok(Statement::Define(Define { kind, alias, ocid }))
    }

    fn subject(&mut self) -> R<Subject> {
        let word = self.peek_word().unwrap_or_default().to_ascii_lowercase();
        let subject = match word.as_str() {
            "group" => {
                self.at += 1;
                if self.is_word("id") {
                    self.at += 1;
                    Subject::GroupId(self.name("a group's OCID")?.0)
                } else {
                    Subject::Groups(self.names("a group name")?)
                }
            }
            "dynamic-group" => {
                self.at += 1;
                Subject::DynamicGroups(self.names("a dynamic group name")?)
            }
            "service" => {
                self.at += 1;
                Subject::Services(self.names("a service name")?)
            }
            "any-user" => {
                self.at += 1;
                Subject::AnyUser
            }
            "any-group" => {
                self.at += 1;
                Subject::AnyGroup
            }
            _ => {
                return Err(self.expected(
                    "a subject: `group`, `group id`, `dynamic-group`, `service`, `any-user` or `any-group`",
                ))
            }
        };
        Ok(subject)
    }

    fn access(&mut self) -> R<Access> {
        let to = self.is_word("to");
        if to {
            self.at += 1;
        }
        if self.peek().map(|t| &t.tok) == Some(&Tok::LBrace) {
            self.at += 1;
            let mut perms = Vec::new();
            loop {
                let (name, pos) = self.name("a permission, like `INSTANCE_IMAGE_READ`")?;
                match catalogue::permission(&name) {
                    Some(_) => perms.push(name.to_ascii_uppercase()),
                    None => self.errors.push(unknown(
                        pos,
                        &name,
                        "permission",
                        catalogue::nearest(&name, catalogue::all_permissions()),
                    )),
                }
                match self.next().map(|t| &t.tok) {
                    Some(Tok::Comma) => continue,
                    Some(Tok::RBrace) => break,
                    _ => {
                        self.at -= 1;
                        return Err(self.expected("`,` or `}` in the permission set"));
                    }
                }
            }
            return Ok(Access::Permissions(perms));
        }
        let Some(verb) = self.peek_word().and_then(Verb::parse) else {
            let what = if to {
                "a verb (`inspect`, `read`, `use`, `manage`) or `{`"
            } else {
                "`to`, a verb or `{`"
            };
            return Err(self.expected(what));
        };
        if !to {
            return Err(self.expected("`to` before the verb"));
        }
        self.at += 1;
        let (name, pos) = self.name("a resource type or family, like `cluster-family`")?;
        let resource = match catalogue::canonical_resource(&name) {
            Some(r) => r.to_string(),
            None => {
                self.errors.push(unknown(
                    pos,
                    &name,
                    "resource type",
                    catalogue::nearest(&name, catalogue::all_resources()),
                ));
                name
            }
        };
        Ok(Access::Verb { verb, resource })
    }

    fn location(&mut self, aliases: &mut Vec<(DefineKind, String, Pos)>) -> R<Location> {
        let word = self.peek_word().unwrap_or_default().to_ascii_lowercase();
        match word.as_str() {
            "tenancy" => {
                self.at += 1;
                let alias = match self.peek() {
                    Some(Token {
                        tok: Tok::Word(w), ..
                    }) if !is_reserved(w) && !self.starts_statement() => {
                        Some(self.name("an alias")?)
                    }
                    Some(Token {
                        tok: Tok::Text(_), ..
                    }) => Some(self.name("an alias")?),
                    _ => None,
                };
                Ok(match alias {
                    Some((alias, pos)) => {
                        aliases.push((DefineKind::Tenancy, alias.clone(), pos));
                        Location::TenancyAlias(alias)
                    }
                    None => Location::Tenancy,
                })
            }
            "any-tenancy" => {
                self.at += 1;
                Ok(Location::AnyTenancy)
            }
            "compartment" => {
                self.at += 1;
                if self.is_word("id") {
                    self.at += 1;
                    return Ok(Location::CompartmentId(
                        self.name("a compartment's OCID")?.0,
                    ));
                }
                let mut path = vec![self.name("a compartment name")?.0];
                while self.peek().map(|t| &t.tok) == Some(&Tok::Colon) {
                    self.at += 1;
                    path.push(self.name("a compartment name after `:`")?.0);
                }
                Ok(Location::Compartment(path))
            }
            _ => Err(self.expected("`tenancy`, `any-tenancy` or `compartment` after `in`")),
        }
    }

    /// Which locations each kind of statement may name.
    fn check_location(&mut self, effect: Effect, location: Option<&Location>, at: Pos) {
        let problem = match (effect, location) {
            (Effect::Endorse, None) => Some("an Endorse needs `in any-tenancy` or `in tenancy <alias>`: the tenancy it reaches into"),
            (Effect::Endorse, Some(Location::TenancyAlias(_) | Location::AnyTenancy)) => None,
            (Effect::Endorse, Some(_)) => Some("an Endorse reaches into another tenancy: `in any-tenancy` or `in tenancy <alias>`"),
            // A Deny in the home tenant may forbid reaching out, like an Endorse permits it.
            (Effect::Deny, _) => None,
            (_, Some(Location::AnyTenancy)) => Some("`any-tenancy` belongs in Endorse (and Deny) statements"),
            (Effect::Allow | Effect::Admit, Some(Location::TenancyAlias(_))) => {
                Some("Allow and Admit grant in this tenancy: write `in tenancy` or `in compartment …`, without an alias")
            }
            _ => None,
        };
        if let Some(p) = problem {
            self.errors.push(ParseError::at(at, effect.keyword(), p));
        }
    }

    fn condition(&mut self, depth: usize) -> R<Condition> {
        if depth > 16 {
            return Err(self.expected("a simpler condition (at most 16 nested `any`/`all`)"));
        }
        let word = self.peek_word().unwrap_or_default().to_ascii_lowercase();
        if (word == "any" || word == "all")
            && self.tokens.get(self.at + 1).map(|t| &t.tok) == Some(&Tok::LBrace)
        {
            self.at += 2;
            let mut parts = Vec::new();
            loop {
                parts.push(self.condition(depth + 1)?);
                match self.next().map(|t| &t.tok) {
                    Some(Tok::Comma) => continue,
                    Some(Tok::RBrace) => break,
                    _ => {
                        self.at -= 1;
                        return Err(self.expected("`,` or `}` in the condition list"));
                    }
                }
            }
            return Ok(if word == "any" {
                Condition::Any(parts)
            } else {
                Condition::All(parts)
            });
        }
        let (variable, pos) = match self.peek() {
            Some(Token {
                tok: Tok::Word(w),
                pos,
                ..
            }) => (w.clone(), pos),
            _ => {
                return Err(
                    self.expected("a variable like `request.user.name`, or `any {` / `all {`")
                )
            }
        };
        let lower = variable.to_ascii_lowercase();
        if !(lower.starts_with("request.") || lower.starts_with("target.")) || lower.ends_with('.')
        {
            return Err(ParseError::at(
                *pos,
                &variable,
                "expected a variable that starts with `request.` or `target.`, like `request.user.name`",
            ));
        }
        self.at += 1;
        let negated = match self.next().map(|t| &t.tok) {
            Some(Tok::Eq) => false,
            Some(Tok::Ne) => true,
            _ => {
                self.at -= 1;
                return Err(self.expected("`=` or `!=`"));
            }
        };
        let value = match self.peek() {
            Some(Token {
                tok: Tok::Text(t), ..
            }) => Value::Text(t.clone()),
            Some(Token {
                tok: Tok::Word(w), ..
            }) if !is_reserved(w) && !self.starts_statement() => Value::Text(w.clone()),
            Some(Token {
                tok: Tok::Pattern(p),
                pos,
                ..
            }) => {
                let inner = p.strip_prefix('*').unwrap_or(p);
                let inner = inner.strip_suffix('*').unwrap_or(inner);
                if inner.is_empty() || inner.contains('*') {
                    return Err(ParseError::at(
                        *pos,
                        &format!("/{p}/"),
                        "a pattern has text with `*` only at its start, its end or both: `/x*/`, `/*x/`, `/*x*/`",
                    ));
                }
                Value::Pattern(p.clone())
            }
            _ => return Err(self.expected("a value: `'text'` or a pattern like `/dev-*/`")),
        };
        self.at += 1;
        Ok(Condition::Compare {
            variable: lower,
            negated,
            value,
        })
    }
}

/// Words that structure a statement and so cannot be names without quotes.
fn is_reserved(w: &str) -> bool {
    ["to", "in", "of", "where", "as"]
        .iter()
        .any(|k| k.eq_ignore_ascii_case(w))
}

fn unknown(pos: Pos, name: &str, what: &str, near: Vec<String>) -> ParseError {
    let hint = match near.as_slice() {
        [] => String::new(),
        [one] => format!(": did you mean `{one}`?"),
        many => format!(
            ": did you mean {}?",
            many.iter()
                .map(|n| format!("`{n}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    ParseError::at(pos, name, &format!("unknown {what} `{name}`{hint}"))
}
