//! Input rules shared by every entry point, so the UI and the API refuse the same things
//! with the same words.

use crate::model::Label;
use crate::{DomainError, DomainResult};

/// Tenant names appear in URLs (`/t/<name>/…`) and never change, so they are kept to
/// lowercase letters, digits, `-` and `_`: 2 to 63 characters, starting with a letter
/// and not ending with `-` or `_`.
pub fn tenant_name(raw: &str) -> DomainResult<String> {
    slug("tenant", raw)
}

/// Group names follow the tenant-name rule: they appear in URLs and in statements,
/// which match them whatever their case.
pub fn group_name(raw: &str) -> DomainResult<String> {
    slug("group", raw)
}

fn slug(what: &str, raw: &str) -> DomainResult<String> {
    let name = raw.trim();
    let err = |m: String| DomainError::invalid("name", m);
    if name.is_empty() {
        return Err(err(format!("Enter a {what} name.")));
    }
    if name.len() < 2 || name.len() > 63 {
        return Err(err(format!("A {what} name has 2 to 63 characters.")));
    }
    if !name
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
    {
        return Err(err(
            "Use only lowercase letters, digits, hyphens and underscores.".into(),
        ));
    }
    if !name.starts_with(|c: char| c.is_ascii_lowercase()) {
        return Err(err(format!("A {what} name starts with a letter.")));
    }
    if name.ends_with(['-', '_']) {
        return Err(err(format!(
            "A {what} name cannot end with a hyphen or underscore."
        )));
    }
    Ok(name.to_string())
}

/// A description is optional free text, at most 500 characters.
pub fn description(raw: &str) -> DomainResult<String> {
    free_text("description", "A description", raw, 500)
}

/// Optional free text in `field`, trimmed, at most `max` characters.
pub fn free_text(field: &'static str, what: &str, raw: &str, max: usize) -> DomainResult<String> {
    let t = raw.trim();
    if t.chars().count() > max {
        return Err(DomainError::invalid(
            field,
            format!("{what} has at most {max} characters."),
        ));
    }
    Ok(t.to_string())
}

/// An email address as typed by an admin. Deliberately loose (local@domain): the
/// identity provider is the authority on addresses; this only catches typing slips.
pub fn email(raw: &str) -> DomainResult<String> {
    let e = raw.trim();
    let err = || DomainError::invalid("email", "Enter an email address like name@example.com.");
    if e.is_empty() || e.len() > 254 || e.chars().any(char::is_whitespace) {
        return Err(err());
    }
    match e.split_once('@') {
        Some((local, domain))
            if !local.is_empty() && !domain.is_empty() && !domain.contains('@') =>
        {
            Ok(e.to_string())
        }
        _ => Err(err()),
    }
}

/// A person's display name: optional, at most 200 characters.
pub fn person_name(raw: &str) -> DomainResult<String> {
    let n = raw.trim();
    if n.chars().count() > 200 {
        return Err(DomainError::invalid(
            "name",
            "A name has at most 200 characters.",
        ));
    }
    Ok(n.to_string())
}

/// Parses labels written as `key=value`, separated by commas or new lines
/// (`env=prod, team=analytics`). Keys are unique; at most 20 labels.
pub fn labels(raw: &str) -> DomainResult<Vec<Label>> {
    let mut out: Vec<Label> = Vec::new();
    for part in raw
        .split([',', '\n'])
        .map(str::trim)
        .filter(|p| !p.is_empty())
    {
        let Some((k, v)) = part.split_once('=') else {
            return Err(DomainError::invalid(
                "labels",
                format!("`{part}` is not a label: write key=value, e.g. env=prod."),
            ));
        };
        out.push(label(k, v)?);
    }
    check_labels(out)
}

/// Validates one label.
pub fn label(key: &str, value: &str) -> DomainResult<Label> {
    let (k, v) = (key.trim(), value.trim());
    let key_ok = !k.is_empty()
        && k.len() <= 63
        && k.starts_with(|c: char| c.is_ascii_lowercase())
        && k.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "-_./".contains(c));
    if !key_ok {
        return Err(DomainError::invalid(
            "labels",
            format!("Label key `{k}`: use 1-63 lowercase letters, digits, `-`, `_`, `.` or `/`, starting with a letter."),
        ));
    }
    let value_ok = v.len() <= 63
        && v.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c));
    if !value_ok {
        return Err(DomainError::invalid(
            "labels",
            format!("Label value `{v}`: use at most 63 letters, digits, `-`, `_` or `.`."),
        ));
    }
    Ok(Label {
        key: k.to_string(),
        value: v.to_string(),
    })
}

/// Rejects duplicate keys and too many labels; sorts for a stable order.
pub fn check_labels(mut labels: Vec<Label>) -> DomainResult<Vec<Label>> {
    if labels.len() > 20 {
        return Err(DomainError::invalid(
            "labels",
            "A tenant has at most 20 labels.",
        ));
    }
    labels.sort();
    if let Some(w) = labels.windows(2).find(|w| w[0].key == w[1].key) {
        return Err(DomainError::invalid(
            "labels",
            format!("Label key `{}` appears twice.", w[0].key),
        ));
    }
    Ok(labels)
}

/// Escapes `%`, `_` and `\` so user text matches literally inside `LIKE … ESCAPE '\'`.
pub(crate) fn like_pattern(q: &str) -> String {
    format!("%{}%", escape_like(&q.trim().to_lowercase()))
}

/// `s` with LIKE's wildcards escaped (backslash is the escape character).
pub(crate) fn escape_like(s: &str) -> String {
    let mut p = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(c, '%' | '_' | '\\') {
            p.push('\\');
        }
        p.push(c);
    }
    p
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tenant_names_follow_the_url_safe_rule() {
        for ok in ["acme", "app_tenant_1", "dev-analytics", "a1"] {
            assert_eq!(tenant_name(ok).ok().as_deref(), Some(ok), "{ok}");
        }
        for bad in [
            "",
            "a",
            "Acme",
            "1acme",
            "acme-",
            "ac me",
            "acme/x",
            &"a".repeat(64),
        ] {
            assert!(tenant_name(bad).is_err(), "{bad:?} should be refused");
        }
    }

    #[test]
    fn labels_parse_and_reject_duplicates() {
        let l = labels("team=analytics, env=prod").unwrap();
        assert_eq!(l[0].key, "env");
        assert_eq!(l[1].value, "analytics");
        assert!(labels("env=prod,env=dev").is_err());
        assert!(labels("envprod").is_err());
        assert!(labels("Env=prod").is_err());
        assert!(labels("").unwrap().is_empty());
    }

    #[test]
    fn emails_need_a_local_part_and_a_domain() {
        assert!(email("admin@localhost").is_ok());
        assert!(email(" a@b.c ").is_ok());
        for bad in ["", "nobody", "@x", "x@", "a b@c", "a@b@c"] {
            assert!(email(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn like_patterns_escape_wildcards() {
        assert_eq!(like_pattern("app_1"), "%app\\_1%");
        assert_eq!(like_pattern("50%"), "%50\\%%");
    }
}
