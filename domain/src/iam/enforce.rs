//! Enforcement: the statements tenant admins write decide what people and machines may
//! do, through the same evaluator the simulator answers with.
//!
//! A tenant's policy set is its stored documents plus the built-in statements that
//! give the roles their meaning (`policy::access::BUILTIN_POLICY`). Compiling it costs
//! a parse per document, so a compiled set is kept per tenant for as long as the
//! tenant's `iam_version` has not moved; every change to the tenant's policies bumps
//! that column in its own transaction, and the authorisation step reads it with the
//! tenant row it reads anyway. A change therefore takes effect at the next request, on
//! every replica, and a tenant's set is never used for another tenant.
//!
//! Admission across tenants (`Endorse` in the home tenant, `Admit` in the target) is
//! looked for only when the caller holds no role in the target, and only in home
//! tenants that the target's `Admit` statements name (the `iam_admits` index).

use super::store::documents_of;
use crate::db::Wall;
use crate::ids::{col_id, TenantId, UserId};
use crate::model::User;
use crate::{Db, DomainResult, Principal};
use policy::access::{role_group, BUILTIN_POLICY, BUILTIN_POLICY_NAME};
use policy::iam::{
    self, catalogue, Decision, Effect, GroupRef, PolicyDoc, PolicySet, Request, Statement,
    StatementRef, Verb, Wanted,
};
use policy::Role;
use sqlx::Row;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

/// How many tenants' compiled sets a server keeps; past it the cache starts over, so a
/// sweep across every tenant cannot grow the memory without bound.
const CACHE_MAX: usize = 2048;

/// One tenant's documents (the built-in one first) and their compiled set.
#[derive(Debug)]
pub(crate) struct TenantPolicies {
    version: i64,
    pub(crate) docs: Arc<Vec<PolicyDoc>>,
    pub(crate) set: Arc<PolicySet>,
    /// True when the tenant has documents of its own: only then can a group other than
    /// a role's matter, and only then are the caller's groups read.
    pub(crate) has_own: bool,
}

/// The compiled sets, per tenant, of one database.
#[derive(Debug, Default)]
pub(crate) struct PolicyCache {
    map: Mutex<HashMap<TenantId, Arc<TenantPolicies>>>,
    /// The sets of (home, target) pairs that admission compiles, by both versions.
    pairs: Mutex<HashMap<PairKey, Arc<PolicySet>>>,
}

type PairKey = (TenantId, i64, TenantId, i64);

impl PolicyCache {
    pub(crate) fn clear(&self) {
        if let Ok(mut map) = self.map.lock() {
            map.clear();
        }
        if let Ok(mut pairs) = self.pairs.lock() {
            pairs.clear();
        }
    }

    fn get(&self, tenant: TenantId, version: i64) -> Option<Arc<TenantPolicies>> {
        let map = self.map.lock().ok()?;
        map.get(&tenant).filter(|p| p.version == version).cloned()
    }

    fn pair(&self, key: PairKey) -> Option<Arc<PolicySet>> {
        self.pairs.lock().ok()?.get(&key).cloned()
    }

    fn put_pair(&self, key: PairKey, set: Arc<PolicySet>) {
        if let Ok(mut pairs) = self.pairs.lock() {
            if pairs.len() >= CACHE_MAX {
                pairs.clear();
            }
            pairs.insert(key, set);
        }
    }

    fn put(&self, tenant: TenantId, p: Arc<TenantPolicies>) {
        if let Ok(mut map) = self.map.lock() {
            if map.len() >= CACHE_MAX {
                map.clear();
            }
            map.insert(tenant, p);
        }
    }
}

fn builtin_document() -> &'static iam::Document {
    static DOC: OnceLock<iam::Document> = OnceLock::new();
    DOC.get_or_init(|| {
        // A constant of this crate, checked by a unit test in `policy`: it cannot fail
        // at run time, but an empty document is the safe answer if it ever did.
        iam::parse(BUILTIN_POLICY).unwrap_or_else(|_| iam::Document {
            statements: Vec::new(),
            positions: Vec::new(),
        })
    })
}

