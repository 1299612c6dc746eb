//! The domain's records. They carry no storage details; repositories build them.

use crate::ids::{AuditId, TenantId, UserId};
use policy::Role;
use serde::{Deserialize, Serialize};

/// The lifecycle states of seed 004: what is wanted, and what the controller reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum TenantState {
    Unknown,
    Created,
    Deleted,
}

impl TenantState {
    pub fn as_str(self) -> &'static str {
        match self {
            TenantState::Unknown => "UNKNOWN",
            TenantState::Created => "CREATED",
            TenantState::Deleted => "DELETED",
        }
    }

    pub(crate) fn from_db(s: &str) -> TenantState {
        match s {
            "CREATED" => TenantState::Created,
            "DELETED" => TenantState::Deleted,
            _ => TenantState::Unknown,
        }
    }
}

/// A label `key=value` on a tenant.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Label {
    pub key: String,
    pub value: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Tenant {
    pub id: TenantId,
    pub name: String,
    pub description: String,
    pub labels: Vec<Label>,
    pub desired_state: TenantState,
    pub current_state: TenantState,
    /// True only for the system tenant `admin`.
    pub is_system: bool,
    pub created_at: i64,
    /// How far its deletion has come, once asked for.
    #[serde(default)]
    pub teardown: Option<crate::lifecycle::Progress>,
}

/// What a new tenant is made from (UI form or `POST /api/v1/tenants`).
#[derive(Debug, Clone, Default)]
pub struct NewTenant {
    pub name: String,
    pub description: String,
    pub labels: Vec<Label>,
    /// An id chosen by an external tenant manager (seed 004); random when absent.
    pub id: Option<TenantId>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct User {
    pub id: UserId,
    /// The address to show. It identifies the user only when an IdP verified it or an
    /// administrator gave it (an invitation); see `directory::upsert_oidc_user`.
    pub email: String,
    /// True when an OpenID Provider vouched for `email`.
    pub email_verified: bool,
    pub name: String,
    pub issuer: Option<String>,
    pub subject: Option<String>,
    pub created_at: i64,
    pub last_login_at: Option<i64>,
}

impl User {
    /// A readable name for audit records and headers.
    pub fn label(&self) -> String {
        if self.name.is_empty() || self.name == self.email {
            self.email.clone()
        } else {
            format!("{} <{}>", self.name, self.email)
        }
    }
}

/// A user's role in the tenant of the scope it was read with.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Member {
    pub user_id: UserId,
    pub email: String,
    pub name: String,
    pub role: Role,
    pub added_at: i64,
    /// True until the user has logged in once (added by email, not yet bound to a login).
    pub pending: bool,
}

/// One tenant a user belongs to, with the role held there.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Membership {
    pub tenant_id: TenantId,
    pub tenant_name: String,
    pub role: Role,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AuditEvent {
    pub id: AuditId,
    pub tenant_id: TenantId,
    pub at: i64,
    pub actor: String,
    pub action: String,
    pub target: String,
    pub before: Option<String>,
    pub after: Option<String>,
    /// For an action taken through another tenant's admission: the actor's home tenant
    /// and the statements that allowed it.
    #[serde(default)]
    pub via: Option<String>,
    /// The request that made the change (its `X-Request-Id`); none for the controller's.
    #[serde(default)]
    pub request_id: Option<String>,
}

/// One page of a keyset-paginated list; `next_cursor` is opaque to callers.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next_cursor: Option<String>,
    /// How many rows the whole list has, counted up to [`COUNT_CAP`] + 1 (more means
    /// "over a thousand"); `None` where a list is not counted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total: Option<i64>,
}

/// Lists count their rows only this far: a count costs at most this many index
/// entries, and past it "over a thousand" says enough.
pub const COUNT_CAP: i64 = 1000;

/// Wraps the `SELECT 1 FROM … WHERE …` of a list (without its cursor, order and limit)
/// into a count that stops after [`COUNT_CAP`] + 1 rows.
pub(crate) fn capped_count_sql(select_one: &str) -> String {
    format!(
        "SELECT COUNT(*) FROM ({select_one} LIMIT {}) counted",
        COUNT_CAP + 1
    )
}

impl<T> Page<T> {
    /// Builds a page from a query that fetched `limit + 1` rows: the extra row only says
    /// that there is a next page, whose cursor is made from the last row kept.
    pub(crate) fn from_overfetch(
        mut items: Vec<T>,
        limit: i64,
        cursor: impl Fn(&T) -> String,
    ) -> Page<T> {
        let next_cursor = if items.len() as i64 > limit {
            items.truncate(limit as usize);
            items.last().map(cursor)
        } else {
            None
        };
        Page {
            items,
            next_cursor,
            total: None,
        }
    }

    /// The same page with the list's total (see [`capped_count_sql`]).
    pub(crate) fn with_total(mut self, total: i64) -> Page<T> {
        self.total = Some(total);
        self
    }
}

/// How many rows a page holds: 1 to 100, 25 unless asked.
pub fn clamp_limit(limit: Option<i64>) -> i64 {
    limit.unwrap_or(25).clamp(1, 100)
}

/// A newest-first keyset cursor `<created_at>:<id>`: the time alone would skip rows that
/// share a millisecond. No cursor (or a malformed one) starts at the newest row.
pub(crate) fn newest_first_cursor(cursor: Option<&str>) -> (i64, String) {
    cursor
        .and_then(|c| c.split_once(':'))
        .and_then(|(at, id)| Some((at.parse::<i64>().ok()?, id.to_string())))
        .unwrap_or((i64::MAX, String::new()))
}

/// One day in milliseconds: traffic is summed per UTC day.
pub const DAY_MS: i64 = 86_400_000;
