//! The frame around every page: login, `/`, the tenant layout with its switcher.

pub mod api;
pub mod layout;
pub mod pages;
