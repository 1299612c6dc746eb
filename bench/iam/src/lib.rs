//! The same policies and questions for `policy::iam` and for Cedar, so that the bench
//! compares like with like.
//!
//! A workload of N statements over two tenants: mostly in-tenant `Allow`s, some
//! `Deny`s, and Endorse/Admit pairs from the first tenant into the second. In Cedar:
//! groups, resource types and families are entities (tenant-prefixed), the verbs an
//! action hierarchy (`inspect` in `read` in `use` in `manage`), `Allow` a `permit`, `Deny`
//! a `forbid`, and an Endorse/Admit pair the one `permit` it amounts to (a group of the
//! source tenant on resources of the destination). Both are built once, pre-parsed;
//! [`Workload::agree`] checks that both answer every question the same.

use cedar_policy as cedar;
use policy::iam::{
    self, catalogue, Access, Define, DefineKind, Document, Effect, Grant, GroupRef, Location, Pos,
    Statement, Subject, Verb, Wanted,
};
use std::str::FromStr;

pub const SRC: &str = "11111111-1111-4111-8111-111111111111";
pub const DST: &str = "22222222-2222-4222-8222-222222222222";
const GROUPS: usize = 50;

/// One question, asked of both engines.
pub struct Question {
    pub name: &'static str,
    pub ours: iam::Request,
    pub cedar: cedar::Request,
    pub allowed: bool,
}

pub struct Workload {
    pub ours: iam::PolicySet,
    pub cedar: cedar::PolicySet,
    pub entities: cedar::Entities,
    pub authorizer: cedar::Authorizer,
    pub questions: Vec<Question>,
}

/// A small deterministic generator (xorshift), so every run measures the same workload.
struct Rng(u64);
impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n as u64) as usize
    }
}

struct Rule {
    effect: Effect,
    tenant: &'static str,
    group: usize,
    verb: Verb,
    resource: &'static str,
}

fn short(t: &str) -> &'static str {
    if t == SRC {
        "src"
    } else {
        "dst"
    }
}

fn grant(
    effect: Effect,
    group: usize,
    verb: Verb,
    resource: &str,
    of: Option<&str>,
    location: Option<Location>,
) -> Statement {
    Statement::Grant(Grant {
        effect,
        subject: Subject::Groups(vec![format!("g{group}")]),
        of_tenancy: of.map(String::from),
        access: Access::Verb {
            verb,
            resource: resource.to_string(),
        },
        location,
        condition: None,
    })
}

fn cedar_scope(t: &str, resource: &str) -> String {
    if catalogue::is_family(resource) {
        format!("Family::\"{}/{resource}\"", short(t))
    } else {
        format!("Type::\"{}/{resource}\"", short(t))
    }
}

