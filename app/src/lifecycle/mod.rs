//! The tenant lifecycle: deleting a tenant (dry run, confirmation, progress) and the
//! active tenant's alerts.

pub mod api;
pub mod pages;
