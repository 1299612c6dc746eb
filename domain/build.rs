//! Rebuilds the crate when a migration is added or changed: `sqlx::migrate!` embeds the
//! files at compile time, and cargo does not watch that folder by itself (a new
//! migration was otherwise left out of incremental builds until something else changed).
fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
