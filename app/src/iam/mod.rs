//! IAM policies (seed 001): the policy documents of a tenant with their versions, the
//! editor that lints as you type, and the simulator.

pub mod api;
pub mod groups;
pub mod pages;