/// A tenant's documents and compiled set at `version`, from the cache or the database.
pub(crate) async fn policies(
    db: &Db,
    tenant: TenantId,
    tenant_name: &str,
    version: i64,
) -> DomainResult<Arc<TenantPolicies>> {
    if let Some(p) = db.policy_cache().get(tenant, version) {
        return Ok(p);
    }
    let mut docs = vec![PolicyDoc {
        tenant_id: tenant.as_text(),
        tenant_name: tenant_name.to_string(),
        name: BUILTIN_POLICY_NAME.to_string(),
        document: builtin_document().clone(),
    }];
    for (name, text) in documents_of(db, tenant).await? {
        // Stored documents were checked when saved; one that no longer parses (a
        // resource type renamed since) takes no part rather than failing the rest.
        if let Ok(document) = iam::parse(&text) {
            docs.push(PolicyDoc {
                tenant_id: tenant.as_text(),
                tenant_name: tenant_name.to_string(),
                name,
                document,
            });
        }
    }
    let has_own = docs.len() > 1;
    let set = Arc::new(PolicySet::new(&docs));
    let p = Arc::new(TenantPolicies {
        version,
        docs: Arc::new(docs),
        set,
        has_own,
    });
    db.policy_cache().put(tenant, p.clone());
    Ok(p)
}

/// The tenant's documents with the built-in one, for the simulator.
pub(crate) async fn documents(db: &Db, tenant: TenantId) -> DomainResult<Arc<Vec<PolicyDoc>>> {
    let row = sqlx::query("SELECT name, iam_version FROM tenants WHERE id = $1")
        .bind(tenant.as_text())
        .fetch_optional(&mut *db.read(Wall::Platform).await?)
        .await?
        .ok_or(crate::DomainError::NotFound("tenant"))?;
    let name: String = row.try_get("name")?;
    let version: i64 = row.try_get("iam_version")?;
    Ok(policies(db, tenant, &name, version).await?.docs.clone())
}

/// The groups a user belongs to in one tenant, by name and id.
pub(crate) async fn user_groups(
    db: &Db,
    tenant: TenantId,
    user: UserId,
) -> DomainResult<Vec<GroupRef>> {
    let rows = sqlx::query(
        "SELECT g.id, g.name FROM iam_group_members gm JOIN iam_groups g \
         ON g.tenant_id = gm.tenant_id AND g.id = gm.group_id \
         WHERE gm.user_id = $1 AND gm.tenant_id = $2",
    )
    .bind(user.as_text())
    .bind(tenant.as_text())
    .fetch_all(&mut *db.read(Wall::Tenant(tenant)).await?)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(GroupRef {
                name: r.try_get("name")?,
                id: Some(r.try_get("id")?),
            })
        })
        .collect()
}

/// The caller as the evaluator sees them in their home tenant `home`: the user, the
/// group of their role there, and their groups.
fn eval_principal(
    home: TenantId,
    user: &User,
    role: Option<Role>,
    groups: Vec<GroupRef>,
) -> iam::Principal {
    let mut all: Vec<GroupRef> = role
        .map(|r| GroupRef {
            name: role_group(r).to_string(),
            id: None,
        })
        .into_iter()
        .collect();
    all.extend(groups);
    iam::Principal {
        tenant_id: home.as_text(),
        user_id: Some(user.id.as_text()),
        user_name: Some(user.email.clone()),
        groups: all,
        dynamic_groups: Vec::new(),
        principal_type: None,
    }
}

