//! NCS networking (seed 000): workspaces, services, network policies, the check.

pub mod api;
pub mod pages;
