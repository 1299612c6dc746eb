//! IAM policy documents (seed 001): each tenant's named documents in the
//! Define/Endorse/Admit/Allow language, every saved version of each, and the simulator
//! that decides a request with the documents of both tenants involved.
//!
//! A save is checked with the same parser the editor runs in the browser, and is a new
//! version (author, time, comment). Saving on top of a version that is no longer the
//! latest is refused (`version_conflict`), so two editors never overwrite each other
//! unseen. Restoring an old version writes it again as the newest.

pub mod enforce;
mod groups;
mod simulate;
mod store;

pub use enforce::{admitted_tenants, Admission};
pub use groups::*;
pub use simulate::*;
pub use store::*;

use crate::DomainError;
use policy::iam::{self, Document};
use policy::ncs::Issue;

/// Parses a document, or refuses it with every error at its line and column.
pub fn check(text: &str) -> Result<Document, DomainError> {
    iam::parse(text).map_err(|errors| {
        DomainError::InvalidDocument(errors.into_iter().map(Issue::from).collect())
    })
}
