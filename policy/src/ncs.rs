//! The NCS network-policy model (seed 000): the `NCSPolicy` YAML document, its
//! validation with line numbers, and the one evaluator that answers "may workspace
//! label X reach service Y of tenant Z?".
//!
//! Everything here is pure, so the same parser lints in the browser (compiled to wasm)
//! and validates on the server, and the same evaluator serves the REST check, the UI
//! check and the connection status. Facts that need the database (is there a
//! connection, does the service exist) are passed in by the caller.

use marked_yaml::types::{MarkedMappingNode, MarkedScalarNode, Node};
use marked_yaml::LoadError;
use serde::{Deserialize, Serialize};
use std::fmt;

/// The only `kind` this document may have.
pub const KIND: &str = "NCSPolicy";

/// A problem in a policy document, at a 1-based line and column.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Issue {
    pub line: usize,
    pub column: usize,
    pub message: String,
}

impl fmt::Display for Issue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}", self.line, self.message)
    }
}

/// Where a value starts in the document, so that later (database) checks can point at
/// the line of the value they reject.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Pos {
    pub line: usize,
    pub column: usize,
}

impl Pos {
    /// An issue at this position.
    pub fn issue(self, message: impl Into<String>) -> Issue {
        Issue {
            line: self.line.max(1),
            column: self.column.max(1),
            message: message.into(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum NetAction {
    Allow,
    Deny,
}

impl NetAction {
    pub fn as_str(self) -> &'static str {
        match self {
            NetAction::Allow => "allow",
            NetAction::Deny => "deny",
        }
    }

    pub fn parse(s: &str) -> Option<NetAction> {
        match s {
            "allow" => Some(NetAction::Allow),
            "deny" => Some(NetAction::Deny),
            _ => None,
        }
    }
}

/// One network policy: traffic from workspaces carrying `workspace_label` to the service
/// `service_name` of tenant `tenant_id` is allowed or denied.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NcsPolicy {
    pub name: String,
    pub workspace_label: String,
    pub tenant_id: String,
    pub service_name: String,
    pub action: NetAction,
}

/// Where each value of a parsed policy was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Positions {
    pub name: Pos,
    pub workspace_label: Pos,
    pub tenant_id: Pos,
    pub service_name: Pos,
    pub action: Pos,
}

/// A policy that passed the document checks, with the positions of its values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Parsed {
    pub policy: NcsPolicy,
    pub at: Positions,
}

// ---------------------------------------------------------------- names

/// Checks a name that ends up in a DNS name (policy names, service names, workspace
/// names): an RFC 1123 label, 1 to 63 lowercase letters, digits and hyphens, starting
/// with a letter and not ending with a hyphen. Returns why not.
pub fn check_dns_label(what: &str, s: &str) -> Result<(), String> {
    let ok_chars = s
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    if s.is_empty() {
        Err(format!("The {what} is empty."))
    } else if s.len() > 63 {
        Err(format!("The {what} has at most 63 characters."))
    } else if !ok_chars {
        Err(format!(
            "The {what} `{s}` may contain only lowercase letters, digits and hyphens."
        ))
    } else if !s.starts_with(|c: char| c.is_ascii_lowercase()) || s.ends_with('-') {
        Err(format!(
            "The {what} `{s}` must start with a letter and must not end with a hyphen."
        ))
    } else {
        Ok(())
    }
}

/// Checks a workspace label (`project-a-ide`): 1 to 63 characters of lowercase letters,
/// digits, `-`, `_` and `.`, starting and ending with a letter or digit. Labels are
/// matched exactly, so one spelling rule keeps "Project-A" and "project-a" from
/// silently differing.
pub fn check_label(s: &str) -> Result<(), String> {
    let edge = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit();
    if s.is_empty() {
        Err("The workspace label is empty.".into())
    } else if s.contains('=') {
        Err(format!(
            "`{s}` looks like a key=value tenant label. Workspace labels are plain words (for example `project-a-ide`), because a network policy selects workspaces by one label: `workspaceLabel: project-a-ide`."
        ))
    } else if s.len() > 63 {
        Err("A workspace label has at most 63 characters.".into())
    } else if !s.chars().all(|c| edge(c) || matches!(c, '-' | '_' | '.')) {
        Err(format!(
            "The workspace label `{s}` may contain only lowercase letters, digits, `-`, `_` and `.`."
        ))
    } else if !s.starts_with(edge) || !s.ends_with(edge) {
        Err(format!(
            "The workspace label `{s}` must start and end with a letter or digit."
        ))
    } else {
        Ok(())
    }
}

