//! A counter, hydrated: the least a Leptos 0.8 page ships to the browser. scripts/bench.sh
//! builds it with the same profile and tools as the console's bundle and reports the
//! console's size as a multiple of this one.

use leptos::prelude::*;

#[component]
pub fn Counter() -> impl IntoView {
    let (count, set_count) = signal(0);
    view! {
        <button on:click=move |_| set_count.update(|n| *n += 1)>"Clicked " {count} " times"</button>
    }
}

/// The wasm entry point, as the console's is.
#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    leptos::mount::hydrate_body(Counter);
}
