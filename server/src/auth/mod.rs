//! Who is calling: browser login (OIDC and the bootstrap admin's password), sessions,
//! and bearer JWTs from the same providers. `provider` is the piece both login and
//! bearer verification use, so neither depends on the other.

pub mod jwt;
pub mod oidc;
pub mod provider;
pub mod session;
