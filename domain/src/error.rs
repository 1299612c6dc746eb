//! The domain's one error type. Each variant has a stable machine code and a message
//! that is safe to show; internals (database errors) are logged, never shown.

use thiserror::Error;

pub type DomainResult<T> = Result<T, DomainError>;

#[derive(Debug, Error)]
pub enum DomainError {
    /// The object does not exist *or belongs to another tenant*: the two are
    /// deliberately indistinguishable.
    #[error("{0} not found")]
    NotFound(&'static str),
    /// The caller sees the tenant but may not do this.
    #[error("{0}")]
    Forbidden(String),
    /// Input failed validation; `field` names the offending input.
    #[error("{message}")]
    Invalid {
        field: &'static str,
        message: String,
    },
    /// Input refused for a reason scripts tell apart by its own code
    /// (`cloud_type_not_allowed_in_tenant`); answered like [`DomainError::Invalid`].
    #[error("{message}")]
    Refused {
        code: &'static str,
        field: &'static str,
        message: String,
    },
    /// A document (a network policy) failed its checks; each issue names its line.
    #[error("{}", document_message(.0))]
    InvalidDocument(Vec<policy::ncs::Issue>),
    /// The change clashes with existing state (duplicate name, existing member…).
    #[error("{message}")]
    Conflict { code: &'static str, message: String },
    /// Too many attempts; try again later.
    #[error("too many attempts, try again in a few minutes")]
    RateLimited,
    /// Credentials are missing, wrong or expired.
    #[error("{0}")]
    Unauthenticated(&'static str),
    /// The database connection is not held by row-level security (a startup check);
    /// the message says which role and what to do.
    #[error("{0}")]
    Wall(String),
    /// Anything unexpected. The detail is logged where it is created, not shown.
    #[error("internal error")]
    Internal(String),
}

impl DomainError {
    pub fn invalid(field: &'static str, message: impl Into<String>) -> Self {
        DomainError::Invalid {
            field,
            message: message.into(),
        }
    }

    pub fn conflict(code: &'static str, message: impl Into<String>) -> Self {
        DomainError::Conflict {
            code,
            message: message.into(),
        }
    }

    /// The input the error is about, when it is about one.
    pub fn field(&self) -> Option<&'static str> {
        match self {
            DomainError::Invalid { field, .. } | DomainError::Refused { field, .. } => Some(field),
            _ => None,
        }
    }

    /// A stable code for APIs and tests.
    pub fn code(&self) -> &'static str {
        match self {
            DomainError::NotFound(_) => "not_found",
            DomainError::Forbidden(_) => "forbidden",
            DomainError::Invalid { .. } => "invalid_input",
            DomainError::InvalidDocument(_) => "invalid_policy",
            DomainError::Conflict { code, .. } => code,
            DomainError::Refused { code, .. } => code,
            DomainError::RateLimited => "rate_limited",
            DomainError::Unauthenticated(_) => "unauthenticated",
            DomainError::Wall(_) => "database_role_bypasses_row_security",
            DomainError::Internal(_) => "internal",
        }
    }
}

fn document_message(issues: &[policy::ncs::Issue]) -> String {
    match issues {
        [one] => format!("The policy is not valid: {one}"),
        many => format!(
            "The policy has {} problems: {}",
            many.len(),
            many.iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(" ")
        ),
    }
}

impl From<sqlx::Error> for DomainError {
    fn from(e: sqlx::Error) -> Self {
        tracing::error!(error = %e, "database error");
        DomainError::Internal(e.to_string())
    }
}

impl From<policy::Denial> for DomainError {
    fn from(d: policy::Denial) -> Self {
        match d {
            policy::Denial::NotVisible => DomainError::NotFound("tenant"),
            policy::Denial::Forbidden(why) => DomainError::Forbidden(why.to_string()),
        }
    }
}

/// True when a database error is a unique-constraint violation, which callers turn
/// into a [`DomainError::Conflict`] instead of an internal error.
pub(crate) fn is_unique_violation(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::Database(db) => {
            db.is_unique_violation()
                || db.message().contains("UNIQUE constraint failed")
                || db.code().as_deref() == Some("23505")
        }
        _ => false,
    }
}

/// A unique-constraint violation as the conflict it means (`code`, `message`); any other
/// database error stays internal.
pub(crate) fn unique(e: sqlx::Error, code: &'static str, message: String) -> DomainError {
    if is_unique_violation(&e) {
        DomainError::conflict(code, message)
    } else {
        e.into()
    }
}
