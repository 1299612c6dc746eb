//! Tenants: the dashboard, the tenants list, creating a tenant.

pub mod api;
pub mod pages;
