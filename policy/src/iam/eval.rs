//! The evaluator: "may this principal do this on that, in that tenant?"
//!
//! Inside one tenant an `Allow` of that tenant grants. Across tenants nothing grants but
//! a pair: an `Endorse` in the principal's home tenant that reaches the target tenant,
//! and an `Admit` in the target tenant that names the home tenant, each resolving its
//! alias through a Define of its own document. A matching `Deny` (in the target tenant,
//! or in the home tenant pointing at the target) wins over all of it.
//!
//! Statements are compiled once into a [`PolicySet`] with their aliases resolved and
//! indexed by (tenant, kind, resource type) and then by subject, so a decision looks at
//! the few statements that could match instead of every one. [`PolicySet::evaluate_scan`]
//! is the plain reference that scans everything with the same matching rules; a property
//! test holds the two to the same answers.

use super::ast::*;
use super::catalogue::{self, ResourceType};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};

/// One stored policy document of a tenant.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PolicyDoc {
    pub tenant_id: String,
    /// For explanations ("no matching Admit in globex").
    pub tenant_name: String,
    pub name: String,
    pub document: Document,
}

/// A group the principal belongs to in its home tenant. Groups are known by name until
/// they are console objects with ids; an Admit's `Define group X as <id>` then matches
/// the id instead of the name.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupRef {
    pub name: String,
    #[serde(default)]
    pub id: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Principal {
    /// The home tenant.
    pub tenant_id: String,
    #[serde(default)]
    pub user_id: Option<String>,
    #[serde(default)]
    pub user_name: Option<String>,
    #[serde(default)]
    pub groups: Vec<GroupRef>,
    #[serde(default)]
    pub dynamic_groups: Vec<String>,
    /// `user` when unset; `service`, `nodepool`, `instance`… for other principals.
    #[serde(default)]
    pub principal_type: Option<String>,
}

/// What is asked for: a verb on a type, or one permission.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Wanted {
    Verb(Verb),
    Permission(String),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Request {
    pub principal: Principal,
    pub wanted: Wanted,
    pub resource_type: String,
    pub target_tenant_id: String,
    /// The compartment path from the tenancy down; empty for the tenancy itself.
    #[serde(default)]
    pub compartment: Vec<String>,
    #[serde(default)]
    pub operation: Option<String>,
    /// Any other `request.*` / `target.*` variable a condition may read.
    #[serde(default)]
    pub variables: BTreeMap<String, String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Reason {
    Allowed,
    DeniedByPolicy,
    NoAllow,
    NoEndorse,
    NoAdmit,
}

impl Reason {
    pub fn as_str(self) -> &'static str {
        match self {
            Reason::Allowed => "allowed",
            Reason::DeniedByPolicy => "denied_by_policy",
            Reason::NoAllow => "no_allow",
            Reason::NoEndorse => "no_endorse",
            Reason::NoAdmit => "no_admit",
        }
    }
}

/// A statement that decided: where it is written.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct StatementRef {
    pub tenant_id: String,
    pub policy: String,
    pub line: u32,
    pub kind: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Decision {
    pub allowed: bool,
    pub reason: Reason,
    /// Every deciding statement: the denies, the allows, or the Endorse and Admit halves
    /// found (for a refusal, the half that was there).
    pub statements: Vec<StatementRef>,
    pub explanation: String,
}

/// Where a compiled statement applies, its aliases resolved to tenant ids.
#[derive(Debug, Clone, PartialEq)]
enum Place {
    /// This tenant (no location, or `in tenancy`).
    Own,
    Compartment(Vec<String>),
    CompartmentId(String),
    /// `in tenancy <alias>`: resolved, or `None` when the alias has no Define.
    Tenant(Option<String>),
    AnyTenant,
}

#[derive(Debug, Clone)]
struct Compiled {
    doc: usize,
    line: u32,
    effect: Effect,
    /// The owning tenant, lower case.
    tenant: String,
    subject: Subject,
    /// For each name of a `group` subject, the id a Define of the document gives it.
    group_ids: Vec<Option<String>>,
    /// `of tenancy`, resolved (`Some(None)`: named but not defined, matches nothing).
    of_tenant: Option<Option<String>>,
    access: Access,
    place: Place,
    condition: Option<Condition>,
}

#[derive(Debug, Default)]
struct Bucket {
    by_subject: HashMap<String, Vec<u32>>,
    any: Vec<u32>,
}

