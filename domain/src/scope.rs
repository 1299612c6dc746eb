//! Who is calling, and in which tenant: the only way to reach tenant-owned rows.
//!
//! A [`TenantScope`] can only be made by [`authorize`], from an authenticated
//! [`Principal`] and the tenant named in the URL or the `ActiveProjectID` header. Its
//! fields are private and it has no public constructor, so a repository that takes one
//! cannot be called with a bare tenant id: forgetting the tenant filter does not compile.

use crate::ids::{col_id, TenantId, UserId};
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

    /// The roles a bearer JWT carries, when this principal came from one.
    pub fn token_roles(&self) -> Option<&[(TenantId, Role)]> {
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
    // One indexed read: the tenant, and the caller's console role in it.
    const SQL: &str = "SELECT t.id, t.name, t.is_system, \
        (SELECT m.role FROM memberships m WHERE m.tenant_id = t.id AND m.user_id = $2) AS member_role \
        FROM tenants t WHERE ";
    let row = match tenant {
        TenantRef::Name(name) => {
            sqlx::query(&format!("{SQL}t.name = $1"))
                .bind(name.trim().to_string())
                .bind(principal.user_id().as_text())
                .fetch_optional(db.pool())
                .await?
        }
        TenantRef::Id(id) => {
            sqlx::query(&format!("{SQL}t.id = $1"))
                .bind(id.as_text())
                .bind(principal.user_id().as_text())
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
        None => row
            .try_get::<Option<String>, _>("member_role")?
            .and_then(|r| r.parse().ok()),
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
        for row in q.fetch_all(db.pool()).await? {
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
    Ok(out)
}