impl Workload {
    pub fn new(statements: usize) -> Workload {
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
        let resources: Vec<&'static str> = catalogue::all_resources()
            .filter(|r| *r != catalogue::ALL_RESOURCES)
            .collect();
        let mut rules = Vec::new();
        let mut n = 0;
        while n < statements {
            let kind = rng.below(10);
            let (group, verb) = (rng.below(GROUPS), Verb::ALL[rng.below(4)]);
            let resource = resources[rng.below(resources.len())];
            let tenant = if rng.below(2) == 0 { SRC } else { DST };
            match kind {
                0..=7 => rules.push(Rule {
                    effect: Effect::Allow,
                    tenant,
                    group,
                    verb,
                    resource,
                }),
                8 => rules.push(Rule {
                    effect: Effect::Deny,
                    tenant,
                    group,
                    verb,
                    resource,
                }),
                _ => {
                    rules.push(Rule {
                        effect: Effect::Endorse,
                        tenant: SRC,
                        group,
                        verb,
                        resource,
                    });
                    n += 1;
                }
            }
            n += 1;
        }
        // Ours: one document per tenant, built directly (a stored document holds at most
        // 500 statements; the evaluator takes any number of documents).
        let mut docs = Vec::new();
        for t in [SRC, DST] {
            let other = if t == SRC { DST } else { SRC };
            let mut st = vec![Statement::Define(Define {
                kind: DefineKind::Tenancy,
                alias: "Other".into(),
                ocid: other.into(),
            })];
            for r in &rules {
                match r.effect {
                    Effect::Endorse if t == SRC => st.push(grant(
                        Effect::Endorse,
                        r.group,
                        r.verb,
                        r.resource,
                        None,
                        Some(Location::TenancyAlias("Other".into())),
                    )),
                    Effect::Endorse if t == DST => st.push(grant(
                        Effect::Admit,
                        r.group,
                        r.verb,
                        r.resource,
                        Some("Other"),
                        None,
                    )),
                    Effect::Allow | Effect::Deny if r.tenant == t => {
                        st.push(grant(r.effect, r.group, r.verb, r.resource, None, None))
                    }
                    _ => {}
                }
            }
            let positions = (1..=st.len() as u32)
                .map(|line| Pos { line, column: 1 })
                .collect();
            docs.push(iam::PolicyDoc {
                tenant_id: t.into(),
                tenant_name: short(t).into(),
                name: "bench".into(),
                document: Document {
                    statements: st,
                    positions,
                },
            });
        }
        let ours = iam::PolicySet::new(&docs);

        // Cedar: the same rules as policies, the hierarchy as entities.
        let mut text = String::new();
        for r in &rules {
            let (effect, principal_t, resource_t) = match r.effect {
                Effect::Allow => ("permit", r.tenant, r.tenant),
                Effect::Deny => ("forbid", r.tenant, r.tenant),
                _ => ("permit", SRC, DST),
            };
            text.push_str(&format!(
                "{effect}(principal in Group::\"{}/g{}\", action in Action::\"{}\", resource in {});\n",
                short(principal_t),
                r.group,
                r.verb.as_str(),
                cedar_scope(resource_t, r.resource)
            ));
        }
        let cedar = cedar::PolicySet::from_str(&text).expect("the Cedar policies parse");
        let mut entities = Vec::new();
        let verbs = ["inspect", "read", "use", "manage"];
        for (i, v) in verbs.iter().enumerate() {
            let parents: Vec<_> = verbs
                .get(i + 1)
                .map(|p| serde_json::json!({"type": "Action", "id": p}))
                .into_iter()
                .collect();
            entities.push(serde_json::json!({"uid": {"type": "Action", "id": v}, "attrs": {}, "parents": parents}));
        }
        for t in [SRC, DST] {
            for g in 0..=GROUPS {
                entities.push(serde_json::json!({"uid": {"type": "Group", "id": format!("{}/g{g}", short(t))}, "attrs": {}, "parents": []}));
            }
            entities.push(serde_json::json!({"uid": {"type": "Family", "id": format!("{}/all-resources", short(t))}, "attrs": {}, "parents": []}));
            for f in catalogue::FAMILIES
                .iter()
                .filter(|f| **f != catalogue::ALL_RESOURCES)
            {
                entities.push(serde_json::json!({"uid": {"type": "Family", "id": format!("{}/{f}", short(t))}, "attrs": {}, "parents": [{"type": "Family", "id": format!("{}/all-resources", short(t))}]}));
            }
            for ty in catalogue::TYPES {
                let mut parents = vec![
                    serde_json::json!({"type": "Family", "id": format!("{}/all-resources", short(t))}),
                ];
                parents.extend(ty.families.iter().map(
                    |f| serde_json::json!({"type": "Family", "id": format!("{}/{f}", short(t))}),
                ));
                entities.push(serde_json::json!({"uid": {"type": "Type", "id": format!("{}/{}", short(t), ty.name)}, "attrs": {}, "parents": parents}));
                entities.push(serde_json::json!({"uid": {"type": "Res", "id": format!("{}/{}", short(t), ty.name)}, "attrs": {}, "parents": [{"type": "Type", "id": format!("{}/{}", short(t), ty.name)}]}));
            }
            for g in 0..=GROUPS {
                entities.push(serde_json::json!({"uid": {"type": "User", "id": format!("{}/u{g}", short(t))}, "attrs": {}, "parents": [{"type": "Group", "id": format!("{}/g{g}", short(t))}]}));
            }
        }
        let entities = cedar::Entities::from_json_value(serde_json::Value::Array(entities), None)
            .expect("the Cedar entities load");

        // The questions: the first in-tenant Allow and the first pair (allowed unless a
        // Deny also matches, which both engines then agree on), and a group with no
        // statements at all (g50) in and across tenants.
        let ask = |name: &'static str,
                   home: &'static str,
                   target: &'static str,
                   group: usize,
                   verb: Verb,
                   ty: &str| {
            let ours = iam::Request {
                principal: iam::Principal {
                    tenant_id: home.into(),
                    groups: vec![GroupRef {
                        name: format!("g{group}"),
                        id: None,
                    }],
                    ..iam::Principal::default()
                },
                wanted: Wanted::Verb(verb),
                resource_type: ty.to_string(),
                target_tenant_id: target.into(),
                compartment: Vec::new(),
                operation: None,
                variables: Default::default(),
            };
            let uid = |s: String| cedar::EntityUid::from_str(&s).expect("a valid uid");
            let req = cedar::Request::new(
                uid(format!("User::\"{}/u{group}\"", short(home))),
                uid(format!("Action::\"{}\"", verb.as_str())),
                uid(format!("Res::\"{}/{ty}\"", short(target))),
                cedar::Context::empty(),
                None,
            )
            .expect("a valid request");
            (name, ours, req)
        };
        let member = |r: &str| {
            catalogue::members(r)
                .next()
                .map(|t| t.name)
                .unwrap_or("clusters")
        };
        let allow = rules
            .iter()
            .find(|r| r.effect == Effect::Allow)
            .expect("an Allow");
        let pair = rules
            .iter()
            .find(|r| r.effect == Effect::Endorse)
            .expect("a pair");
        let asked = vec![
            ask(
                "in-tenant, granted",
                allow.tenant,
                allow.tenant,
                allow.group,
                allow.verb,
                member(allow.resource),
            ),
            ask(
                "in-tenant, refused",
                SRC,
                SRC,
                GROUPS,
                Verb::Read,
                "clusters",
            ),
            ask(
                "cross-tenant, granted",
                SRC,
                DST,
                pair.group,
                pair.verb,
                member(pair.resource),
            ),
            ask(
                "cross-tenant, refused",
                SRC,
                DST,
                GROUPS,
                Verb::Read,
                "clusters",
            ),
        ];
        let questions = asked
            .into_iter()
            .map(|(name, ours_req, cedar_req)| {
                let allowed = ours.evaluate(&ours_req).allowed;
                Question {
                    name,
                    ours: ours_req,
                    cedar: cedar_req,
                    allowed,
                }
            })
            .collect();
        Workload {
            ours,
            cedar,
            entities,
            authorizer: cedar::Authorizer::new(),
            questions,
        }
    }

    /// Cedar's answer to a question.
    pub fn cedar_allows(&self, q: &Question) -> bool {
        self.authorizer
            .is_authorized(&q.cedar, &self.cedar, &self.entities)
            .decision()
            == cedar::Decision::Allow
    }

    /// Both engines give the same answer to every question.
    pub fn agree(&self) -> Result<(), String> {
        for q in &self.questions {
            let theirs = self.cedar_allows(q);
            if theirs != q.allowed {
                return Err(format!(
                    "{}: ours {} but Cedar {}",
                    q.name, q.allowed, theirs
                ));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn both_engines_answer_alike_on_every_question() {
        for n in [100, 10_000] {
            let w = super::Workload::new(n);
            w.agree().unwrap();
            assert!(
                w.questions.iter().any(|q| q.allowed) && w.questions.iter().any(|q| !q.allowed)
            );
        }
    }
}
