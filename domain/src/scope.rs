//! Who is calling, and in which tenant: the only way to reach tenant-owned rows.
//!
//! A [`TenantScope`] can only be made by [`authorize`], from an authenticated
//! [`Principal`] and the tenant named in the URL or the `ActiveProjectID` header. Its
//! fields are private and it has no public constructor, so a repository that takes one
//! cannot be called with a bare tenant id: forgetting the tenant filter does not compile.

use crate::db::Wall;
use crate::iam::enforce::{self, Grants};
use crate::iam::Admission;
use crate::ids::{col_id, TenantId, UserId};
use crate::model::{Membership, User};
use crate::{Db, DomainError, DomainResult};
use policy::access::Need;
use policy::{Action, Role, Standing};
use sqlx::Row;
use std::sync::Arc;

/// An authenticated caller: a console user, with the roles that apply to them.
#[derive(Debug, Clone)]
pub struct Principal {
    user: User,
    global_admin: bool,
    /// Roles carried by a bearer JWT (`<tenant-uuid>_<role>`). When present they replace
    /// the console memberships, as the token is the authority for that request (seed 004).
    token_roles: Option<Vec<(TenantId, Role)>>,
    /// Groups carried by a bearer JWT (`<tenant-name-or-id>/<group>`), which replace the
    /// stored group memberships for that request in the same way.
    token_groups: Option<Vec<(String, String)>>,
}

impl Principal {
    pub(crate) fn new(
        user: User,
        global_admin: bool,
        token_roles: Option<Vec<(TenantId, Role)>>,
    ) -> Self {
        Principal {
            user,
            global_admin,
            token_roles,
            token_groups: None,
        }
    }

    /// The groups a bearer JWT's groups claim gives, as (tenant name or id, group).
    pub fn with_token_groups(mut self, groups: Vec<(String, String)>) -> Self {
        if self.token_roles.is_some() {
            self.token_groups = Some(groups);
        }
        self
    }

    pub fn user(&self) -> &User {
        &self.user
    }

    pub fn user_id(&self) -> UserId {
        self.user.id
    }

    /// A global admin holds `admin` in the system tenant and may act in every tenant.
    pub fn is_global_admin(&self) -> bool {
        self.global_admin
    }

    /// The roles a bearer JWT carries, when this principal came from one.
    pub fn token_roles(&self) -> Option<&[(TenantId, Role)]> {
        self.token_roles.as_deref()
    }

    /// The groups a bearer JWT carries, when this principal came from one.
    pub fn token_groups(&self) -> Option<&[(String, String)]> {
        self.token_groups.as_deref()
    }
}

/// The tenant a request acts in, and what the caller may do there.
///
/// What the caller may do is decided by the tenant's IAM statements (the built-in ones
/// that give the roles their meaning, and the tenant's own), through the evaluator of
/// `policy::iam`. A scope made by admission (an Endorse of the caller's home tenant and
/// an Admit of this one) carries only what both allow, so a repository that checks its
/// permission on the scope can never do more than was admitted.
#[derive(Debug, Clone)]
pub struct TenantScope {
    tenant_id: TenantId,
    tenant_name: String,
    is_system: bool,
    actor_id: UserId,
    actor_label: String,
    /// The caller's own role here; `None` when admitted from another tenant.
    role: Option<Role>,
    global_admin: bool,
    /// `None` for a global admin, whom no tenant's statement restricts.
    grants: Option<Arc<Grants>>,
    /// The tenant is being deleted: it can be read until it is gone, never changed.
    deleting: bool,
}

impl TenantScope {
    pub fn tenant_id(&self) -> TenantId {
        self.tenant_id
    }
    /// The Postgres row-level security wall of this scope: its tenant's rows only, and
    /// for a caller admitted from another tenant also their home tenant's, where the
    /// changes they make here are audited as well.
    pub(crate) fn wall(&self) -> crate::db::Wall {
        match self.admission() {
            Some(a) => crate::db::Wall::Pair(self.tenant_id, a.home_id),
            None => crate::db::Wall::Tenant(self.tenant_id),
        }
    }
    pub fn tenant_name(&self) -> &str {
        &self.tenant_name
    }
    /// True in the system tenant `admin`.
    pub fn is_system(&self) -> bool {
        self.is_system
    }
    /// The caller's role here (`admin` for a global admin anywhere). A caller admitted
    /// from another tenant holds none and shows as the weakest role, `viewer`: what they
    /// may do is decided by the admission, never by this (see [`TenantScope::own_role`]).
    pub fn role(&self) -> Role {
        self.role.unwrap_or(Role::Viewer)
    }
    /// The caller's own role here; `None` when admitted from another tenant.
    pub fn own_role(&self) -> Option<Role> {
        self.role
    }
    pub fn is_global_admin(&self) -> bool {
        self.global_admin
    }
    pub fn actor_id(&self) -> UserId {
        self.actor_id
    }
    pub fn actor_label(&self) -> &str {
        &self.actor_label
    }