/// The caller's groups in `tenant`: a bearer JWT's groups claim replaces the stored
/// memberships for that request, as its roles claim replaces the roles. A claimed
/// group counts only if the tenant has a group of that name, and then with its id, so
/// that a claim can neither invent a group (a role's group is never one) nor miss a
/// statement that names the group by id.
async fn groups_in(
    db: &Db,
    principal: &Principal,
    tenant: TenantId,
    tenant_name: &str,
) -> DomainResult<Vec<GroupRef>> {
    let Some(claimed) = principal.token_groups() else {
        return user_groups(db, tenant, principal.user_id()).await;
    };
    let names: Vec<&str> = claimed
        .iter()
        .filter(|(t, _)| {
            t.eq_ignore_ascii_case(&tenant.as_text()) || t.eq_ignore_ascii_case(tenant_name)
        })
        .map(|(_, g)| g.as_str())
        .collect();
    if names.is_empty() {
        return Ok(Vec::new());
    }
    let rows = sqlx::query("SELECT id, name, name_key FROM iam_groups WHERE tenant_id = $1")
        .bind(tenant.as_text())
        .fetch_all(&mut *db.read(Wall::Tenant(tenant)).await?)
        .await?;
    let mut out = Vec::new();
    for r in &rows {
        let key: String = r.try_get("name_key")?;
        if names.iter().any(|n| n.eq_ignore_ascii_case(&key)) {
            out.push(GroupRef {
                name: r.try_get("name")?,
                id: Some(r.try_get("id")?),
            });
        }
    }
    Ok(out)
}

/// What a scope may do, decided by the evaluator: the compiled set and the caller.
#[derive(Debug)]
pub(crate) struct Grants {
    pub(crate) set: Arc<PolicySet>,
    pub(crate) principal: iam::Principal,
    pub(crate) admission: Option<Admission>,
}

impl Grants {
    /// The decision for one permission in `target`.
    pub(crate) fn decide(&self, permission: &str, target: TenantId) -> Decision {
        let resource_type = catalogue::permission(permission)
            .map(|(t, _)| t.name.to_string())
            .unwrap_or_default();
        self.set.evaluate(&Request {
            principal: self.principal.clone(),
            wanted: Wanted::Permission(permission.to_ascii_uppercase()),
            resource_type,
            target_tenant_id: target.as_text(),
            compartment: Vec::new(),
            operation: None,
            variables: Default::default(),
        })
    }
}

/// How a caller without a role came to act in a tenant.
#[derive(Debug)]
pub struct Admission {
    pub home_id: TenantId,
    pub home_name: String,
    /// The strongest verb admitted on any resource type (for the switcher).
    pub verb: Verb,
    /// The Endorse and Admit statements that admit the caller, for the audit.
    pub(crate) statements: Vec<StatementRef>,
}

/// The grants of a member of `tenant` (a role there, or only groups).
pub(crate) async fn member_grants(
    db: &Db,
    principal: &Principal,
    tenant: TenantId,
    tenant_name: &str,
    version: i64,
    role: Option<Role>,
) -> DomainResult<Grants> {
    let p = policies(db, tenant, tenant_name, version).await?;
    let groups = if p.has_own {
        groups_in(db, principal, tenant, tenant_name).await?
    } else {
        Vec::new()
    };
    Ok(Grants {
        set: p.set.clone(),
        principal: eval_principal(tenant, principal.user(), role, groups),
        admission: None,
    })
}

/// The tenants whose groups `target`'s Admit statements name, among `homes`.
async fn admitting_homes(
    db: &Db,
    target: TenantId,
    homes: &[(TenantId, Option<Role>)],
) -> DomainResult<Vec<(TenantId, Option<Role>)>> {
    if homes.is_empty() {
        return Ok(Vec::new());
    }
    let named: Vec<String> =
        sqlx::query_scalar("SELECT DISTINCT of_tenant_id FROM iam_admits WHERE tenant_id = $1")
            .bind(target.as_text())
            .fetch_all(&mut *db.read(Wall::Tenant(target)).await?)
            .await?;
    Ok(homes
        .iter()
        .filter(|(h, _)| named.iter().any(|n| n.eq_ignore_ascii_case(&h.as_text())))
        .copied()
        .collect())
}

