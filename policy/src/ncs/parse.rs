//! The YAML document: loading with positions, field checks, and the canonical form.

use super::*;

pub(super) fn pos_of(span: &marked_yaml::Span) -> Pos {
    span.start()
        .map(|m| Pos {
            line: m.line(),
            column: m.column(),
        })
        .unwrap_or(Pos { line: 1, column: 1 })
}

pub(super) fn load_error(e: &LoadError) -> Issue {
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
pub(super) fn is_null(s: &MarkedScalarNode) -> bool {
    matches!(s.as_str(), "" | "~" | "null") && s.may_coerce()
}

/// Reads one mapping's fields: reports unknown fields (with a hint when the field
/// belongs one level deeper) and missing ones, and hands back the known values.
pub(super) struct Fields<'a> {
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

pub(super) fn list(items: &[&str]) -> String {
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
