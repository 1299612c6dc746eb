#![recursion_limit = "256"]
//! Wasm entry point: hydrates the server-rendered page. Kept in its own crate because a
//! separate cdylib measured 20% smaller than making `app` itself the cdylib.

/// Hydrates the page once the chunk of its route has loaded (the pages are lazy routes,
/// see `app::routes`), then marks `<body data-hydrated>`: from then on every handler is
/// attached, which is what tests (and people reading the DOM) wait for.
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    wasm_bindgen_futures::spawn_local(async {
        let Some(body) = leptos::prelude::document().body() else {
            return;
        };
        let hydrated = leptos::mount::hydrate_from_async(body.clone(), app::App).await;
        // The app lives as long as the page.
        hydrated.forget();
        let _ = body.set_attribute("data-hydrated", "true");
    });
}
