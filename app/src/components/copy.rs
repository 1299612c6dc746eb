//! Copy buttons, and ids shown short.

use leptos::prelude::*;

/// Copies `text` to the clipboard and says "Copied" for two seconds. Without JavaScript
/// it is hidden (the text beside it can still be selected).
#[component]
pub fn CopyButton(
    #[prop(into)] text: String,
    /// What is copied, for screen readers (`Copy tenant id`).
    #[prop(into)]
    label: String,
    #[prop(optional)] small: bool,
) -> impl IntoView {
    let copied = RwSignal::new(false);
    let class = if small {
        "btn btn-sm btn-copy js-only"
    } else {
        "btn btn-copy js-only"
    };
    view! {
        <button type="button" class=class aria-label=label
            on:click=move |_| {
                #[cfg(feature = "hydrate")]
                {
                    if let Some(window) = web_sys::window() {
                        let _ = window.navigator().clipboard().write_text(&text);
                    }
                    copied.set(true);
                    set_timeout(move || copied.set(false), std::time::Duration::from_secs(2));
                }
                #[cfg(not(feature = "hydrate"))]
                let _ = &text;
            }>
            <span aria-live="polite">{move || if copied.get() { "Copied" } else { "Copy" }}</span>
        </button>
    }
}

/// A long id (a UUID) shown short: its first characters, the whole value on hover, to
/// screen readers, to search and to copy (the text is whole; the style cuts it), with a
/// copy button.
#[component]
pub fn ShortId(
    #[prop(into)] id: String,
    /// What the id is, for the copy button (`tenant id`).
    #[prop(into)]
    what: String,
    #[prop(optional)] testid: Option<&'static str>,
) -> impl IntoView {
    view! {
        <span class="short-id">
            <span class="mono id-short" title=id.clone() data-testid=testid>{id.clone()}</span>
            <CopyButton text=id label=format!("Copy {what}") small=true/>
        </span>
    }
}

/// The request that wrote a record: its id short (whole on hover, with a copy button, to
/// find the request in the server's log), and a link to every record it wrote, where a
/// page can list them (`filter`).
#[component]
pub fn RequestRef(
    #[prop(into)] id: String,
    #[prop(optional)] filter: Option<String>,
) -> impl IntoView {
    view! {
        <div class="muted small request-ref">
            "Request "<ShortId id=id what="request id" testid="request-id"/>
            {filter.map(|href| view! {
                <a href=href title="Every change this request made" data-testid="audit-request">"its changes"</a>
            })}
        </div>
    }
}
