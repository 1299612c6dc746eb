//! The tenant as a container: its log of system events, its metrics drawn as charts,
//! and its usage per day with CSV and JSON downloads.

pub mod api;
pub mod pages;