/// Compiled, indexed statements of any number of tenants.
#[derive(Debug, Default)]
pub struct PolicySet {
    docs: Vec<(String, String)>,
    names: HashMap<String, String>,
    statements: Vec<Compiled>,
    index: HashMap<(String, Effect, usize), Bucket>,
}

fn lower(s: &str) -> String {
    s.to_ascii_lowercase()
}

impl PolicySet {
    /// Compiles the documents (borrowed: a caller such as the simulator still reads
    /// them afterwards, to print the statements that decided).
    pub fn new(docs: &[PolicyDoc]) -> PolicySet {
        let mut set = PolicySet::default();
        for (d, doc) in docs.iter().enumerate() {
            set.names
                .insert(lower(&doc.tenant_id), doc.tenant_name.clone());
            set.docs.push((doc.tenant_id.clone(), doc.name.clone()));
            let mut tenancies: HashMap<String, String> = HashMap::new();
            let mut groups: HashMap<String, String> = HashMap::new();
            for s in &doc.document.statements {
                if let Statement::Define(def) = s {
                    let map = match def.kind {
                        DefineKind::Tenancy => &mut tenancies,
                        DefineKind::Group | DefineKind::DynamicGroup => &mut groups,
                    };
                    map.insert(lower(&def.alias), lower(&def.ocid));
                }
            }
            for (s, pos) in doc.document.statements.iter().zip(&doc.document.positions) {
                let Statement::Grant(g) = s else { continue };
                let resolve = |alias: &String| tenancies.get(&lower(alias)).cloned();
                let subject = lower_subject(&g.subject);
                let group_ids = match &subject {
                    Subject::Groups(names) => {
                        names.iter().map(|n| groups.get(n).cloned()).collect()
                    }
                    _ => Vec::new(),
                };
                let place = match &g.location {
                    None | Some(Location::Tenancy) => Place::Own,
                    Some(Location::Compartment(p)) => {
                        Place::Compartment(p.iter().map(|c| lower(c)).collect())
                    }
                    Some(Location::CompartmentId(id)) => Place::CompartmentId(lower(id)),
                    Some(Location::TenancyAlias(a)) => Place::Tenant(resolve(a)),
                    Some(Location::AnyTenancy) => Place::AnyTenant,
                };
                set.statements.push(Compiled {
                    doc: d,
                    line: pos.line,
                    effect: g.effect,
                    tenant: lower(&doc.tenant_id),
                    subject,
                    group_ids,
                    of_tenant: g.of_tenancy.as_ref().map(resolve),
                    access: g.access.clone(),
                    place,
                    condition: g.condition.clone(),
                });
            }
        }
        for (i, c) in set.statements.iter().enumerate() {
            let types: Vec<usize> = match &c.access {
                Access::Verb { resource, .. } => catalogue::TYPES
                    .iter()
                    .enumerate()
                    .filter(|(_, t)| catalogue::covers(resource, t))
                    .map(|(n, _)| n)
                    .collect(),
                Access::Permissions(perms) => {
                    let mut v: Vec<usize> = perms
                        .iter()
                        .filter_map(|p| catalogue::permission(p))
                        .filter_map(|(t, _)| type_index(t))
                        .collect();
                    v.sort_unstable();
                    v.dedup();
                    v
                }
            };
            let keys = subject_keys(c);
            for t in types {
                let bucket = set
                    .index
                    .entry((c.tenant.clone(), c.effect, t))
                    .or_default();
                if keys.is_empty() {
                    bucket.any.push(i as u32);
                }
                for k in &keys {
                    bucket
                        .by_subject
                        .entry(k.clone())
                        .or_default()
                        .push(i as u32);
                }
            }
        }
        set
    }

    /// Names tenants for explanations ("no matching Admit in globex") that have no
    /// document in the set.
    pub fn with_names<I: IntoIterator<Item = (String, String)>>(mut self, names: I) -> PolicySet {
        for (id, name) in names {
            self.names.entry(lower(&id)).or_insert(name);
        }
        self
    }

    /// How many statements (Defines aside) the set holds.
    pub fn len(&self) -> usize {
        self.statements.len()
    }

    pub fn is_empty(&self) -> bool {
        self.statements.is_empty()
    }