    /// True while the tenant is being deleted (its pages say so, and refuse changes).
    pub fn is_deleting(&self) -> bool {
        self.deleting
    }

    /// How the caller came in, when it was through another tenant's cross-access policy.
    pub fn admission(&self) -> Option<&Admission> {
        self.grants.as_ref().and_then(|g| g.admission.as_ref())
    }

    /// The evaluator's decision on one permission here (a global admin is allowed
    /// everything without asking it).
    fn decision(&self, permission: &str) -> Option<policy::iam::Decision> {
        self.grants
            .as_ref()
            .map(|g| g.decide(permission, self.tenant_id))
    }

    /// Refuses unless the caller holds `permission` (a permission of the resource
    /// catalogue, `WORKSPACE_CREATE`) here. A member is told which permission on which
    /// resource type is missing; a caller admitted from another tenant is answered "not
    /// found", as for everything else in this tenant that was not admitted.
    pub fn require(&self, permission: &'static str) -> DomainResult<()> {
        if self.frozen(permission) {
            return Err(DomainError::conflict(
                "tenant_deleting",
                format!(
                    "{} is being deleted: nothing in it can be changed.",
                    self.tenant_name
                ),
            ));
        }
        let Some(decision) = self.decision(permission) else {
            return Ok(());
        };
        if decision.allowed {
            return Ok(());
        }
        if self.admission().is_some() {
            return Err(DomainError::NotFound("tenant"));
        }
        let need = Need::Permission(permission).describe();
        let why = match decision.reason {
            policy::iam::Reason::DeniedByPolicy => " A Deny statement of this tenant refuses it.",
            _ => " No statement of this tenant grants it to you.",
        };
        Err(DomainError::Forbidden(format!(
            "You need {need} in {}.{why}",
            self.tenant_name
        )))
    }

    /// True when the caller holds `permission` here (for showing or hiding controls).
    pub fn allows(&self, permission: &str) -> bool {
        !self.frozen(permission) && self.decision(permission).is_none_or(|d| d.allowed)
    }

    /// True for a change in a tenant being deleted, which nobody may make any more.
    fn frozen(&self, permission: &str) -> bool {
        self.deleting && !(permission.ends_with("_READ") || permission.ends_with("_INSPECT"))
    }

    /// Checks what an entry point declared it needs (`policy::access::Need`).
    pub fn require_need(&self, need: Need) -> DomainResult<()> {
        match need {
            Need::Permission(p) => self.require(p),
            Need::GlobalAdmin if !self.global_admin => Err(DomainError::Forbidden(
                "This needs the global admin role.".into(),
            )),
            _ => Ok(()),
        }
    }

    /// Refuses to give (or take) `role` unless the caller holds at least that role here:
    /// a statement that lets a group manage members does not let its members make anyone
    /// (themselves included) a tenant admin, and a caller admitted from another tenant,
    /// who holds no role here, grants none, so an admission can never turn itself into a
    /// membership. `admin` is given only by a global admin, and only in the system
    /// tenant. The permission to change members (`MEMBER_CREATE`, `MEMBER_UPDATE`) is
    /// checked by the caller.
    pub fn require_grant(&self, role: Role) -> DomainResult<()> {
        let standing = Standing {
            role: self.role,
            global_admin: self.global_admin,
            system_tenant: self.is_system,
        };
        if role == Role::Admin {
            return policy::decide(standing, Action::Grant(role)).map_err(DomainError::from);
        }
        if self.global_admin || self.role.is_some_and(|mine| mine >= role) {
            Ok(())
        } else {
            Err(DomainError::Forbidden(format!(
                "Only someone who holds the {} role here can give or take it.",
                role.label().to_lowercase()
            )))
        }
    }

    /// For the audit of an admitted action: the home tenant, and a line naming it and
    /// the statements that allowed the action.
    pub(crate) fn via(&self) -> Option<(TenantId, String)> {
        let a = self.admission()?;
        let statements = a
            .statements
            .iter()
            .map(|s| format!("{} {}/{} line {}", s.kind, s.tenant_id, s.policy, s.line))
            .collect::<Vec<_>>()
            .join("; ");
        Some((
            a.home_id,
            format!("from {} by cross-access: {statements}", a.home_name),
        ))
    }
}

/// How the caller names the tenant: by name in console URLs, by id in the REST API.
#[derive(Debug, Clone, Copy)]
pub enum TenantRef<'a> {
    Name(&'a str),
    Id(TenantId),
}

