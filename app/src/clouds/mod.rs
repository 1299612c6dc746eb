//! Tenant-scoped clouds (seed 002): the clouds list with provider mode, the creation
//! wizard (type → settings → review, server-rendered steps so it also works without
//! JavaScript), and a cloud's page with its VRF contexts, SE groups and Service Engines.

pub mod api;
pub mod pages;
pub mod wizard;