    /// The decision, from the index.
    pub fn evaluate(&self, req: &Request) -> Decision {
        let Some(ty) = catalogue::resource_type(&req.resource_type) else {
            return self.unknown_type(req);
        };
        let Some(t) = type_index(ty) else {
            return self.unknown_type(req);
        };
        let keys = principal_keys(&req.principal);
        self.decide(req, ty, |tenant, effect| {
            let mut ids: Vec<u32> = Vec::new();
            if let Some(b) = self.index.get(&(tenant.to_string(), effect, t)) {
                ids.extend(&b.any);
                for k in &keys {
                    if let Some(v) = b.by_subject.get(k) {
                        ids.extend(v);
                    }
                }
            }
            ids.sort_unstable();
            ids.dedup();
            ids.into_iter()
                .map(|i| &self.statements[i as usize])
                .collect()
        })
    }

    /// The same decision from a scan of every statement: the reference the index is
    /// tested against.
    pub fn evaluate_scan(&self, req: &Request) -> Decision {
        let Some(ty) = catalogue::resource_type(&req.resource_type) else {
            return self.unknown_type(req);
        };
        self.decide(req, ty, |tenant, effect| {
            self.statements
                .iter()
                .filter(|c| c.tenant == tenant && c.effect == effect)
                .collect()
        })
    }

    fn unknown_type(&self, req: &Request) -> Decision {
        Decision {
            allowed: false,
            reason: Reason::NoAllow,
            statements: Vec::new(),
            explanation: format!(
                "`{}` is not a resource type; nothing grants it.",
                req.resource_type
            ),
        }
    }

    fn name_of(&self, tenant: &str) -> String {
        self.names
            .get(tenant)
            .cloned()
            .unwrap_or_else(|| tenant.to_string())
    }

    fn reference(&self, c: &Compiled) -> StatementRef {
        let (tenant_id, policy) = &self.docs[c.doc];
        StatementRef {
            tenant_id: tenant_id.clone(),
            policy: policy.clone(),
            line: c.line,
            kind: c.effect.as_str().to_string(),
        }
    }

    fn describe(&self, found: &[&Compiled]) -> String {
        found
            .iter()
            .map(|c| {
                let (tenant, policy) = &self.docs[c.doc];
                format!("{}/{policy} line {}", self.name_of(&lower(tenant)), c.line)
            })
            .collect::<Vec<_>>()
            .join(", ")
    }

    fn decide<'s, F>(&'s self, req: &Request, ty: &ResourceType, candidates: F) -> Decision
    where
        F: Fn(&str, Effect) -> Vec<&'s Compiled>,
    {
        let home = lower(&req.principal.tenant_id);
        let target = lower(&req.target_tenant_id);
        let cross = home != target;
        let matching = |tenant: &str, effect: Effect| -> Vec<&'s Compiled> {
            candidates(tenant, effect)
                .into_iter()
                .filter(|c| applies(c, req, ty, &home, &target))
                .collect()
        };
        let mut denies = matching(&target, Effect::Deny);
        if cross {
            denies.extend(matching(&home, Effect::Deny));
        }
        let decision = |allowed, reason, found: Vec<&Compiled>, explanation| {
            let mut statements: Vec<StatementRef> =
                found.iter().map(|c| self.reference(c)).collect();
            statements.sort();
            statements.dedup();
            Decision {
                allowed,
                reason,
                statements,
                explanation,
            }
        };
        if !denies.is_empty() {
            let text = format!("Denied by {}.", self.describe(&denies));
            return decision(false, Reason::DeniedByPolicy, denies, text);
        }
        if !cross {
            let allows = matching(&target, Effect::Allow);
            return if allows.is_empty() {
                let text = format!(
                    "No Allow statement in {} grants this.",
                    self.name_of(&target)
                );
                decision(false, Reason::NoAllow, allows, text)
            } else {
                let text = format!("Allowed by {}.", self.describe(&allows));
                decision(true, Reason::Allowed, allows, text)
            };
        }
        let endorses = matching(&home, Effect::Endorse);
        let admits = matching(&target, Effect::Admit);
        let (home_name, target_name) = (self.name_of(&home), self.name_of(&target));
        let half = |found: &[&Compiled], kind: &str, tenant: &str| {
            if found.is_empty() {
                format!("no matching {kind} in {tenant}")
            } else {
                format!("{kind} found in {}", self.describe(found))
            }
        };
        let text = format!(
            "{}; {}.",
            half(&endorses, "Endorse", &home_name),
            half(&admits, "Admit", &target_name)
        );
        let text = capitalise(&text);
        let reason = match (endorses.is_empty(), admits.is_empty()) {
            (false, false) => Reason::Allowed,
            (true, _) => Reason::NoEndorse,
            (false, true) => Reason::NoAdmit,
        };
        let mut found = endorses;
        found.extend(admits);
        decision(reason == Reason::Allowed, reason, found, text)
    }
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

