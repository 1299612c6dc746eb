//! The UI layer's one error type. It crosses the wire from server functions to the
//! browser, so it carries only what a user may see: a plain message, and for input
//! errors the field it belongs to. Internals are logged on the server.

use leptos::prelude::*;
use leptos::server_fn::codec::JsonEncoding;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    #[error("Your session has ended. Please log in again.")]
    Unauthenticated,
    #[error("Not found.")]
    NotFound,
    #[error("{0}")]
    Forbidden(String),
    #[error("{message}")]
    Invalid { field: String, message: String },
    /// A document (a network policy) was refused; each issue names its line.
    #[error("{message}")]
    InvalidDocument {
        message: String,
        issues: Vec<policy::ncs::Issue>,
    },
    #[error("{message}")]
    Conflict { code: String, message: String },
    #[error("Too many attempts. Try again in a few minutes.")]
    RateLimited,
    #[error("Something went wrong on our side. Please try again.")]
    Internal,
    #[error("The server could not be reached or answered unexpectedly ({0}).")]
    Transport(String),
}

impl AppError {
    /// The message for one form field, if this error is about it.
    pub fn for_field(&self, name: &str) -> Option<String> {
        match self {
            AppError::Invalid { field, message } if field == name => Some(message.clone()),
            _ => None,
        }
    }

    /// The message to show above a form: everything that is not tied to a field.
    pub fn form_message(&self, fields: &[&str]) -> Option<String> {
        match self {
            AppError::Invalid { field, .. } if fields.contains(&field.as_str()) => None,
            other => Some(other.to_string()),
        }
    }

    /// The line-numbered issues of a refused document (none for other errors).
    pub fn issues(&self) -> Vec<policy::ncs::Issue> {
        match self {
            AppError::InvalidDocument { issues, .. } => issues.clone(),
            _ => Vec::new(),
        }
    }

    /// The HTTP status a page showing this error should answer with.
    pub fn status(&self) -> u16 {
        match self {
            AppError::Unauthenticated => 401,
            AppError::NotFound => 404,
            AppError::Forbidden(_) => 403,
            AppError::Invalid { .. } | AppError::InvalidDocument { .. } => 422,
            AppError::Conflict { .. } => 409,
            AppError::RateLimited => 429,
            AppError::Internal | AppError::Transport(_) => 500,
        }
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        AppError::Transport(value.to_string())
    }
}

#[cfg(feature = "ssr")]
impl From<domain::DomainError> for AppError {
    fn from(e: domain::DomainError) -> Self {
        use domain::DomainError as D;
        match e {
            D::NotFound(_) => AppError::NotFound,
            D::Forbidden(m) => AppError::Forbidden(m),
            D::Invalid { field, message } | D::Refused { field, message, .. } => {
                AppError::Invalid {
                    field: field.to_string(),
                    message,
                }
            }
            D::InvalidDocument(issues) => AppError::InvalidDocument {
                message: if issues.len() == 1 {
                    "The policy has a problem; see the line below.".into()
                } else {
                    format!(
                        "The policy has {} problems; see the lines below.",
                        issues.len()
                    )
                },
                issues,
            },
            D::Conflict { code, message } => AppError::Conflict {
                code: code.to_string(),
                message,
            },
            D::RateLimited => AppError::RateLimited,
            D::Unauthenticated(_) => AppError::Unauthenticated,
            D::Wall(detail) | D::Internal(detail) => {
                tracing::error!(%detail, "internal error in a server function");
                AppError::Internal
            }
        }
    }
}