/// The tenants the caller belongs to, with the role held in each (a bearer JWT's roles
/// replace the stored memberships).
async fn homes_of(db: &Db, principal: &Principal) -> DomainResult<Vec<(TenantId, Option<Role>)>> {
    if let Some(roles) = principal.token_roles() {
        return Ok(roles.iter().map(|(t, r)| (*t, Some(*r))).collect());
    }
    let rows = sqlx::query("SELECT tenant_id, role FROM memberships WHERE user_id = $1")
        .bind(principal.user_id().as_text())
        .fetch_all(&mut *db.read(Wall::Platform).await?)
        .await?;
    rows.iter()
        .map(|r| {
            let t: TenantId = col_id(&r.try_get::<String, _>("tenant_id")?)?;
            let role: String = r.try_get("role")?;
            Ok((t, role.parse().ok()))
        })
        .collect()
}

async fn name_and_version(db: &Db, tenant: TenantId) -> DomainResult<Option<(String, i64)>> {
    let row = sqlx::query("SELECT name, iam_version FROM tenants WHERE id = $1")
        .bind(tenant.as_text())
        .fetch_optional(&mut *db.read(Wall::Platform).await?)
        .await?;
    row.map(|r| Ok((r.try_get("name")?, r.try_get("iam_version")?)))
        .transpose()
}

/// The grants of a caller who holds no role in `target`, when an Endorse of one of
/// their home tenants and an Admit of `target` together let them in; `None` otherwise.
pub(crate) async fn admitted_grants(
    db: &Db,
    principal: &Principal,
    target: TenantId,
    target_name: &str,
    target_version: i64,
) -> DomainResult<Option<Grants>> {
    let homes = homes_of(db, principal).await?;
    let candidates = admitting_homes(db, target, &homes).await?;
    if candidates.is_empty() {
        return Ok(None);
    }
    let there = policies(db, target, target_name, target_version).await?;
    for (home, role) in candidates {
        let Some((home_name, home_version)) = name_and_version(db, home).await? else {
            continue;
        };
        let key = (home, home_version, target, target_version);
        let set = match db.policy_cache().pair(key) {
            Some(set) => set,
            None => {
                let here = policies(db, home, &home_name, home_version).await?;
                let mut docs: Vec<PolicyDoc> = here.docs.as_ref().clone();
                docs.extend(there.docs.iter().cloned());
                let set = Arc::new(PolicySet::new(&docs));
                db.policy_cache().put_pair(key, set.clone());
                set
            }
        };
        let groups = groups_in(db, principal, home, &home_name).await?;
        let who = eval_principal(home, principal.user(), role, groups);
        let (strongest, statements) = admission_of(&set, &who, target);
        let Some(verb) = strongest else {
            continue;
        };
        return Ok(Some(Grants {
            set,
            principal: who,
            admission: Some(Admission {
                home_id: home,
                home_name,
                verb,
                statements,
            }),
        }));
    }
    Ok(None)
}

/// The strongest verb the principal is admitted with in `target` on any resource type
/// (`None`: not admitted at all), and the statements that admit them.
fn admission_of(
    set: &PolicySet,
    who: &iam::Principal,
    target: TenantId,
) -> (Option<Verb>, Vec<StatementRef>) {
    let mut strongest = None;
    let mut statements = Vec::new();
    for ty in catalogue::TYPES {
        // The strongest verb first: the first allowed is this type's.
        for verb in Verb::ALL.iter().rev() {
            let d = set.evaluate(&Request {
                principal: who.clone(),
                wanted: Wanted::Verb(*verb),
                resource_type: ty.name.to_string(),
                target_tenant_id: target.as_text(),
                compartment: Vec::new(),
                operation: None,
                variables: Default::default(),
            });
            if d.allowed {
                strongest = strongest.max(Some(*verb));
                statements.extend(d.statements);
                break;
            }
        }
    }
    statements.sort();
    statements.dedup();
    (strongest, statements)
}