fn type_index(t: &ResourceType) -> Option<usize> {
    catalogue::TYPES.iter().position(|x| x.name == t.name)
}

fn lower_subject(s: &Subject) -> Subject {
    let l = |v: &[String]| v.iter().map(|n| lower(n)).collect();
    match s {
        Subject::Groups(v) => Subject::Groups(l(v)),
        Subject::GroupId(id) => Subject::GroupId(lower(id)),
        Subject::DynamicGroups(v) => Subject::DynamicGroups(l(v)),
        Subject::Services(v) => Subject::Services(l(v)),
        Subject::AnyUser => Subject::AnyUser,
        Subject::AnyGroup => Subject::AnyGroup,
    }
}

/// The index keys a statement's subject is filed under; none means "any principal".
fn subject_keys(c: &Compiled) -> Vec<String> {
    match &c.subject {
        Subject::Groups(names) => {
            let mut keys: Vec<String> = names.iter().map(|n| format!("g:{n}")).collect();
            keys.extend(c.group_ids.iter().flatten().map(|id| format!("gid:{id}")));
            keys
        }
        Subject::GroupId(id) => vec![format!("gid:{id}")],
        Subject::DynamicGroups(names) => names.iter().map(|n| format!("d:{n}")).collect(),
        Subject::Services(names) => names.iter().map(|n| format!("s:{n}")).collect(),
        Subject::AnyUser | Subject::AnyGroup => Vec::new(),
    }
}

/// The keys a principal's statements can be filed under.
fn principal_keys(p: &Principal) -> Vec<String> {
    let mut keys = Vec::new();
    for g in &p.groups {
        keys.push(format!("g:{}", lower(&g.name)));
        if let Some(id) = &g.id {
            keys.push(format!("gid:{}", lower(id)));
        }
    }
    keys.extend(p.dynamic_groups.iter().map(|d| format!("d:{}", lower(d))));
    if let Some(name) = &p.user_name {
        keys.push(format!("s:{}", lower(name)));
    }
    keys
}

/// Whether a statement applies to the request: who, where, what and when.
fn applies(c: &Compiled, req: &Request, ty: &ResourceType, home: &str, target: &str) -> bool {
    placed(c, req, home, target)
        && subject_matches(c, &req.principal)
        && grants(&c.access, &req.wanted, ty)
        && c.condition.as_ref().is_none_or(|cond| holds(cond, req))
}

/// The statement's tenant, `of tenancy` and location against the principal's home and
/// the target.
fn placed(c: &Compiled, req: &Request, home: &str, target: &str) -> bool {
    let inside = |place: &Place| match place {
        Place::Own => true,
        Place::Compartment(path) => {
            path.len() <= req.compartment.len()
                && path
                    .iter()
                    .zip(&req.compartment)
                    .all(|(a, b)| a.eq_ignore_ascii_case(b))
        }
        Place::CompartmentId(id) => req
            .variables
            .get("target.compartment.id")
            .is_some_and(|v| v.eq_ignore_ascii_case(id)),
        Place::Tenant(_) | Place::AnyTenant => false,
    };
    let reaches = |place: &Place| match place {
        Place::AnyTenant => true,
        Place::Tenant(Some(id)) => id == target,
        _ => false,
    };
    let from = |of: &Option<String>| of.as_deref() == Some(home);
    match c.effect {
        Effect::Allow => {
            c.tenant == target && c.tenant == home && c.of_tenant.is_none() && inside(&c.place)
        }
        Effect::Endorse => c.tenant == home && home != target && reaches(&c.place),
        Effect::Admit => {
            c.tenant == target
                && home != target
                && c.of_tenant.as_ref().is_some_and(from)
                && inside(&c.place)
        }
        Effect::Deny => match (&c.of_tenant, &c.place) {
            (Some(of), place) => c.tenant == target && from(of) && inside(place),
            (None, Place::AnyTenant | Place::Tenant(_)) => c.tenant == home && reaches(&c.place),
            (None, place) => c.tenant == target && c.tenant == home && inside(place),
        },
    }
}

