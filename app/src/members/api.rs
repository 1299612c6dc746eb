//! Server functions of the active tenant's memberships: list, add, change role, remove.

#[cfg(feature = "ssr")]
use crate::components::empty_to_none;
use crate::error::AppError;
#[cfg(feature = "ssr")]
use crate::ssr::scope;
#[cfg(feature = "ssr")]
use domain::members;
use leptos::prelude::*;
use policy::Role;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MemberRow {
    pub user_id: String,
    pub email: String,
    pub name: String,
    pub role: Role,
    pub added_at: i64,
    pub pending: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MembersPage {
    pub items: Vec<MemberRow>,
    pub next_cursor: Option<String>,
    /// The whole list's size, counted up to a cap (see the pager).
    pub total: Option<i64>,
    pub can_manage: bool,
    /// Roles the caller may grant here (a tenant admin never gets `admin`).
    pub grantable: Vec<Role>,
    pub my_user_id: String,
}

#[cfg(feature = "ssr")]
fn parse_role(raw: &str) -> Result<Role, AppError> {
    raw.parse()
        .map_err(|e: policy::UnknownRole| AppError::Invalid {
            field: "role".into(),
            message: e.to_string(),
        })
}

#[server(prefix = "/fn", endpoint = "list_members")]
pub async fn list_members(
    tenant: String,
    q: String,
    cursor: Option<String>,
) -> Result<MembersPage, AppError> {
    crate::ssr::respond(async move {
        let (ctx, p, scope) = scope("list_members", &tenant).await?;
        let page = members::list(
            &ctx.db,
            &scope,
            &q,
            empty_to_none(cursor).as_deref(),
            Some(20),
        )
        .await?;
        Ok(MembersPage {
            items: page
                .items
                .into_iter()
                .map(|m| MemberRow {
                    user_id: m.user_id.to_string(),
                    email: m.email,
                    name: m.name,
                    role: m.role,
                    added_at: m.added_at,
                    pending: m.pending,
                })
                .collect(),
            next_cursor: page.next_cursor,
            total: page.total,
            can_manage: scope.allows("MEMBER_UPDATE"),
            grantable: Role::ALL
                .into_iter()
                .filter(|r| scope.allows("MEMBER_CREATE") && scope.require_grant(*r).is_ok())
                .collect(),
            my_user_id: p.user_id().to_string(),
        })
    })
    .await
}

#[server(prefix = "/fn", endpoint = "add_member")]
pub async fn add_member(tenant: String, email: String, role: String) -> Result<String, AppError> {
    crate::ssr::respond(async move {
        let (ctx, _, scope) = scope("add_member", &tenant).await?;
        let member = members::add(&ctx.db, &scope, &email, parse_role(&role)?).await?;
        Ok(member.email)
    })
    .await
}

#[server(prefix = "/fn", endpoint = "change_member_role")]
pub async fn change_member_role(
    tenant: String,
    user_id: String,
    role: String,
) -> Result<(), AppError> {
    crate::ssr::respond(async move {
        let (ctx, _, scope) = scope("change_member_role", &tenant).await?;
        let user = domain::UserId::parse(&user_id).ok_or(AppError::NotFound)?;
        members::change_role(&ctx.db, &scope, user, parse_role(&role)?).await?;
        Ok(())
    })
    .await
}

#[server(prefix = "/fn", endpoint = "remove_member")]
pub async fn remove_member(tenant: String, user_id: String) -> Result<(), AppError> {
    crate::ssr::respond(async move {
        let (ctx, _, scope) = scope("remove_member", &tenant).await?;
        let user = domain::UserId::parse(&user_id).ok_or(AppError::NotFound)?;
        members::remove(&ctx.db, &scope, user).await?;
        Ok(())
    })
    .await
}