/// The tenants a caller is admitted to, by name, with the strongest verb: the switcher's
/// "Admitted" list.
pub async fn admitted_tenants(
    db: &Db,
    principal: &Principal,
) -> DomainResult<Vec<(TenantId, String, Verb)>> {
    let homes = homes_of(db, principal).await?;
    if homes.is_empty() {
        return Ok(Vec::new());
    }
    let mut targets: Vec<TenantId> = Vec::new();
    for (home, _) in &homes {
        let rows: Vec<String> =
            sqlx::query_scalar("SELECT DISTINCT tenant_id FROM iam_admits WHERE of_tenant_id = $1")
                .bind(home.as_text())
                .fetch_all(&mut *db.read(Wall::Platform).await?)
                .await?;
        for r in rows {
            let t: TenantId = col_id(&r)?;
            if !targets.contains(&t) && !homes.iter().any(|(h, _)| *h == t) {
                targets.push(t);
            }
        }
    }
    let mut out = Vec::new();
    for t in targets.into_iter().take(50) {
        let Some((name, version)) = name_and_version(db, t).await? else {
            continue;
        };
        if let Some(g) = admitted_grants(db, principal, t, &name, version).await? {
            if let Some(a) = g.admission {
                out.push((t, name, a.verb));
            }
        }
    }
    out.sort_by(|a, b| a.1.cmp(&b.1));
    Ok(out)
}

/// Inside a policy save's transaction: bump the tenant's `iam_version` (every cached
/// set of it is stale from the commit on) and rewrite the policy's rows of the Admit
/// index. `doc` is `None` when the policy is deleted.
pub(crate) async fn policy_changed(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    tenant: TenantId,
    name: &str,
    doc: Option<&iam::Document>,
) -> DomainResult<()> {
    sqlx::query("UPDATE tenants SET iam_version = iam_version + 1 WHERE id = $1")
        .bind(tenant.as_text())
        .execute(&mut **tx)
        .await?;
    sqlx::query("DELETE FROM iam_admits WHERE tenant_id = $1 AND policy = $2")
        .bind(tenant.as_text())
        .bind(name.to_string())
        .execute(&mut **tx)
        .await?;
    match doc {
        Some(doc) => write_admits(tx, tenant, name, doc).await,
        None => Ok(()),
    }
}

/// Fills the Admit index from the stored policies when it is empty: a database whose
/// policies were saved before the index existed would otherwise admit no one until each
/// policy is saved again. Runs at start-up, after the migrations; does nothing once the
/// index has rows or when no policy has an Admit.
pub async fn reindex_admits(db: &Db) -> DomainResult<()> {
    let indexed: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM iam_admits")
        .fetch_one(&mut *db.read(Wall::Platform).await?)
        .await?;
    if indexed > 0 {
        return Ok(());
    }
    let rows: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT tenant_id, name, text FROM iam_policies WHERE lower(text) LIKE '%admit%'",
    )
    .fetch_all(&mut *db.read(Wall::Platform).await?)
    .await?;
    if rows.is_empty() {
        return Ok(());
    }
    let mut tx = db.begin(Wall::Platform).await?;
    for (tenant, name, text) in rows {
        if let (Ok(tenant), Ok(doc)) = (col_id::<TenantId>(&tenant), iam::parse(&text)) {
            write_admits(&mut tx, tenant, &name, &doc).await?;
        }
    }
    tx.commit().await?;
    Ok(())
}

/// The index rows of one policy: each tenant its Admit statements name by a Define.
async fn write_admits(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    tenant: TenantId,
    name: &str,
    doc: &iam::Document,
) -> DomainResult<()> {
    let mut admitted: Vec<String> = Vec::new();
    for s in &doc.statements {
        let Statement::Grant(g) = s else { continue };
        if g.effect != Effect::Admit {
            continue;
        }
        let Some(alias) = &g.of_tenancy else { continue };
        let defined = doc.statements.iter().find_map(|d| match d {
            Statement::Define(def)
                if def.kind == iam::DefineKind::Tenancy
                    && def.alias.eq_ignore_ascii_case(alias) =>
            {
                Some(def.ocid.to_ascii_lowercase())
            }
            _ => None,
        });
        if let Some(id) = defined.filter(|id| TenantId::parse(id).is_some()) {
            if !admitted.contains(&id) {
                admitted.push(id);
            }
        }
    }
    for of in admitted {
        sqlx::query("INSERT INTO iam_admits (tenant_id, policy, of_tenant_id) VALUES ($1, $2, $3)")
            .bind(tenant.as_text())
            .bind(name.to_string())
            .bind(of)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}