fn subject_matches(c: &Compiled, p: &Principal) -> bool {
    match &c.subject {
        Subject::Groups(names) => names
            .iter()
            .zip(c.group_ids.iter().chain(std::iter::repeat(&None)))
            .any(|(name, defined)| {
                p.groups.iter().any(|g| match (defined, &g.id) {
                    (Some(want), Some(have)) => have.eq_ignore_ascii_case(want),
                    _ => g.name.eq_ignore_ascii_case(name),
                })
            }),
        Subject::GroupId(id) => p.groups.iter().any(|g| {
            g.id.as_deref()
                .is_some_and(|have| have.eq_ignore_ascii_case(id))
        }),
        Subject::DynamicGroups(names) => p
            .dynamic_groups
            .iter()
            .any(|d| names.iter().any(|n| n.eq_ignore_ascii_case(d))),
        Subject::Services(names) => {
            p.principal_type
                .as_deref()
                .is_some_and(|t| t.eq_ignore_ascii_case("service"))
                && p.user_name
                    .as_deref()
                    .is_some_and(|u| names.iter().any(|n| n.eq_ignore_ascii_case(u)))
        }
        Subject::AnyUser => true,
        Subject::AnyGroup => !p.groups.is_empty(),
    }
}

/// Whether the statement's verb or permission set gives what is asked on the type.
fn grants(access: &Access, wanted: &Wanted, ty: &ResourceType) -> bool {
    match (access, wanted) {
        (Access::Verb { verb, resource }, Wanted::Verb(want)) => {
            catalogue::covers(resource, ty) && verb >= want
        }
        (Access::Verb { verb, resource }, Wanted::Permission(p)) => {
            catalogue::covers(resource, ty)
                && catalogue::permission(p).is_some_and(|(t, v)| t.name == ty.name && v <= *verb)
        }
        (Access::Permissions(set), Wanted::Permission(p)) => {
            set.iter().any(|s| s.eq_ignore_ascii_case(p))
                && catalogue::permission(p).is_some_and(|(t, _)| t.name == ty.name)
        }
        (Access::Permissions(set), Wanted::Verb(want)) => catalogue::permissions(ty, *want)
            .iter()
            .all(|need| set.iter().any(|s| s.eq_ignore_ascii_case(need))),
    }
}

/// The values of a condition variable for this request; empty when it does not apply.
fn values(var: &str, req: &Request) -> Vec<String> {
    let p = &req.principal;
    let one = |v: Option<&String>| v.cloned().into_iter().collect::<Vec<_>>();
    match var {
        "request.principal.type" => vec![p.principal_type.clone().unwrap_or_else(|| "user".into())],
        "request.user.id" => one(p.user_id.as_ref()),
        "request.user.name" => one(p.user_name.as_ref()),
        "request.groups.name" => p.groups.iter().map(|g| g.name.clone()).collect(),
        "request.groups.id" => p.groups.iter().filter_map(|g| g.id.clone()).collect(),
        "request.operation" => one(req.operation.as_ref()),
        "request.permission" => match &req.wanted {
            Wanted::Permission(perm) => vec![perm.clone()],
            Wanted::Verb(_) => Vec::new(),
        },
        "request.verb" => match &req.wanted {
            Wanted::Verb(v) => vec![v.as_str().to_string()],
            Wanted::Permission(_) => Vec::new(),
        },
        "target.compartment.name" => one(req.compartment.last()),
        "target.tenant.id" => vec![req.target_tenant_id.clone()],
        "target.resource.type" => vec![req.resource_type.clone()],
        other => one(req.variables.get(other)),
    }
}

fn value_matches(value: &Value, have: &str) -> bool {
    let have = lower(have);
    match value {
        Value::Text(t) => have == lower(t),
        Value::Pattern(p) => {
            let p = lower(p);
            match (p.strip_prefix('*'), p.strip_suffix('*')) {
                (Some(rest), _) if rest.ends_with('*') => have.contains(&rest[..rest.len() - 1]),
                (Some(rest), _) => have.ends_with(rest),
                (None, Some(rest)) => have.starts_with(rest),
                (None, None) => have == p,
            }
        }
    }
}

/// A condition, case-insensitive; a variable that does not apply makes it false.
fn holds(c: &Condition, req: &Request) -> bool {
    match c {
        Condition::Compare {
            variable,
            negated,
            value,
        } => {
            let have = values(variable, req);
            if have.is_empty() {
                return false;
            }
            if *negated {
                have.iter().all(|h| !value_matches(value, h))
            } else {
                have.iter().any(|h| value_matches(value, h))
            }
        }
        Condition::Any(parts) => parts.iter().any(|p| holds(p, req)),
        Condition::All(parts) => parts.iter().all(|p| holds(p, req)),
    }
}
