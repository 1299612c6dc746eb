//! Cross-tenant connections (seed 000): secrets, connections, traffic, the map.

pub mod api;
pub mod pages;
