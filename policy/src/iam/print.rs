//! The canonical form of a document: one statement per line, keywords capitalised the
//! way the seed writes them, resource types in lower case and permissions in upper case.
//! `parse(print(doc))` gives back the same statements (a property test checks it), so
//! the printer is what the editor's "format" and the stored canonical text use.

use super::ast::*;
use std::fmt::Write;

/// The whole document, one statement per line.
pub fn print(doc: &Document) -> String {
    let mut out = String::new();
    for s in &doc.statements {
        out.push_str(&statement(s));
        out.push('\n');
    }
    out
}

/// One statement on one line.
pub fn statement(s: &Statement) -> String {
    let mut out = String::new();
    match s {
        Statement::Define(d) => {
            let _ = write!(
                out,
                "Define {} {} as {}",
                d.kind.as_str(),
                name(&d.alias),
                name(&d.ocid)
            );
        }
        Statement::Grant(g) => {
            out.push_str(g.effect.keyword());
            out.push(' ');
            out.push_str(&subject(&g.subject));
            if let Some(alias) = &g.of_tenancy {
                let _ = write!(out, " of tenancy {}", name(alias));
            }
            match &g.access {
                Access::Verb { verb, resource } => {
                    let _ = write!(out, " to {verb} {resource}");
                }
                Access::Permissions(perms) => {
                    let _ = write!(out, " to {{{}}}", perms.join(", "));
                }
            }
            if let Some(l) = &g.location {
                out.push_str(" in ");
                out.push_str(&location(l));
            }
            if let Some(c) = &g.condition {
                out.push_str(" where ");
                out.push_str(&condition(c));
            }
        }
    }
    out
}

fn subject(s: &Subject) -> String {
    let list = |v: &[String]| v.iter().map(|n| name(n)).collect::<Vec<_>>().join(", ");
    match s {
        Subject::Groups(g) => format!("group {}", list(g)),
        Subject::GroupId(id) => format!("group id {}", name(id)),
        Subject::DynamicGroups(g) => format!("dynamic-group {}", list(g)),
        Subject::Services(s) => format!("service {}", list(s)),
        Subject::AnyUser => "any-user".into(),
        Subject::AnyGroup => "any-group".into(),
    }
}

fn location(l: &Location) -> String {
    match l {
        Location::Tenancy => "tenancy".into(),
        Location::TenancyAlias(a) => format!("tenancy {}", name(a)),
        Location::AnyTenancy => "any-tenancy".into(),
        Location::Compartment(path) => format!(
            "compartment {}",
            path.iter().map(|p| name(p)).collect::<Vec<_>>().join(":")
        ),
        Location::CompartmentId(id) => format!("compartment id {}", name(id)),
    }
}

pub(super) fn condition(c: &Condition) -> String {
    match c {
        Condition::Compare {
            variable,
            negated,
            value,
        } => {
            let op = if *negated { "!=" } else { "=" };
            let value = match value {
                Value::Text(t) => quote(t),
                Value::Pattern(p) => format!("/{p}/"),
            };
            format!("{variable} {op} {value}")
        }
        Condition::Any(parts) | Condition::All(parts) => {
            let word = if matches!(c, Condition::Any(_)) {
                "any"
            } else {
                "all"
            };
            format!(
                "{word} {{{}}}",
                parts.iter().map(condition).collect::<Vec<_>>().join(", ")
            )
        }
    }
}

/// A name as a bare word when it reads back as the same name, else quoted.
fn name(n: &str) -> String {
    let bare = !n.is_empty()
        && !n.chars().any(|c| {
            c.is_whitespace()
                || matches!(
                    c,
                    '{' | '}' | ',' | ':' | '=' | '!' | '\'' | '"' | '#' | '/'
                )
        })
        && ![
            "to", "in", "of", "where", "as", "allow", "deny", "define", "endorse", "admit", "id",
        ]
        .iter()
        .any(|k| k.eq_ignore_ascii_case(n));
    if bare {
        n.to_string()
    } else {
        quote(n)
    }
}

fn quote(t: &str) -> String {
    if t.contains('\'') {
        format!("\"{t}\"")
    } else {
        format!("'{t}'")
    }
}
