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

mod eval;
mod parse;
pub use eval::*;
pub use parse::*;

#[cfg(test)]
mod tests;
