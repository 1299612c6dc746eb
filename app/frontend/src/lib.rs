#![recursion_limit = "256"]
//! Wasm entry point: hydrates the server-rendered page. Kept in its own crate because a
//! separate cdylib measured 20% smaller than making `app` itself the cdylib.

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(app::App);
}
