//! Server functions of the audit log of the active tenant.

#[cfg(feature = "ssr")]
use crate::components::empty_to_none;
use crate::error::AppError;
#[cfg(feature = "ssr")]
use crate::ssr::scope;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditRow {
    pub at: i64,
    pub actor: String,
    pub action: String,
    pub target: String,
    pub before: Option<String>,
    pub after: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditPage {
    pub items: Vec<AuditRow>,
    pub next_cursor: Option<String>,
}

#[server(prefix = "/fn", endpoint = "list_audit")]
pub async fn list_audit(tenant: String, cursor: Option<String>) -> Result<AuditPage, AppError> {
    crate::ssr::respond(async move {
        let (ctx, _, scope) = scope(&tenant).await?;
        let page = domain::audit::list(&ctx.db, &scope, empty_to_none(cursor).as_deref(), Some(25))
            .await?;
        Ok(AuditPage {
            items: page
                .items
                .into_iter()
                .map(|e| AuditRow {
                    at: e.at,
                    actor: e.actor,
                    action: e.action,
                    target: e.target,
                    before: e.before,
                    after: e.after,
                })
                .collect(),
            next_cursor: page.next_cursor,
        })
    })
    .await
}