/// The authorisation step: principal → tenant → role (or global admin, or admission
/// from another tenant) → scope with what the tenant's statements allow.
///
/// A tenant that does not exist and a tenant the caller has no access to give the same
/// `NotFound`, so that a URL never reveals whether another tenant exists.
pub async fn authorize(
    db: &Db,
    principal: &Principal,
    tenant: TenantRef<'_>,
) -> DomainResult<TenantScope> {
    // One indexed read: the tenant, its IAM version, and the caller's role in it.
    const SQL: &str = "SELECT t.id, t.name, t.is_system, t.iam_version, t.desired_state, \
        (SELECT m.role FROM memberships m WHERE m.tenant_id = t.id AND m.user_id = $2) AS member_role \
        FROM tenants t WHERE ";
    let row = match tenant {
        TenantRef::Name(name) => {
            sqlx::query(&format!("{SQL}t.name = $1"))
                .bind(name.trim().to_string())
                .bind(principal.user_id().as_text())
                .fetch_optional(&mut *db.read(Wall::Platform).await?)
                .await?
        }
        TenantRef::Id(id) => {
            sqlx::query(&format!("{SQL}t.id = $1"))
                .bind(id.as_text())
                .bind(principal.user_id().as_text())
                .fetch_optional(&mut *db.read(Wall::Platform).await?)
                .await?
        }
    };
    let Some(row) = row else {
        return Err(DomainError::NotFound("tenant"));
    };
    let tenant_id: TenantId = col_id(&row.try_get::<String, _>("id")?)?;
    let tenant_name: String = row.try_get("name")?;
    let is_system = row.try_get::<i64, _>("is_system")? != 0;
    let version: i64 = row.try_get("iam_version")?;
    let deleting = row.try_get::<String, _>("desired_state")? == "DELETED";

    let own_role = match principal.token_roles() {
        Some(roles) => roles
            .iter()
            .filter(|(t, _)| *t == tenant_id)
            .map(|(_, r)| *r)
            .max(),
        None => row
            .try_get::<Option<String>, _>("member_role")?
            .and_then(|r| r.parse().ok()),
    };
    let (role, grants) = if principal.is_global_admin() {
        (Some(Role::Admin), None)
    } else if let Some(role) = own_role {
        let g = enforce::member_grants(db, principal, tenant_id, &tenant_name, version, Some(role))
            .await?;
        (Some(role), Some(Arc::new(g)))
    } else {
        match enforce::admitted_grants(db, principal, tenant_id, &tenant_name, version).await? {
            Some(g) => (None, Some(Arc::new(g))),
            None => return Err(DomainError::NotFound("tenant")),
        }
    };
    Ok(TenantScope {
        tenant_id,
        tenant_name,
        is_system,
        actor_id: principal.user_id(),
        actor_label: principal.user().label(),
        role,
        global_admin: principal.is_global_admin(),
        grants,
        deleting,
    })
}

/// Every tenant role a principal holds (for `GET /api/v1/me` and the header). For a
/// bearer JWT these are the token's roles, which are what the request may use, not the
/// console memberships of the user behind it.
pub async fn memberships(db: &Db, principal: &Principal) -> DomainResult<Vec<Membership>> {
    if let Some(roles) = principal.token_roles() {
        if roles.is_empty() {
            return Ok(Vec::new());
        }
        let placeholders: Vec<String> = (1..=roles.len()).map(|i| format!("${i}")).collect();
        let sql = format!(
            "SELECT id, name FROM tenants WHERE id IN ({}) ORDER BY name",
            placeholders.join(", ")
        );
        let mut q = sqlx::query(&sql);
        for (t, _) in roles {
            q = q.bind(t.as_text());
        }
        let mut out = Vec::new();
        for row in q.fetch_all(&mut *db.read(Wall::Platform).await?).await? {
            let tenant_id: TenantId = col_id(&row.try_get::<String, _>("id")?)?;
            if let Some(role) = roles
                .iter()
                .filter(|(t, _)| *t == tenant_id)
                .map(|(_, r)| *r)
                .max()
            {
                out.push(Membership {
                    tenant_id,
                    tenant_name: row.try_get("name")?,
                    role,
                });
            }
        }
        return Ok(out);
    }
    let rows = sqlx::query(
        "SELECT m.tenant_id, t.name, m.role FROM memberships m JOIN tenants t ON t.id = m.tenant_id \
         WHERE m.user_id = $1 ORDER BY t.name",
    )
    .bind(principal.user_id().as_text())
    .fetch_all(&mut *db.read(Wall::Platform).await?)
    .await?;
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        let role: String = row.try_get("role")?;
        out.push(Membership {
            tenant_id: col_id(&row.try_get::<String, _>("tenant_id")?)?,
            tenant_name: row.try_get("name")?,
            role: role
                .parse()
                .map_err(|_| DomainError::Internal(format!("bad role {role}")))?,
        });
    }
    Ok(out)
}