// ---------------------------------------------------------------- parsing

fn pos_of(span: &marked_yaml::Span) -> Pos {
    span.start()
        .map(|m| Pos {
            line: m.line(),
            column: m.column(),
        })
        .unwrap_or(Pos { line: 1, column: 1 })
}

fn load_error(e: &LoadError) -> Issue {
    let at = |m: &marked_yaml::Marker| Pos {
        line: m.line(),
        column: m.column(),
    };
    match e {
        LoadError::TopLevelMustBeMapping(m) | LoadError::TopLevelMustBeSequence(m) => {
            at(m).issue("The document must be a mapping that starts with `kind: NCSPolicy`.")
        }
        LoadError::UnexpectedAnchor(m) => at(m).issue("YAML anchors are not allowed here."),
        LoadError::MappingKeyMustBeScalar(m) => at(m).issue("A field name must be plain text."),
        LoadError::UnexpectedTag(m) => at(m).issue("YAML tags are not allowed here."),
        LoadError::ScanError(m, e) => at(m).issue(format!("This is not valid YAML: {}.", e.info())),
        LoadError::DuplicateKey(inner) => pos_of(inner.key.span()).issue(format!(
            "The field `{}` appears twice (first on line {}).",
            inner.key.as_str(),
            pos_of(inner.prev_key.span()).line
        )),
    }
}

/// A scalar that YAML reads as "no value" (`key:` with nothing after it).
fn is_null(s: &MarkedScalarNode) -> bool {
    matches!(s.as_str(), "" | "~" | "null") && s.may_coerce()
}

/// Reads one mapping's fields: reports unknown fields (with a hint when the field
/// belongs one level deeper) and missing ones, and hands back the known values.
struct Fields<'a> {
    map: &'a MarkedMappingNode,
    path: &'static str,
    /// Where the key naming this mapping is (the top of the document for the root), where
    /// a missing field is reported.
    at: Pos,
}

impl<'a> Fields<'a> {
    fn check(&self, allowed: &[&str], nested_hint: &[(&str, &str)], issues: &mut Vec<Issue>) {
        for (key, _) in self.map.iter() {
            let k = key.as_str();
            if allowed.contains(&k) {
                continue;
            }
            let at = pos_of(key.span());
            let hint = nested_hint
                .iter()
                .find(|(field, _)| *field == k)
                .map(|(_, parent)| format!(" Indent it under `{parent}`."))
                .unwrap_or_default();
            let place = if self.path.is_empty() {
                "at the top level".to_string()
            } else {
                format!("in `{}`", self.path)
            };
            issues.push(at.issue(format!(
                "Unknown field `{k}` {place} (expected {}).{hint}",
                list(allowed)
            )));
        }
    }

    /// The value of a required field, or an issue at the mapping's start.
    fn required(&self, key: &str, issues: &mut Vec<Issue>) -> Option<&'a Node> {
        let found = self.map.get_node(key);
        if found.is_none() {
            let full = self.full(key);
            issues.push(self.at.issue(format!("The field `{full}` is missing.")));
        }
        found
    }

    fn full(&self, key: &str) -> String {
        if self.path.is_empty() {
            key.to_string()
        } else {
            format!("{}.{key}", self.path)
        }
    }

    /// A required mapping field.
    fn mapping(
        &self,
        key: &'static str,
        path: &'static str,
        issues: &mut Vec<Issue>,
    ) -> Option<Fields<'a>> {
        let node = self.required(key, issues)?;
        let at = self
            .map
            .iter()
            .find(|(k, _)| k.as_str() == key)
            .map(|(k, _)| pos_of(k.span()))
            .unwrap_or(self.at);
        match node {
            Node::Mapping(map) => Some(Fields { map, path, at }),
            other => {
                issues.push(pos_of(other.span()).issue(format!(
                    "`{}` must be a mapping of fields, indented below it.",
                    self.full(key)
                )));
                None
            }
        }
    }

    /// A required text field.
    fn text(&self, key: &str, issues: &mut Vec<Issue>) -> Option<(String, Pos)> {
        let node = self.required(key, issues)?;
        match node {
            Node::Scalar(s) if is_null(s) => {
                issues.push(
                    pos_of(s.span()).issue(format!("The field `{}` has no value.", self.full(key))),
                );
                None
            }
            Node::Scalar(s) => Some((s.as_str().trim().to_string(), pos_of(s.span()))),
            other => {
                issues.push(
                    pos_of(other.span())
                        .issue(format!("`{}` must be a single text value.", self.full(key))),
                );
                None
            }
        }
    }
}

