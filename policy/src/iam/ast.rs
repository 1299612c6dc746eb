//! The parsed form of an IAM policy document.
//!
//! Names keep the case their author wrote (groups, aliases, compartments); keywords,
//! resource types and permissions are stored in their canonical spelling, so two
//! documents that differ only in keyword case parse to the same statements. Positions
//! live beside the statements ([`Document::positions`]), not inside them, so that
//! `parse(print(doc))` compares equal to `doc`.

use serde::{Deserialize, Serialize};
use std::fmt;

/// A whole document: its statements in order, and where each one starts.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Document {
    pub statements: Vec<Statement>,
    /// The line and column of each statement's first word (same order).
    pub positions: Vec<Pos>,
}

/// A line and column, both counted from 1 (columns in characters).
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
pub struct Pos {
    pub line: u32,
    pub column: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Statement {
    /// `Define tenancy|group|dynamic-group <alias> as <ocid>`.
    Define(Define),
    /// `Allow`, `Deny`, `Endorse` or `Admit`.
    Grant(Grant),
}

impl Statement {
    /// The statement's keyword, for decisions and listings (`allow`, `define`, …).
    pub fn kind(&self) -> &'static str {
        match self {
            Statement::Define(_) => "define",
            Statement::Grant(g) => g.effect.as_str(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum DefineKind {
    Tenancy,
    Group,
    DynamicGroup,
}

impl DefineKind {
    pub fn as_str(self) -> &'static str {
        match self {
            DefineKind::Tenancy => "tenancy",
            DefineKind::Group => "group",
            DefineKind::DynamicGroup => "dynamic-group",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Define {
    pub kind: DefineKind,
    pub alias: String,
    pub ocid: String,
}

/// What a granting statement does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Effect {
    /// Grants inside this tenant.
    Allow,
    /// Refuses, and wins over every grant (also an Endorse/Admit pair).
    Deny,
    /// In the principal's home tenant: what its principals may do in other tenants.
    Endorse,
    /// In the target tenant: what principals of another tenant may do here.
    Admit,
}

impl Effect {
    pub const ALL: [Effect; 4] = [Effect::Allow, Effect::Deny, Effect::Endorse, Effect::Admit];

    pub fn as_str(self) -> &'static str {
        match self {
            Effect::Allow => "allow",
            Effect::Deny => "deny",
            Effect::Endorse => "endorse",
            Effect::Admit => "admit",
        }
    }

    /// The keyword as the printer writes it.
    pub fn keyword(self) -> &'static str {
        match self {
            Effect::Allow => "Allow",
            Effect::Deny => "Deny",
            Effect::Endorse => "Endorse",
            Effect::Admit => "Admit",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Grant {
    pub effect: Effect,
    pub subject: Subject,
    /// `of tenancy <alias>` (Admit and Deny): the subject belongs to that tenant.
    pub of_tenancy: Option<String>,
    pub access: Access,
    /// `None` when the statement names no location (it then means this tenancy).
    pub location: Option<Location>,
    pub condition: Option<Condition>,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Subject {
    /// `group A, B`: any of the named groups.
    Groups(Vec<String>),
    /// `group id <ocid>`.
    GroupId(String),
    /// `dynamic-group A, B`.
    DynamicGroups(Vec<String>),
    /// `service A, B`: a service principal.
    Services(Vec<String>),
    AnyUser,
    AnyGroup,
}

/// `inspect < read < use < manage`, each including the ones before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Verb {
    Inspect,
    Read,
    Use,
    Manage,
}

impl Verb {
    pub const ALL: [Verb; 4] = [Verb::Inspect, Verb::Read, Verb::Use, Verb::Manage];

    pub fn as_str(self) -> &'static str {
        match self {
            Verb::Inspect => "inspect",
            Verb::Read => "read",
            Verb::Use => "use",
            Verb::Manage => "manage",
        }
    }

    /// 0 for inspect … 3 for manage.
    pub fn rank(self) -> usize {
        self as usize
    }

    pub fn parse(s: &str) -> Option<Verb> {
        Verb::ALL
            .into_iter()
            .find(|v| v.as_str().eq_ignore_ascii_case(s))
    }
}

impl fmt::Display for Verb {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Access {
    /// `to manage cluster-family`.
    Verb { verb: Verb, resource: String },
    /// `to {A, B}`: exactly these permissions (canonical upper case).
    Permissions(Vec<String>),
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Location {
    /// `in tenancy`: this tenant, every compartment.
    Tenancy,
    /// `in tenancy <alias>`: the tenant a Define in the same document names.
    TenancyAlias(String),
    /// `in any-tenancy` (Endorse).
    AnyTenancy,
    /// `in compartment A` or `in compartment A:B` (a path from the tenancy down).
    Compartment(Vec<String>),
    /// `in compartment id <ocid>`.
    CompartmentId(String),
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Condition {
    Compare {
        variable: String,
        negated: bool,
        value: Value,
    },
    Any(Vec<Condition>),
    All(Vec<Condition>),
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Value {
    /// `'text'` (or a bare word).
    Text(String),
    /// `/x*/`, `/*x/`, `/*x*/`: `*` matches any run of characters.
    Pattern(String),
}
