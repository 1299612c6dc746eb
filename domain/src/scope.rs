//! Who is calling, and in which tenant: the only way to reach tenant-owned rows.
//!
//! A [`TenantScope`] can only be made by [`authorize`], from an authenticated
//! [`Principal`] and the tenant named in the URL or the `ActiveProjectID` header. Its
//! fields are private and it has no public constructor, so a repository that takes one
//! cannot be called with a bare tenant id: forgetting the tenant filter does not compile.

use crate::ids::{col_id, TenantId, UserId, SYSTEM_TENANT_ID};
use crate::model::{Membership, User};
use crate::{Db, DomainError, DomainResult};
use policy::{Action, Role, Standing};
use sqlx::Row;

/// An authenticated caller: a console user, with the roles that apply to them.
#[derive(Debug, Clone)]
pub struct Principal {
    user: User,
    global_admin: bool,
    /// Roles carried by a bearer JWT (`<tenant-uuid>_<role>`). When present they replace
    /// the console memberships, as the token is the authority for that request (seed 004).
    token_roles: Option<Vec<(TenantId, Role)>>,
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
        }
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

    pub(crate) fn token_roles(&self) -> Option<&[(TenantId, Role)]> {
        self.token_roles.as_deref()
    }
}

/// The tenant a request acts in, and the caller's standing there.
#[derive(Debug, Clone)]
pub struct TenantScope {
    tenant_id: TenantId,
    tenant_name: String,
    is_system: bool,
    actor_id: UserId,
    actor_label: String,
    role: Role,
    global_admin: bool,
}

impl TenantScope {
    pub fn tenant_id(&self) -> TenantId {
        self.tenant_id
    }
    pub fn tenant_name(&self) -> &str {
        &self.tenant_name
    }
    /// True in the system tenant `admin`.
    pub fn is_system(&self) -> bool {
        self.is_system
    }
    /// The caller's effective role here (`admin` for a global admin anywhere).
    pub fn role(&self) -> Role {
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

    fn standing(&self) -> Standing {
        Standing {
            role: Some(self.role),
            global_admin: self.global_admin,
            system_tenant: self.is_system,
        }
    }

    /// Refuses with `Forbidden` unless the caller may perform `action` here.
    pub fn require(&self, action: Action) -> DomainResult<()> {
        policy::decide(self.standing(), action).map_err(DomainError::from)
    }

    /// True when the caller may perform `action` (for showing or hiding controls).
    pub fn allows(&self, action: Action) -> bool {
        policy::decide(self.standing(), action).is_ok()
    }
}

/// How the caller names the tenant: by name in console URLs, by id in the REST API.
#[derive(Debug, Clone, Copy)]
pub enum TenantRef<'a> {
    Name(&'a str),
    Id(TenantId),
}

/// The authorisation step: principal → tenant → membership (or global admin) → scope.
///
/// A tenant that does not exist and a tenant the caller has no role in give the same
/// `NotFound`, so that a URL never reveals whether another tenant exists.
pub async fn authorize(
    db: &Db,
    principal: &Principal,
    tenant: TenantRef<'_>,
) -> DomainResult<TenantScope> {
    let row = match tenant {
        TenantRef::Name(name) => {
            sqlx::query("SELECT id, name, is_system FROM tenants WHERE name = $1")
                .bind(name.trim().to_string())
                .fetch_optional(db.pool())
                .await?
        }
        TenantRef::Id(id) => {
            sqlx::query("SELECT id, name, is_system FROM tenants WHERE id = $1")
                .bind(id.as_text())
                .fetch_optional(db.pool())
                .await?
        }
    };
    let Some(row) = row else {
        return Err(DomainError::NotFound("tenant"));
    };
    let tenant_id: TenantId = col_id(&row.try_get::<String, _>("id")?)?;
    let tenant_name: String = row.try_get("name")?;
    let is_system = row.try_get::<i64, _>("is_system")? != 0;

    let own_role = match principal.token_roles() {
        Some(roles) => roles
            .iter()
            .filter(|(t, _)| *t == tenant_id)
            .map(|(_, r)| *r)
            .max(),
        None => role_in(db, principal.user_id(), tenant_id).await?,
    };
    let standing = Standing {
        role: own_role,
        global_admin: principal.is_global_admin(),
        system_tenant: is_system,
    };
    policy::decide(standing, Action::View).map_err(|_| DomainError::NotFound("tenant"))?;
    let role = standing
        .effective_role()
        .ok_or(DomainError::NotFound("tenant"))?;
    Ok(TenantScope {
        tenant_id,
        tenant_name,
        is_system,
        actor_id: principal.user_id(),
        actor_label: principal.user().label(),
        role,
        global_admin: principal.is_global_admin(),
    })
}

/// A user's role in one tenant from the console memberships.
async fn role_in(db: &Db, user: UserId, tenant: TenantId) -> DomainResult<Option<Role>> {
    let role: Option<String> =
        sqlx::query_scalar("SELECT role FROM memberships WHERE tenant_id = $1 AND user_id = $2")
            .bind(tenant.as_text())
            .bind(user.as_text())
            .fetch_optional(db.pool())
            .await?;
    Ok(role.and_then(|r| r.parse().ok()))
}

/// Every tenant role a principal holds (for `GET /api/v1/me` and the header).
pub async fn memberships(db: &Db, principal: &Principal) -> DomainResult<Vec<Membership>> {
    let rows = sqlx::query(
        "SELECT m.tenant_id, t.name, m.role FROM memberships m JOIN tenants t ON t.id = m.tenant_id \
         WHERE m.user_id = $1 ORDER BY t.name",
    )
    .bind(principal.user_id().as_text())
    .fetch_all(db.pool())
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
    if let Some(roles) = principal.token_roles() {
        out.retain(|m| roles.iter().any(|(t, _)| *t == m.tenant_id));
    }
    Ok(out)
}

/// True when `user` holds `admin` in the system tenant.
pub(crate) async fn is_global_admin(db: &Db, user: UserId) -> DomainResult<bool> {
    Ok(role_in(db, user, SYSTEM_TENANT_ID).await? == Some(Role::Admin))
}