fn list(items: &[&str]) -> String {
    match items {
        [] => String::new(),
        [one] => format!("`{one}`"),
        [init @ .., last] => format!(
            "{} or `{last}`",
            init.iter()
                .map(|s| format!("`{s}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// Parses and checks an `NCSPolicy` document. Every problem found is reported, each
/// with its line, so one save shows them all.
pub fn parse(text: &str) -> Result<Parsed, Vec<Issue>> {
    if text.trim().is_empty() {
        return Err(vec![
            Pos { line: 1, column: 1 }.issue("The policy is empty. Start with `kind: NCSPolicy`.")
        ]);
    }
    if text.len() > 64 * 1024 {
        return Err(vec![Pos { line: 1, column: 1 }.issue(
            "The policy is larger than 64 KiB; a policy is a few lines.",
        )]);
    }
    let options = marked_yaml::LoaderOptions::default()
        .error_on_duplicate_keys(true)
        .toplevel_mapping();
    let root =
        marked_yaml::parse_yaml_with_options(0, text, options).map_err(|e| vec![load_error(&e)])?;
    let Node::Mapping(root) = &root else {
        return Err(vec![pos_of(root.span()).issue(
            "The document must be a mapping that starts with `kind: NCSPolicy`.",
        )]);
    };
    let mut issues = Vec::new();
    let top = Fields {
        map: root,
        path: "",
        at: Pos { line: 1, column: 1 },
    };
    top.check(
        &["kind", "metadata", "spec"],
        &[
            ("name", "metadata"),
            ("source", "spec"),
            ("destination", "spec"),
            ("action", "spec"),
            ("workspaceLabel", "spec.source"),
            ("tenantID", "spec.destination"),
            ("serviceName", "spec.destination"),
        ],
        &mut issues,
    );
    if let Some((kind, at)) = top.text("kind", &mut issues) {
        if kind != KIND {
            issues.push(at.issue(format!("`kind` must be `{KIND}`, not `{kind}`.")));
        }
    }
    let name = top
        .mapping("metadata", "metadata", &mut issues)
        .and_then(|meta| {
            meta.check(&["name"], &[], &mut issues);
            meta.text("name", &mut issues)
        })
        .and_then(|(name, at)| match check_dns_label("policy name", &name) {
            Ok(()) => Some((name, at)),
            Err(why) => {
                issues.push(at.issue(why));
                None
            }
        });
    let (mut label, mut tenant, mut service, mut action) = (None, None, None, None);
    if let Some(spec) = top.mapping("spec", "spec", &mut issues) {
        spec.check(
            &["source", "destination", "action"],
            &[
                ("workspaceLabel", "source"),
                ("tenantID", "destination"),
                ("serviceName", "destination"),
            ],
            &mut issues,
        );
        if let Some(source) = spec.mapping("source", "spec.source", &mut issues) {
            source.check(&["workspaceLabel"], &[], &mut issues);
            label =
                source
                    .text("workspaceLabel", &mut issues)
                    .and_then(|(l, at)| match check_label(&l) {
                        Ok(()) => Some((l, at)),
                        Err(why) => {
                            issues.push(at.issue(why));
                            None
                        }
                    });
        }
        if let Some(dest) = spec.mapping("destination", "spec.destination", &mut issues) {
            dest.check(&["tenantID", "serviceName"], &[], &mut issues);
            tenant = dest.text("tenantID", &mut issues).and_then(|(t, at)| {
                if t.len() > 100 {
                    issues.push(at.issue("`tenantID` is too long to be a tenant id."));
                    None
                } else {
                    Some((t, at))
                }
            });
            service =
                dest.text("serviceName", &mut issues).and_then(|(s, at)| {
                    match check_dns_label("service name", &s) {
                        Ok(()) => Some((s, at)),
                        Err(why) => {
                            issues.push(at.issue(why));
                            None
                        }
                    }
                });
        }
        action = spec
            .text("action", &mut issues)
            .and_then(|(a, at)| match NetAction::parse(&a) {
                Some(action) => Some((action, at)),
                None => {
                    issues
                        .push(at.issue(format!("`action` must be `allow` or `deny`, not `{a}`.")));
                    None
                }
            });
    }
    match (name, label, tenant, service, action) {
        (Some(name), Some(label), Some(tenant), Some(service), Some(action))
            if issues.is_empty() =>
        {
            Ok(Parsed {
                policy: NcsPolicy {
                    name: name.0,
                    workspace_label: label.0,
                    tenant_id: tenant.0,
                    service_name: service.0,
                    action: action.0,
                },
                at: Positions {
                    name: name.1,
                    workspace_label: label.1,
                    tenant_id: tenant.1,
                    service_name: service.1,
                    action: action.1,
                },
            })
        }
        _ => {
            issues.sort_by_key(|i| (i.line, i.column));
            Err(issues)
        }
    }
}

/// Prints a policy in the seed's layout. Drafts offered by the console start from this.
pub fn to_yaml(p: &NcsPolicy) -> String {
    format!(
        "kind: {KIND}\nmetadata:\n  name: {}\nspec:\n  source:\n    workspaceLabel: {}\n  destination:\n    tenantID: \"{}\"\n    serviceName: \"{}\"\n  action: {}\n",
        p.name,
        p.workspace_label,
        p.tenant_id,
        p.service_name,
        p.action.as_str()
    )
}

// ---------------------------------------------------------------- evaluation

/// What the caller knows about the connection between the source tenant and the
/// destination tenant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Link {
    /// The two tenants were never connected.
    None,
    /// They were, and the connection is revoked.
    Revoked,
    Active,
}

/// Why traffic is allowed or denied. Exactly one reason per answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "code", content = "policy", rename_all = "snake_case")]
pub enum Reason {
    NoConnection,
    ConnectionRevoked,
    /// The destination tenant offers no service by that name.
    UnknownService,
    /// Connected, but no policy matches: default deny.
    NoPolicy,
    DeniedBy(String),
    AllowedBy(String),
}

impl Reason {
    /// A stable code for APIs and tests.
    pub fn code(&self) -> &'static str {
        match self {
            Reason::NoConnection => "no_connection",
            Reason::ConnectionRevoked => "connection_revoked",
            Reason::UnknownService => "unknown_service",
            Reason::NoPolicy => "no_policy",
            Reason::DeniedBy(_) => "denied_by_policy",
            Reason::AllowedBy(_) => "allowed_by_policy",
        }
    }

    /// The deciding policy, when one decided.
    pub fn policy(&self) -> Option<&str> {
        match self {
            Reason::DeniedBy(p) | Reason::AllowedBy(p) => Some(p),
            _ => None,
        }
    }
}

/// The question: may workspaces labelled `workspace_label` reach `service_name` of
/// tenant `tenant_id`?
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Question {
    pub workspace_label: String,
    pub tenant_id: String,
    pub service_name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Verdict {
    pub allowed: bool,
    pub reason: Reason,
}

impl Verdict {
    /// A sentence for people, naming the tenant as the caller knows it.
    pub fn explain(&self, q: &Question, tenant_label: &str) -> String {
        let what = format!(
            "`{}` → {} of {}",
            q.workspace_label, q.service_name, tenant_label
        );
        match &self.reason {
            Reason::NoConnection => format!("There is no connection with {tenant_label}."),
            Reason::ConnectionRevoked => {
                format!("The connection with {tenant_label} was revoked.")
            }
            Reason::UnknownService => format!(
                "{tenant_label} offers no service named `{}`.",
                q.service_name
            ),
            Reason::NoPolicy => {
                format!("No policy allows {what}. Connections allow nothing by default.")
            }
            Reason::DeniedBy(p) => format!("Policy `{p}` denies {what}."),
            Reason::AllowedBy(p) => format!("Policy `{p}` allows {what}."),
        }
    }
}

/// The one evaluator. Order of the checks: the connection must be active, the service
/// must exist, then policies of the source tenant that match the question decide, a
/// matching `deny` winning over any `allow` (so a deny can carve out an exception), and
/// with no match the answer is the default deny. Among several matches of the same
/// action the first name in alphabetical order is named, so the answer is stable.
pub fn evaluate(q: &Question, link: Link, service_exists: bool, policies: &[NcsPolicy]) -> Verdict {
    let deny = |reason| Verdict {
        allowed: false,
        reason,
    };
    match link {
        Link::None => return deny(Reason::NoConnection),
        Link::Revoked => return deny(Reason::ConnectionRevoked),
        Link::Active => {}
    }
    if !service_exists {
        return deny(Reason::UnknownService);
    }
    let first = |action: NetAction| {
        policies
            .iter()
            .filter(|p| {
                p.action == action
                    && p.workspace_label == q.workspace_label
                    && p.tenant_id == q.tenant_id
                    && p.service_name == q.service_name
            })
            .map(|p| p.name.as_str())
            .min()
            .map(str::to_string)
    };
    if let Some(name) = first(NetAction::Deny) {
        return deny(Reason::DeniedBy(name));
    }
    match first(NetAction::Allow) {
        Some(name) => Verdict {
            allowed: true,
            reason: Reason::AllowedBy(name),
        },
        None => deny(Reason::NoPolicy),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SEED: &str = r#"# Example NCS Policy in the Consumer Tenant
kind: NCSPolicy
metadata:
  name: allow-external-api
spec:
  source:
    workspaceLabel: project-a-ide
  destination:
    tenantID: "tenant-xyz-123" # The remote Tenant ID
    serviceName: "global-inventory-api"
  action: allow
"#;

    fn lines(issues: &[Issue]) -> Vec<usize> {
        issues.iter().map(|i| i.line).collect()
    }

    #[test]
    fn the_seed_example_parses_with_positions() {
        let p = parse(SEED).expect("the seed's own policy is valid");
        assert_eq!(p.policy.name, "allow-external-api");
        assert_eq!(p.policy.workspace_label, "project-a-ide");
        assert_eq!(p.policy.tenant_id, "tenant-xyz-123");
        assert_eq!(p.policy.service_name, "global-inventory-api");
        assert_eq!(p.policy.action, NetAction::Allow);
        assert_eq!(p.at.name.line, 4);
        assert_eq!(p.at.tenant_id.line, 9);
        assert_eq!(p.at.service_name.line, 10);
    }

    #[test]
    fn printing_then_parsing_gives_the_same_policy() {
        let p = parse(SEED).unwrap().policy;
        assert_eq!(parse(&to_yaml(&p)).unwrap().policy, p);
    }

    #[test]
    fn unknown_fields_are_named_with_their_line() {
        let text = SEED.replace("  action: allow", "  action: allow\n  priority: 5");
        let errs = parse(&text).unwrap_err();
        assert_eq!(lines(&errs), vec![12]);
        assert!(errs[0]
            .message
            .contains("Unknown field `priority` in `spec`"));
    }

    #[test]
    fn a_misspelt_nested_field_is_unknown_and_the_real_one_missing() {
        let text = SEED.replace("workspaceLabel", "workspaceLabels");
        let errs = parse(&text).unwrap_err();
        assert!(errs
            .iter()
            .any(|i| i.line == 7 && i.message.contains("workspaceLabels")));
        // The missing field is reported at the key of the mapping that lacks it.
        assert!(errs.iter().any(|i| i.line == 6
            && i.message
                .contains("`spec.source.workspaceLabel` is missing")));
    }

    #[test]
    fn missing_fields_are_reported() {
        let text = "kind: NCSPolicy\nmetadata:\n  name: x\n";
        let errs = parse(text).unwrap_err();
        assert_eq!(errs.len(), 1);
        assert!(errs[0].message.contains("`spec` is missing"));
    }

    #[test]
    fn a_flattened_paste_gets_an_indentation_hint() {
        // The seed's web page lost its indentation; pasting it as-is must explain why.
        let flat = "kind: NCSPolicy\nmetadata:\nname: allow-external-api\nspec:\naction: allow\n";
        let errs = parse(flat).unwrap_err();
        let name = errs
            .iter()
            .find(|i| i.line == 3)
            .expect("an issue on line 3");
        assert!(
            name.message.contains("Indent it under `metadata`"),
            "{name:?}"
        );
    }

    #[test]
    fn a_bad_name_points_at_its_line() {
        let errs = parse(&SEED.replace("allow-external-api", "Allow_API")).unwrap_err();
        assert_eq!(lines(&errs), vec![4]);
        assert!(errs[0].message.contains("lowercase"));
    }

    #[test]
    fn wrong_kind_and_action_are_both_reported() {
        let text = SEED
            .replace("kind: NCSPolicy", "kind: NetworkPolicy")
            .replace("action: allow", "action: permit");
        let errs = parse(&text).unwrap_err();
        assert_eq!(lines(&errs), vec![2, 11]);
    }

    #[test]
    fn broken_yaml_and_duplicates_name_a_line() {
        let errs = parse("kind: NCSPolicy\nmetadata: [unclosed\n").unwrap_err();
        assert!(errs[0].line >= 2, "{errs:?}");
        let errs = parse("kind: NCSPolicy\nkind: NCSPolicy\n").unwrap_err();
        assert_eq!(lines(&errs), vec![2]);
        assert!(errs[0].message.contains("appears twice"));
    }

    #[test]
    fn empty_values_and_wrong_shapes_are_refused() {
        let errs = parse(&SEED.replace("name: allow-external-api", "name:")).unwrap_err();
        assert!(errs[0].message.contains("has no value"), "{errs:?}");
        let errs =
            parse(&SEED.replace("  name: allow-external-api", "  name: [a, b]")).unwrap_err();
        assert!(errs[0].message.contains("single text value"));
        assert!(parse("").is_err());
        assert!(parse("- a\n- b\n").is_err());
    }

    #[test]
    fn hostile_input_is_refused_without_a_crash() {
        // Deep nesting within the size limit, and a document over it.
        let deep = format!("kind: {}{}", "[".repeat(30_000), "]".repeat(30_000));
        assert!(parse(&deep).is_err());
        let big = format!("kind: NCSPolicy\n# {}\n", "x".repeat(70 * 1024));
        assert!(parse(&big).unwrap_err()[0].message.contains("64 KiB"));
    }

    #[test]
    fn dns_labels_and_workspace_labels() {
        assert!(check_dns_label("x", "inventory-api").is_ok());
        for bad in ["", "-a", "a-", "A", "a_b", "1a", &"a".repeat(64)] {
            assert!(check_dns_label("x", bad).is_err(), "{bad}");
        }
        assert!(check_label("project-a.ide_2").is_ok());
        for bad in ["", "-a", "a-", "A", "a b"] {
            assert!(check_label(bad).is_err(), "{bad}");
        }
    }

    fn pol(name: &str, action: NetAction) -> NcsPolicy {
        NcsPolicy {
            name: name.into(),
            workspace_label: "ide".into(),
            tenant_id: "t1".into(),
            service_name: "api".into(),
            action,
        }
    }

    fn q() -> Question {
        Question {
            workspace_label: "ide".into(),
            tenant_id: "t1".into(),
            service_name: "api".into(),
        }
    }

    #[test]
    fn the_connection_is_checked_before_any_policy() {
        let allow = [pol("a", NetAction::Allow)];
        assert_eq!(
            evaluate(&q(), Link::None, true, &allow).reason,
            Reason::NoConnection
        );
        assert_eq!(
            evaluate(&q(), Link::Revoked, true, &allow).reason,
            Reason::ConnectionRevoked
        );
        assert_eq!(
            evaluate(&q(), Link::Active, false, &allow).reason,
            Reason::UnknownService
        );
    }

    #[test]
    fn default_deny_then_allow_then_deny_wins() {
        let v = evaluate(&q(), Link::Active, true, &[]);
        assert!(!v.allowed);
        assert_eq!(v.reason, Reason::NoPolicy);
        let mut other = pol("other", NetAction::Allow);
        other.workspace_label = "web".into();
        assert_eq!(
            evaluate(&q(), Link::Active, true, std::slice::from_ref(&other)).reason,
            Reason::NoPolicy
        );
        let policies = vec![
            other,
            pol("z-allow", NetAction::Allow),
            pol("b-allow", NetAction::Allow),
        ];
        let v = evaluate(&q(), Link::Active, true, &policies);
        assert!(v.allowed);
        assert_eq!(v.reason, Reason::AllowedBy("b-allow".into()));
        let mut with_deny = policies.clone();
        with_deny.push(pol("block", NetAction::Deny));
        let v = evaluate(&q(), Link::Active, true, &with_deny);
        assert!(!v.allowed);
        assert_eq!(v.reason, Reason::DeniedBy("block".into()));
        assert!(v.explain(&q(), "globex").contains("`block`"));
    }
}
