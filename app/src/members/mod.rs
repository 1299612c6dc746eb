//! Memberships of the active tenant.

pub mod api;
pub mod pages;
